// FootfallService with zones on the real clip: footfall events carry every configured zone's
// visits and dwell (schema v2), and CrowdContext() gives a rating's context while counting.
#include <gtest/gtest.h>

#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <mutex>

#include "test_support.h"
#include "touchpoint/core/event_json.h"
#include "touchpoint/sensors/footfall_eval.h"
#include "touchpoint/sensors/footfall_service.h"

namespace touchpoint::sensors {
namespace {

using touchpoint::testing::SharedDataPath;
using touchpoint::testing::TempDir;
using touchpoint::testing::WaitFor;

constexpr int64_t kT0 = 1798761600000;  // 2027-01-01T00:00:00Z

std::string ClipDir() { return SharedDataPath("footfall/pets09-s2l1-vtest"); }

// The clip as a file on media time that holds still after `pause_at` frames until Release().
class PausingClip final : public FrameSource {
 public:
  explicit PausingClip(int64_t pause_at)
      : clip_(MakeOpenCvSource(ClipDir() + "/vtest.avi", false)), pause_at_(pause_at) {}
  Status Open() override { return clip_->Open(); }
  ReadResult Read(Frame* frame) override {
    if (delivered_ == pause_at_) {
      std::unique_lock<std::mutex> lock(mu_);
      paused_ = true;
      cv_.notify_all();
      cv_.wait_for(lock, std::chrono::seconds(60), [this] { return released_; });
      return ReadResult::kEnd;
    }
    ++delivered_;
    return clip_->Read(frame);
  }
  void Close() override {}
  bool live() const override { return false; }
  double fps() const override { return 10; }
  std::string description() const override { return "pausing clip"; }

  bool WaitPaused() {
    std::unique_lock<std::mutex> lock(mu_);
    return cv_.wait_for(lock, std::chrono::seconds(60), [this] { return paused_; });
  }
  void Release() {
    std::lock_guard<std::mutex> lock(mu_);
    released_ = true;
    cv_.notify_all();
  }

 private:
  std::unique_ptr<FrameSource> clip_;
  int64_t pause_at_, delivered_ = 0;
  std::mutex mu_;
  std::condition_variable cv_;
  bool paused_ = false, released_ = false;
};

class FootfallZonesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!std::filesystem::exists(ClipDir() + "/vtest.avi")) GTEST_SKIP() << "clip absent";
    clock_ = std::make_shared<ManualClock>(kT0);
    EventStoreOptions o;
    o.path = dir_.File("events.db");
    o.clock = clock_;
    auto store = EventStore::Open(o);
    ASSERT_TRUE(store.ok()) << store.status().message();
    store_ = std::move(store).value();
    KioskConfig kiosk;
    kiosk.kiosk_id = "k1";
    kiosk.store_id = "s1";
    stamper_ = std::make_unique<EventStamper>(kiosk, clock_);
    config_.enabled = true;
    config_.source = ClipDir() + "/vtest.avi";
    config_.realtime = false;
    config_.process_width = 384;
    config_.interval_s = 10;
    auto clip = LoadExpectedClip(ClipDir() + "/expected.json");
    ASSERT_TRUE(clip.ok());
    config_.lines = LinesOf(*clip);
  }

  std::vector<Event> StoredEvents() {
    store_->Flush();
    auto reader = store_->NewReader();
    EXPECT_TRUE(reader.ok());
    auto rows = (*reader)->ReadPending(0, 100000, 64 << 20);
    EXPECT_TRUE(rows.ok());
    std::vector<Event> out;
    for (const StoredEvent& s : *rows) {
      auto e = DecodeEvent(s.json);  // strict: every zone's figures are consistent
      EXPECT_TRUE(e.ok()) << e.status().message();
      if (e.ok()) out.push_back(*e);
    }
    return out;
  }

  static FootfallConfig Zones(bool kiosk_zone) {
    FootfallConfig f;
    f.zones = {{"all", {{0, 0}, {1, 0}, {1, 1}, {0, 1}}},
               {"left", {{0, 0}, {0.5, 0}, {0.5, 1}, {0, 1}}},
               {"nowhere", {{0.98, 0.0}, {1, 0.0}, {1, 0.02}}}};
    if (kiosk_zone) f.kiosk_zone = {"kiosk", {{0, 0}, {1, 0}, {1, 1}, {0, 1}}};
    return f;
  }

  TempDir dir_;
  std::shared_ptr<ManualClock> clock_;
  std::unique_ptr<EventStore> store_;
  std::unique_ptr<EventStamper> stamper_;
  CameraConfig config_;
};

TEST_F(FootfallZonesTest, FootfallEventsCarryEveryZonesDwell) {
  FootfallServiceOptions o;
  o.footfall = Zones(false);
  FootfallService service(config_, store_.get(), stamper_.get(), std::move(o));
  ASSERT_TRUE(service.Start().ok());
  ASSERT_TRUE(WaitFor([&] { return service.Health().state == "ended"; }, std::chrono::seconds(60)));
  service.Stop();
  int64_t footfall = 0, visits_all = 0, visits_left = 0, visits_nowhere = 0, max_all = 0;
  double dwell_sum_all = 0;
  for (const Event& e : StoredEvents()) {
    if (e.type() != EventType::kFootfall) continue;
    ++footfall;
    EXPECT_EQ(e.schema_version, 2);
    const auto& p = std::get<FootfallPayload>(e.payload);
    ASSERT_EQ(p.zones.size(), 3u) << "every configured zone, in config order, no kiosk zone";
    EXPECT_EQ(p.zones[0].id, "all");
    EXPECT_EQ(p.zones[2].id, "nowhere");
    visits_all += p.zones[0].visits;
    visits_left += p.zones[1].visits;
    visits_nowhere += p.zones[2].visits;
    max_all = std::max(max_all, p.zones[0].occupancy_max);
    dwell_sum_all += p.zones[0].dwell_mean_s.value_or(0) * p.zones[0].dwell_n;
    // The whole frame holds everyone in view.
    EXPECT_LE(p.zones[0].occupancy_max, p.occupancy_max + 0) << "interval " << footfall;
  }
  EXPECT_EQ(footfall, 8);
  // PETS: a few dozen people cross the walkway, each seconds in view.
  EXPECT_GT(visits_all, 10);
  EXPECT_GT(visits_left, 0);
  EXPECT_LT(visits_left, visits_all + 1);
  EXPECT_EQ(visits_nowhere, 0);
  EXPECT_GE(max_all, 3);
  EXPECT_GT(dwell_sum_all / static_cast<double>(visits_all), 1.0);
}

