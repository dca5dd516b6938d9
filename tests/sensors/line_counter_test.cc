// Line crossing: direction, hysteresis, U-turns, touching the line, segment ends.
#include "touchpoint/sensors/line_counter.h"

#include <gtest/gtest.h>

#include <vector>

namespace touchpoint::sensors {
namespace {

// A vertical line x = 100, y in [0, 200]; "in" is +x. Hysteresis 5 px, 2 frames to confirm.
class LineCounterTest : public ::testing::Test {
 protected:
  LineCounterTest() : counter_({LineSpec{"door", {100, 0}, {100, 200}, {1, 0}}}, Options()) {}
  static LineCounterOptions Options() {
    LineCounterOptions o;
    o.hysteresis = 5;
    o.confirm_frames = 2;
    return o;
  }
  // Moves track `id` through the x positions (one per frame) at height y.
  void Walk(int id, const std::vector<float>& xs, float y = 100, bool confirmed = true) {
    for (float x : xs) {
      Track t;
      t.id = id;
      t.foot = {x, y};
      t.confirmed = confirmed;
      counter_.Update({t}, {}, frame_++, &out_);
    }
  }
  void End(int id) { counter_.Update({}, {id}, frame_++, &out_); }

  LineCounter counter_;
  std::vector<LineCrossing> out_;
  int64_t frame_ = 0;
};

TEST_F(LineCounterTest, LeftToRightIsOneInAtTheFrameTheLineWasPassed) {
  Walk(1, {60, 70, 80, 90, 98, 103, 108, 115, 125});
  ASSERT_EQ(out_.size(), 1u);
  EXPECT_TRUE(out_[0].in);
  EXPECT_EQ(out_[0].frame, 5);  // x = 103: the first frame on the in side
  EXPECT_EQ(out_[0].track_id, 1);
}

TEST_F(LineCounterTest, RightToLeftIsOneOut) {
  Walk(1, {140, 130, 120, 110, 100.5f, 96, 90, 80, 70});
  ASSERT_EQ(out_.size(), 1u);
  EXPECT_FALSE(out_[0].in);
}

TEST_F(LineCounterTest, JitterInsideTheHysteresisBandCountsNothing) {
  Walk(1, {80, 90, 97, 103, 98, 104, 96, 102, 97, 90, 80});
  EXPECT_TRUE(out_.empty());
}

TEST_F(LineCounterTest, StepOverAndBackIsAUTurnNotAnEntry) {
  Walk(1, {70, 80, 90, 108, 92, 80, 70});  // one frame beyond the band, then back
  EXPECT_TRUE(out_.empty());
}

TEST_F(LineCounterTest, TouchingTheLineAndLeavingCountsNothing) {
  Walk(1, {60, 80, 97, 99, 101, 97});
  End(1);  // the track ends while in the band
  Walk(2, {60, 80, 95, 80, 60});
  EXPECT_TRUE(out_.empty());
}

TEST_F(LineCounterTest, ATrackLostRightAfterCrossingStillCounts) {
  Walk(1, {70, 85, 95, 110});  // beyond the band for one frame, then the track is lost
  EXPECT_TRUE(out_.empty());
  End(1);
  ASSERT_EQ(out_.size(), 1u);
  EXPECT_TRUE(out_[0].in);
  EXPECT_EQ(out_[0].frame, 3);
}

TEST_F(LineCounterTest, EveryRealCrossingCountsInBothDirections) {
  Walk(1, {60, 80, 110, 120, 130, 120, 90, 80, 70, 90, 110, 125, 140});
  ASSERT_EQ(out_.size(), 3u);
  EXPECT_TRUE(out_[0].in);
  EXPECT_FALSE(out_[1].in);
  EXPECT_TRUE(out_[2].in);
}

TEST_F(LineCounterTest, PassingBeyondTheEndOfTheSegmentCountsNothing) {
  Walk(1, {60, 80, 110, 130, 150}, /*y=*/260);
  EXPECT_TRUE(out_.empty());
}

TEST_F(LineCounterTest, TentativeTracksAreNotCounted) {
  Walk(1, {60, 80, 110, 130, 150}, 100, /*confirmed=*/false);
  EXPECT_TRUE(out_.empty());
}

TEST_F(LineCounterTest, TwoPeopleCrossingTogetherCountTwice) {
  for (float x : {60.f, 80.f, 95.f, 110.f, 120.f, 130.f}) {
    Track a, b;
    a.id = 1;
    a.foot = {x, 90};
    b.id = 2;
    b.foot = {x + 3, 120};
    a.confirmed = b.confirmed = true;
    counter_.Update({a, b}, {}, frame_++, &out_);
  }
  ASSERT_EQ(out_.size(), 2u);
  EXPECT_NE(out_[0].track_id, out_[1].track_id);
}

// A track 60 px tall (the tallest it was: 60) at x, now `height` tall.
Track Body(int id, float x, float height) {
  Track t;
  t.id = id;
  t.foot = {x, 100};
  t.confirmed = true;
  t.width = 20;
  t.full_width = 20;
  t.height = height;
  t.full_height = 60;
  return t;
}

TEST_F(LineCounterTest, ATrackThatWasOnlyAPartOfABodyForAWhileForgetsItsSide) {
  // A person's track stands before the line, shrinks to a fragment (their head while they
  // fade into the background), hops across as one, and is whole again past the line: no one
  // was seen walking across.
  for (float x : {70.f, 75.f, 80.f}) counter_.Update({Body(1, x, 60)}, {}, frame_++, &out_);
  for (float x : {85.f, 95.f, 105.f, 115.f, 120.f}) {
    counter_.Update({Body(1, x, 15)}, {}, frame_++, &out_);
  }
  for (float x : {120.f, 125.f, 130.f}) counter_.Update({Body(1, x, 60)}, {}, frame_++, &out_);
  EXPECT_TRUE(out_.empty());
}

TEST_F(LineCounterTest, APersonWhoseLegsFadeForAFrameOrTwoStillCounts) {
  for (float x : {70.f, 80.f, 90.f}) counter_.Update({Body(1, x, 60)}, {}, frame_++, &out_);
  for (float x : {100.f, 108.f}) counter_.Update({Body(1, x, 15)}, {}, frame_++, &out_);
  for (float x : {116.f, 124.f, 132.f}) counter_.Update({Body(1, x, 60)}, {}, frame_++, &out_);
  ASSERT_EQ(out_.size(), 1u);
  EXPECT_TRUE(out_[0].in);
}

TEST(LineCounterGeometry, DiagonalLineUsesTheInVectorSide) {
  // Line from (0,0) to (100,100); in_dir (-1, 1) points below-left of it.
  LineCounter c({LineSpec{"diag", {0, 0}, {100, 100}, {-1, 1}}}, LineCounterOptions{});
  EXPECT_GT(c.SignedDistance(0, {20, 80}), 0);
  EXPECT_LT(c.SignedDistance(0, {80, 20}), 0);
}

}  // namespace
}  // namespace touchpoint::sensors
