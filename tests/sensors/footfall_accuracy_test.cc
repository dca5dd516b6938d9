// Accuracy regression on the PETS 2009 S2L1 clip: fails if counting gets worse than what was
// reached (docs/footfall.md), minus a small margin. Same settings as the documented command
// `touchpoint-footfall-eval --video ... --expected ...` (process width 384).
#include <gtest/gtest.h>

#include <filesystem>

#include "test_support.h"
#include "touchpoint/sensors/footfall_eval.h"

namespace touchpoint::sensors {
namespace {

// Reached: 100 % count accuracy, event F1 0.985 (docs/footfall.md). Issue 10 asks >= 95 %.
constexpr double kMinAccuracyPct = 95.0;
constexpr double kMinF1 = 0.95;
constexpr double kMinLineAccuracyPct = 93.0;
constexpr double kMinLineF1 = 0.92;

TEST(FootfallAccuracyTest, PetsClipCountsStayAtTheReachedAccuracy) {
  const std::string dir = touchpoint::testing::SharedDataPath("footfall/pets09-s2l1-vtest");
  const std::string video = dir + "/vtest.avi";
  if (!std::filesystem::exists(video)) GTEST_SKIP() << video << " is absent";
  auto clip = LoadExpectedClip(dir + "/expected.json");
  ASSERT_TRUE(clip.ok()) << clip.status().message();
  CameraConfig config;
  config.process_width = 384;
  config.lines = LinesOf(*clip);
  auto run = RunOnVideo(video, config);
  ASSERT_TRUE(run.ok()) << run.status().message();
  EXPECT_EQ(run->frames, 795);
  EvalScore score = ScoreCrossings(*clip, run->crossings);
  for (const LineScore& l : score.lines) {
    SCOPED_TRACE(l.line);
    EXPECT_GE(l.accuracy_pct, kMinLineAccuracyPct)
        << "in " << l.counted_in << "/" << l.expected_in << ", out " << l.counted_out << "/"
        << l.expected_out;
    EXPECT_GE(l.f1, kMinLineF1);
  }
  EXPECT_GE(score.accuracy_pct, kMinAccuracyPct);
  EXPECT_GE(score.f1, kMinF1);
  RecordProperty("accuracy_pct", std::to_string(score.accuracy_pct));
  RecordProperty("event_f1", std::to_string(score.f1));
}

// The kiosk's default settings (CameraConfig{}: process width 384, 768 -> 384) hold issue 10's
// bar (reached: 97.0 %, F1 0.969; at the former default 320 it was 93.9 % before the last step of
// the shrink became bilinear and dark clothes stopped being shadow).
TEST(FootfallAccuracyTest, PetsClipAtTheKioskDefaultsReachesTheTarget) {
  const std::string dir = touchpoint::testing::SharedDataPath("footfall/pets09-s2l1-vtest");
  const std::string video = dir + "/vtest.avi";
  if (!std::filesystem::exists(video)) GTEST_SKIP() << video << " is absent";
  auto clip = LoadExpectedClip(dir + "/expected.json");
  ASSERT_TRUE(clip.ok()) << clip.status().message();
  CameraConfig config;
  config.lines = LinesOf(*clip);
  auto run = RunOnVideo(video, config);
  ASSERT_TRUE(run.ok()) << run.status().message();
  EvalScore score = ScoreCrossings(*clip, run->crossings);
  EXPECT_GE(score.accuracy_pct, kMinAccuracyPct);
  EXPECT_GE(score.f1, 0.95);
  RecordProperty("accuracy_pct", std::to_string(score.accuracy_pct));
  RecordProperty("event_f1", std::to_string(score.f1));
}

// The CAVIAR mall doorway clips (384x288, people stopping on the threshold, two leaving side
// by side), run like the eval tool with the kiosk's processing width, no calibration (learned)
// and the match window of the clip's frame_tolerance.
struct ClipCase {
  const char* dir;
  const char* video;
  int64_t frames;
  double min_accuracy_pct;  // reached (docs/footfall.md): a floor against regressions
  double min_f1;
};

EvalScore RunClip(const ClipCase& c, EvalRun* run_out = nullptr) {
  const std::string dir = touchpoint::testing::SharedDataPath(std::string("footfall/") + c.dir);
  auto clip = LoadExpectedClip(dir + "/expected.json");
  EXPECT_TRUE(clip.ok()) << clip.status().message();
  if (!clip.ok()) return {};
  CameraConfig config;  // the kiosk's defaults: process width 384, as the eval tool's
  config.lines = LinesOf(*clip);
  auto run = RunOnVideo(dir + "/" + c.video, config);
  EXPECT_TRUE(run.ok()) << run.status().message();
  if (!run.ok()) return {};
  EXPECT_EQ(run->frames, c.frames);
  if (run_out) *run_out = *run;
  return ScoreCrossings(*clip, run->crossings, clip->tolerance_frames);
}

const ClipCase kCaviar[] = {
    // Both exits at the annotated frames and nothing else: 100 %, F1 1.0 (was 0 % / 0.667:
    // two "in"s when the pair's legs vanished behind each other on the walkway).
    {"caviar-two-leave-shop", "caviar_TwoLeaveShop2front.mpg", 600, 95.0, 0.9},
    // Both crossings at their frames: 100 %, F1 1.0 (was 50 % / 0.4: the dark-jacketed man was
    // "shadow", and an "in" when his legs went behind the pillar).
    {"caviar-enter-exit-crossing", "caviar_EnterExitCrossingPaths1front.mpg", 383, 95.0, 0.9},
};

bool HaveClip(const ClipCase& c) {
  return std::filesystem::exists(
      touchpoint::testing::SharedDataPath(std::string("footfall/") + c.dir + "/" + c.video));
}

TEST(FootfallAccuracyTest, CaviarDoorwayClipsStayAtTheReachedAccuracy) {
  for (const ClipCase& c : kCaviar) {
    SCOPED_TRACE(c.dir);
    if (!HaveClip(c)) GTEST_SKIP() << c.dir << " is absent";
    EvalRun run;
    EvalScore score = RunClip(c, &run);
    ASSERT_EQ(score.lines.size(), 1u);
    EXPECT_GE(score.accuracy_pct, c.min_accuracy_pct)
        << "out " << score.lines[0].counted_out << "/" << score.lines[0].expected_out << ", in "
        << score.lines[0].counted_in << "/" << score.lines[0].expected_in;
    EXPECT_GE(score.f1, c.min_f1);
    // Nobody is ever counted more than twice over on these clips (no runaway duplicates).
    EXPECT_LE(static_cast<int64_t>(run.crossings.size()),
              2 * (score.lines[0].expected_in + score.lines[0].expected_out));
    RecordProperty(std::string(c.dir) + "_accuracy_pct", std::to_string(score.accuracy_pct));
    RecordProperty(std::string(c.dir) + "_event_f1", std::to_string(score.f1));
  }
}

// Issue 10's target for every clip: >= 95 % count accuracy and event F1 >= 0.90, at the kiosk's
// default width 384 (the eval tool's too; at 320, the default before, TwoLeave still counts one
// "out" too many: see docs/footfall.md).
TEST(FootfallAccuracyTest, CaviarDoorwayClipsReachTheTarget) {
  for (const ClipCase& c : kCaviar) {
    SCOPED_TRACE(c.dir);
    if (!HaveClip(c)) GTEST_SKIP() << c.dir << " is absent";
    EvalScore score = RunClip(c);
    EXPECT_GE(score.accuracy_pct, 95.0);
    EXPECT_GE(score.f1, 0.90);
  }
}

TEST(FootfallAccuracyTest, ScoringMatchesCrossingsOneToOneWithinTheWindow) {
  ExpectedClip clip;
  ExpectedLine l;
  l.name = "L";
  l.crossings_in = 2;
  l.crossings_out = 1;
  l.crossings = {{100, true, 1}, {105, true, 2}, {300, false, 1}};
  clip.lines.push_back(l);
  // Two counted "in" near 100 match both; the "out" is 11 frames late: no match.
  std::vector<CountedCrossing> counted = {{"L", true, 95}, {"L", true, 112}, {"L", false, 311}};
  EvalScore s = ScoreCrossings(clip, counted, 10);
  ASSERT_EQ(s.lines.size(), 1u);
  EXPECT_EQ(s.lines[0].matched, 2);
  EXPECT_DOUBLE_EQ(s.accuracy_pct, 100.0);
  EXPECT_NEAR(s.f1, 2.0 * 2 / 6, 1e-9);
}

}  // namespace
}  // namespace touchpoint::sensors