TEST_F(FootfallZonesTest, CrowdContextWhileCounting) {
  auto source = std::make_unique<PausingClip>(300);
  PausingClip* clip = source.get();
  FootfallServiceOptions o;
  o.source = std::move(source);
  o.footfall = Zones(true);
  FootfallService service(config_, store_.get(), stamper_.get(), std::move(o));
  EXPECT_FALSE(service.CrowdContext()) << "not counting yet";
  ASSERT_TRUE(service.Start().ok());
  ASSERT_TRUE(clip->WaitPaused());
  std::optional<FeedbackContext> c = service.CrowdContext();
  ASSERT_TRUE(c);
  const CameraHealth h = service.Health();
  int64_t ins = 0;
  for (const auto& [line, counts] : h.today_by_line) ins += counts.first;
  EXPECT_EQ(c->occupancy_at_start, h.occupancy);
  EXPECT_EQ(c->visitors_in_15min, ins) << "30 s of video: every entry is within 15 min";
  EXPECT_GT(ins, 0);
  ASSERT_TRUE(c->people_at_kiosk) << "a kiosk zone is configured";
  EXPECT_EQ(*c->people_at_kiosk, h.occupancy) << "the kiosk zone is the whole frame here";
  clip->Release();
  ASSERT_TRUE(WaitFor([&] { return service.Health().state == "ended"; }, std::chrono::seconds(60)));
  EXPECT_FALSE(service.CrowdContext()) << "a camera that ended gives no context";
  service.Stop();
}

TEST_F(FootfallZonesTest, WithoutAKioskZoneThereIsNoPeopleAtKiosk) {
  auto source = std::make_unique<PausingClip>(50);
  PausingClip* clip = source.get();
  FootfallServiceOptions o;
  o.source = std::move(source);
  o.footfall = Zones(false);
  FootfallService service(config_, store_.get(), stamper_.get(), std::move(o));
  ASSERT_TRUE(service.Start().ok());
  ASSERT_TRUE(clip->WaitPaused());
  std::optional<FeedbackContext> c = service.CrowdContext();
  ASSERT_TRUE(c);
  EXPECT_FALSE(c->people_at_kiosk);
  clip->Release();
  service.Stop();
}

}  // namespace
}  // namespace touchpoint::sensors

namespace touchpoint::sensors {
namespace {

// The evaluator's dwell in view against the ground truth's presence intervals (the CAVIAR
// clips have them): the person-seconds in view are measured within a third.
TEST(FootfallDwellEval, DwellInViewIsNearThePresenceIntervals) {
  struct Clip {
    const char* dir;
    const char* video;
  };
  int scored = 0;
  double off_s = 0, true_s = 0;
  for (const Clip& c :
       {Clip{"caviar-two-leave-shop", "caviar_TwoLeaveShop2front.mpg"},
        Clip{"caviar-enter-exit-crossing", "caviar_EnterExitCrossingPaths1front.mpg"}}) {
    const std::string dir = SharedDataPath(std::string("footfall/") + c.dir);
    if (!std::filesystem::exists(dir + "/" + c.video)) continue;
    auto clip = LoadExpectedClip(dir + "/expected.json");
    ASSERT_TRUE(clip.ok()) << clip.status().message();
    ASSERT_FALSE(clip->presence_intervals.empty()) << c.dir;
    CameraConfig config;
    config.process_width = 384;
    config.lines = LinesOf(*clip);
    auto run = RunOnVideo(dir + "/" + c.video, config);
    ASSERT_TRUE(run.ok()) << run.status().message();
    DwellScore d = ScoreDwell(*clip, *run);
    ASSERT_TRUE(d.has_truth);
    EXPECT_GT(d.expected_s, 10.0) << c.dir;
    EXPECT_LT(d.error_pct, 35.0) << c.dir << ": " << d.counted_s << " s counted, " << d.expected_s
                                 << " s true";
    off_s += std::abs(d.counted_s - d.expected_s);
    true_s += d.expected_s;
    ++scored;
  }
  if (scored == 0) GTEST_SKIP() << "CAVIAR clips absent";
  // Over both (footfall_dwell_error_pct): 27.8 % while fragment tracks added their time, 25.2 %
  // since dwell takes only whole people, one per body (branch footsyn).
  if (scored == 2) {
    EXPECT_LT(100.0 * off_s / true_s, 26.5);
  }
}

TEST(FootfallDwellEval, ABadPresenceIntervalIsRefusedWithWhere) {
  TempDir dir;
  const std::string path = dir.File("expected.json");
  std::ofstream(path) << R"({"lines": [], "presence_intervals": [[5, 2]]})";
  auto clip = LoadExpectedClip(path);
  ASSERT_FALSE(clip.ok());
  EXPECT_NE(clip.status().message().find("presence_intervals: [5, 2] is not a [first, last]"),
            std::string::npos)
      << clip.status().message();
}

}  // namespace
}  // namespace touchpoint::sensors
