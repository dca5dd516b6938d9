// FootfallService with a real event store and the real clip: events per interval, coverage
// when the camera dies and comes back, a camera that never opens, and a file that ends.
#include "touchpoint/sensors/footfall_service.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <map>

#include "http_file_server.h"
#include "test_support.h"
#include "touchpoint/core/event_json.h"
#include "touchpoint/sensors/footfall_eval.h"

namespace touchpoint::sensors {
namespace {

using touchpoint::testing::SharedDataPath;
using touchpoint::testing::TempDir;
using touchpoint::testing::WaitFor;

constexpr int64_t kT0 = 1798761600000;  // 2027-01-01T00:00:00Z

std::string ClipDir() { return SharedDataPath("footfall/pets09-s2l1-vtest"); }

// The real clip played as a live camera on a manual clock (100 ms per frame) that dies after
// `die_after` frames (-1: never), refuses `failed_opens` reconnects (each takes 10 s), then
// delivers the rest and ends. `steps` set the wall clock at given frames, as a kiosk without a
// battery-backed clock sees it (1970 unsynchronised, then NTP).
class FlakyClipCamera final : public FrameSource {
 public:
  struct ClockStep {
    int64_t at_frame, to_utc_ms;
    bool synced;
  };
  FlakyClipCamera(std::shared_ptr<ManualClock> clock, int64_t die_after, int failed_opens,
                  int64_t total, std::vector<ClockStep> steps = {})
      : clock_(std::move(clock)),
        clip_(MakeOpenCvSource(ClipDir() + "/vtest.avi", false)),
        die_after_(die_after),
        failed_opens_(failed_opens),
        total_(total),
        steps_(std::move(steps)) {}
  Status Open() override {
    if (died_ && failed_opens_ > 0) {
      --failed_opens_;
      clock_->AdvanceMs(10000);
      return Status::Unavailable("camera unplugged");
    }
    if (!opened_) {
      opened_ = true;
      return clip_->Open();
    }
    return Status::Ok();
  }
  ReadResult Read(Frame* frame) override {
    if (delivered_ == die_after_ && !died_) {
      died_ = true;
      return ReadResult::kFailed;
    }
    if (delivered_ >= total_) return ReadResult::kEnd;
    for (const ClockStep& s : steps_) {
      if (s.at_frame == delivered_) {
        clock_->SetUtcMs(s.to_utc_ms);
        clock_->SetSynced(s.synced);
      }
    }
    ReadResult r = clip_->Read(frame);
    if (r != ReadResult::kFrame) return r;
    ++delivered_;
    clock_->AdvanceMs(100);
    return r;
  }
  void Close() override {}
  bool live() const override { return true; }
  double fps() const override { return 10; }
  std::string description() const override { return "flaky clip camera"; }

 private:
  std::shared_ptr<ManualClock> clock_;
  std::unique_ptr<FrameSource> clip_;
  int64_t die_after_;
  int failed_opens_;
  int64_t total_;
  std::vector<ClockStep> steps_;
  int64_t delivered_ = 0;
  bool opened_ = false, died_ = false;
};

class FootfallServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
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
  }

  CameraConfig ClipConfig() {
    CameraConfig c;
    c.enabled = true;
    c.process_width = 384;
    c.interval_s = 10;
    c.retry_min_ms = 1;
    c.retry_max_ms = 4;
    auto clip = LoadExpectedClip(ClipDir() + "/expected.json");
    if (clip.ok()) c.lines = LinesOf(*clip);
    return c;
  }

  std::vector<Event> StoredEvents() {
    store_->Flush();
    auto reader = store_->NewReader();
    EXPECT_TRUE(reader.ok());
    auto rows = (*reader)->ReadPending(0, 100000, 64 << 20);
    EXPECT_TRUE(rows.ok());
    std::vector<Event> out;
    for (const StoredEvent& s : *rows) {
      auto e = DecodeEvent(s.json);
      EXPECT_TRUE(e.ok()) << e.status().message();
      if (e.ok()) out.push_back(*e);
    }
    return out;
  }

  static std::map<std::string, std::pair<int64_t, int64_t>> Totals(
      const std::vector<Event>& events) {
    std::map<std::string, std::pair<int64_t, int64_t>> t;
    for (const Event& e : events) {
      if (e.type() != EventType::kFootfall) continue;
      for (const LineCount& l : std::get<FootfallPayload>(e.payload).lines) {
        t[l.line].first += l.in;
        t[l.line].second += l.out;
      }
    }
    return t;
  }

  TempDir dir_;
  std::shared_ptr<ManualClock> clock_;
  std::unique_ptr<EventStore> store_;
  std::unique_ptr<EventStamper> stamper_;
};

TEST_F(FootfallServiceTest, ACameraThatDiesIsRetriedAndTheGapIsRecordedAsCoverage) {
  if (!std::filesystem::exists(ClipDir() + "/vtest.avi")) GTEST_SKIP() << "clip absent";
  FootfallServiceOptions options;
  // Dies at t0 + 20 s, comes back at t0 + 50 s, ends at t0 + 70 s.
  options.source = std::make_unique<FlakyClipCamera>(clock_, 200, 3, 400);
  FootfallService service(ClipConfig(), store_.get(), stamper_.get(), std::move(options));
  ASSERT_TRUE(service.Start().ok());
  ASSERT_TRUE(WaitFor([&] { return service.Health().state == "ended"; }, std::chrono::seconds(60)));
  service.Stop();
  EXPECT_EQ(service.Health().state, "off");
  EXPECT_EQ(service.events_stored(), service.events_submitted());

  std::vector<Event> events = StoredEvents();
  int64_t failed_ms = 0, coverage_events = 0;
  std::set<int64_t> counted_intervals;
  for (const Event& e : events) {
    if (e.type() == EventType::kCoverage) {
      const auto& c = std::get<CoveragePayload>(e.payload);
      ++coverage_events;
      EXPECT_EQ(c.source, "camera");
      EXPECT_LT(c.start_ms, c.end_ms);
      // Split at interval boundaries: each span lies within one 10 s interval.
      EXPECT_EQ(c.start_ms / 10000, (c.end_ms - 1) / 10000) << c.start_ms << ".." << c.end_ms;
      if (c.reason == "camera_read_failed") {
        failed_ms += c.end_ms - c.start_ms;
        EXPECT_GE(c.start_ms, kT0 + 20000);
        EXPECT_LE(c.end_ms, kT0 + 50100);
      }
    } else if (e.type() == EventType::kFootfall) {
      const auto& f = std::get<FootfallPayload>(e.payload);
      EXPECT_EQ(f.interval_s, 10);
      EXPECT_EQ(f.interval_start_ms % 10000, 0);
      EXPECT_TRUE(counted_intervals.insert(f.interval_start_ms).second) << "one per interval";
      EXPECT_EQ(e.time_ms, f.interval_start_ms);
      EXPECT_LE(f.occupancy_min, f.occupancy_max);
      EXPECT_EQ(f.lines.size(), 2u);
    }
  }
  EXPECT_EQ(failed_ms, 30100);  // from the failure until the first frame after reconnecting
  EXPECT_EQ(counted_intervals.count(kT0 + 30000), 0u) << "nothing counted while dead";
  EXPECT_EQ(counted_intervals.count(kT0 + 40000), 0u);
  EXPECT_GE(counted_intervals.size(), 5u);
  EXPECT_EQ(service.Health().coverage_gaps, coverage_events);
  // Every count in the events is in the health totals, and people were counted.
  auto totals = Totals(events);
  int64_t all = 0;
  for (const auto& [line, in_out] : service.Health().today_by_line) {
    EXPECT_EQ(totals[line], in_out) << line;
    all += in_out.first + in_out.second;
  }
  EXPECT_GT(all, 10);
}

TEST_F(FootfallServiceTest, AFileCountsTheSameAsTheEvaluationOnMediaTime) {
  if (!std::filesystem::exists(ClipDir() + "/vtest.avi")) GTEST_SKIP() << "clip absent";
  CameraConfig config = ClipConfig();
  config.source = ClipDir() + "/vtest.avi";
  config.realtime = false;  // as fast as possible, intervals on media time
  FootfallService service(config, store_.get(), stamper_.get());
  ASSERT_TRUE(service.Start().ok());
  ASSERT_TRUE(WaitFor([&] { return service.Health().state == "ended"; }, std::chrono::seconds(60)));
  // No calibration configured: the person size was learned from the people walking by
  // (PETS: ~20-200 px tall in the 576-row source, taller towards the bottom).
  const CameraHealth health = service.Health();
  EXPECT_EQ(health.person_size, "learned");
  EXPECT_GT(health.person_height_bottom_px, health.person_height_top_px);
  EXPECT_GT(health.person_height_bottom_px, 100);
  EXPECT_LT(health.person_height_bottom_px, 300);
  service.Stop();

  std::vector<Event> events = StoredEvents();
  int64_t footfall = 0;
  for (const Event& e : events) footfall += e.type() == EventType::kFootfall;
  EXPECT_EQ(footfall, 8);  // 79.4 s of video in 10 s intervals

  auto run = RunOnVideo(config.source, config);
  ASSERT_TRUE(run.ok());
  std::map<std::string, std::pair<int64_t, int64_t>> expected;
  for (const CountedCrossing& c : run->crossings) {
    (c.in ? expected[c.line].first : expected[c.line].second) += 1;
  }
  EXPECT_EQ(Totals(events), expected);
}

TEST_F(FootfallServiceTest, TheDemoLoopIsPacedToTheFileRateAndCountsRise) {
  if (!std::filesystem::exists(ClipDir() + "/vtest.avi")) GTEST_SKIP() << "clip absent";
  CameraConfig config = ClipConfig();
  config.source = ClipDir() + "/vtest.avi";
  config.loop = true;
  config.realtime = true;  // the demo: 10 fps, as a camera would deliver
  FootfallServiceOptions options;
  options.keep_preview = true;
  FootfallService service(config, store_.get(), stamper_.get(), std::move(options));
  ASSERT_TRUE(service.Start().ok());
  auto counted = [&] {
    int64_t n = 0;
    for (const auto& [line, in_out] : service.Health().today_by_line) {
      n += in_out.first + in_out.second;
    }
    return n;
  };
  // The first crossings of the clip happen at 1.1 s and 1.3 s of video.
  ASSERT_TRUE(WaitFor([&] { return counted() >= 2; }, std::chrono::seconds(20)));
  ASSERT_TRUE(WaitFor([&] { return service.Health().fps > 0; }, std::chrono::seconds(5)));
  CameraHealth h = service.Health();
  EXPECT_EQ(h.state, "ok");
  EXPECT_LT(h.fps, 12.5) << "paced to the file's 10 fps";
  ASSERT_TRUE(h.last_frame_ms.has_value());
  cv::Mat preview;
  EXPECT_TRUE(service.Preview(&preview));
  EXPECT_EQ(preview.cols, 384);
  service.Stop();
  EXPECT_EQ(service.Health().state, "off");
}

// The installer's setup view (issue 10): drawn only while a setup screen wants it, and never the
// picture: edges of a blurred frame in one grey on black, plus the overlay's few colours. A
// camera frame has tens of thousands of colours; a face in it leaves nothing recognisable.
TEST_F(FootfallServiceTest, TheSetupViewIsEdgesOnlyAndExistsOnlyWhileWanted) {
  if (!std::filesystem::exists(ClipDir() + "/vtest.avi")) GTEST_SKIP() << "clip absent";
  CameraConfig config = ClipConfig();
  config.source = ClipDir() + "/vtest.avi";
  config.loop = true;
  config.realtime = true;
  FootfallService service(config, store_.get(), stamper_.get());
  ASSERT_TRUE(service.Start().ok());
  ASSERT_TRUE(WaitFor([&] { return service.Health().state == "ok"; }, std::chrono::seconds(20)));
  CameraSetupView view;
  EXPECT_FALSE(service.SetupView(&view)) << "drawn although no setup screen is open";
  EXPECT_EQ(view.camera.state, "ok");

  service.SetPreviewWanted(true);
  // Wait for a view with people tracked in it (the clip has some from its first seconds).
  ASSERT_TRUE(WaitFor([&] { return service.SetupView(&view) && service.Health().occupancy > 0; },
                      std::chrono::seconds(20)));
  ASSERT_TRUE(service.SetupView(&view));
  ASSERT_EQ(view.width, 384);
  ASSERT_EQ(view.height, 288);
  ASSERT_EQ(view.rgba.size(), static_cast<size_t>(384 * 288 * 4));
  std::map<uint32_t, int64_t> colours;
  int64_t translucent = 0;
  for (size_t i = 0; i < view.rgba.size(); i += 4) {
    ++colours[view.rgba[i] | view.rgba[i + 1] << 8 | view.rgba[i + 2] << 16];
    translucent += view.rgba[i + 3] != 255;
  }
  EXPECT_EQ(translucent, 0);
  EXPECT_LE(colours.size(), 12u) << "more colours than edges and overlay: a picture shows";
  const int64_t pixels = 384 * 288;
  EXPECT_GT(colours[0], pixels / 2) << "mostly black";
  EXPECT_GT(colours[110 | 110 << 8 | 110 << 16], pixels / 100) << "the scene's edges show";
  const uint32_t kTrackGreen = 80 | 220 << 8 | 80 << 16;  // BGR (80, 220, 80) as RGB
  EXPECT_GT(colours[kTrackGreen], 0) << "a confirmed track's box is drawn";

  service.SetPreviewWanted(false);
  EXPECT_FALSE(service.SetupView(&view)) << "the view outlived the setup screen";
  service.Stop();
}

TEST_F(FootfallServiceTest, ACameraThatNeverOpensIsRetryingAndCoveredUntilStop) {
  CameraConfig config;
  config.enabled = true;
  config.source = "/dev/video-touchpoint-missing";
  config.retry_min_ms = 1;
  config.retry_max_ms = 20;
  config.lines = {CountingLine{"door", 0.5, 0, 0.5, 1, true, 1, 0}};
  FootfallService service(config, store_.get(), stamper_.get());
  ASSERT_TRUE(service.Start().ok());
  ASSERT_TRUE(WaitFor([&] { return service.Health().state == "retrying"; }));
  EXPECT_FALSE(service.Health().last_error.empty());
  clock_->AdvanceMs(5000);
  service.Stop();
  std::vector<Event> events = StoredEvents();
  ASSERT_EQ(events.size(), 1u);
  ASSERT_EQ(events[0].type(), EventType::kCoverage);
  const auto& c = std::get<CoveragePayload>(events[0].payload);
  EXPECT_EQ(c.reason, "camera_open_failed");
  EXPECT_EQ(c.start_ms, kT0);
  EXPECT_EQ(c.end_ms, kT0 + 5000);
}

// A network camera whose connection drops part-way, every time: the service notices, records
// the gap as coverage, reconnects, and keeps counting. Real time, real HTTP on loopback.
TEST_F(FootfallServiceTest, ANetworkStreamThatDropsIsReconnectedAndTheGapsAreCovered) {
  if (!std::filesystem::exists(ClipDir() + "/vtest.avi")) GTEST_SKIP() << "clip absent";
  // About 20 s of the clip per connection: enough for its first crossings (1.1 s, 1.3 s).
  touchpoint::testing::HttpFileServer server(
      ClipDir() + "/vtest.avi", {touchpoint::testing::HttpFileServer::Fault::kDrop, 2000000});
  CameraConfig config = ClipConfig();
  config.source = server.url();
  config.stream_timeout_ms = 2000;
  KioskConfig kiosk;
  kiosk.kiosk_id = "k1";
  kiosk.store_id = "s1";
  EventStamper real_time(kiosk, SystemClock());
  FootfallService service(config, store_.get(), &real_time);
  ASSERT_TRUE(service.Start().ok());
  ASSERT_TRUE(WaitFor([&] { return server.connections() >= 3; }, std::chrono::seconds(60)));
  ASSERT_TRUE(WaitFor([&] { return service.Health().state == "ok"; }, std::chrono::seconds(20)));
  service.Stop();
  EXPECT_EQ(service.events_stored(), service.events_submitted());

  int64_t read_failed = 0, footfall = 0;
  for (const Event& e : StoredEvents()) {
    if (e.type() == EventType::kCoverage) {
      const auto& c = std::get<CoveragePayload>(e.payload);
      EXPECT_EQ(c.source, "camera");
      read_failed += c.reason == "camera_read_failed";
    }
    footfall += e.type() == EventType::kFootfall;
  }
  // Each drop is a gap from the failure to the first frame after reconnecting; a gap that
  // crosses an interval boundary is split, so there may be more spans than drops.
  EXPECT_GE(read_failed, 2);
  EXPECT_GE(footfall, 1);
  int64_t counted = 0;
  for (const auto& [line, in_out] : service.Health().today_by_line) {
    counted += in_out.first + in_out.second;
  }
  EXPECT_GE(counted, 3 * 2) << "each connection shows the clip's first crossings again";
}

TEST_F(FootfallServiceTest, ABadLineIsRefusedAtStart) {
  CameraConfig config;
  config.source = "/dev/video-touchpoint-missing";
  config.lines = {CountingLine{"dot", 0.5, 0.5, 0.5, 0.5, true, 1, 0}};
  FootfallService service(config, store_.get(), stamper_.get());
  Status s = service.Start();
  EXPECT_EQ(s.code(), Status::Code::kInvalidArgument);
  EXPECT_NE(s.message().find("dot"), std::string::npos);
}

TEST_F(FootfallServiceTest, AClockAt1970ThatNtpStepsForwardThenBackKeepsCountingInOrder) {
  if (!std::filesystem::exists(ClipDir() + "/vtest.avi")) GTEST_SKIP() << "clip absent";
  const int64_t boot = 3600'000;             // 1970-01-01T01:00Z: no RTC
  const int64_t synced = kT0;                // NTP: 2027-01-01T00:00Z
  const int64_t corrected = kT0 - 7200'000;  // then stepped back two hours
  clock_->SetUtcMs(boot);
  clock_->SetSynced(false);
  FootfallServiceOptions options;
  options.source = std::make_unique<FlakyClipCamera>(
      clock_, /*die_after=*/-1, /*failed_opens=*/0, /*total=*/750,
      std::vector<FlakyClipCamera::ClockStep>{{250, synced, true}, {500, corrected, true}});
  FootfallService service(ClipConfig(), store_.get(), stamper_.get(), std::move(options));
  ASSERT_TRUE(service.Start().ok());
  ASSERT_TRUE(WaitFor([&] { return service.Health().state == "ended"; }, std::chrono::seconds(60)));
  service.Stop();
  EXPECT_EQ(service.events_stored(), service.events_submitted());

  std::vector<Event> events = StoredEvents();
  // A 57-year jump is one coverage span, not millions of intervals.
  EXPECT_LT(events.size(), 60u);
  uint64_t last_seq = 0;
  int unsynced = 0, at_synced = 0, at_corrected = 0;
  for (const Event& e : events) {
    EXPECT_GT(e.seq, last_seq) << "stored order is seq order";
    last_seq = e.seq;
    if (e.type() != EventType::kFootfall) continue;
    const auto& f = std::get<FootfallPayload>(e.payload);
    if (f.interval_start_ms < synced - 86400'000LL * 365) {
      ++unsynced;
      EXPECT_FALSE(e.clock_synced) << "an interval counted before NTP is flagged unsynced";
    } else if (f.interval_start_ms >= synced) {
      ++at_synced;
    } else if (f.interval_start_ms >= corrected && f.interval_start_ms < corrected + 60'000) {
      ++at_corrected;
      EXPECT_TRUE(e.clock_synced);
    }
  }
  EXPECT_GT(unsynced, 0) << "nothing counted while the clock was at 1970";
  EXPECT_GT(at_synced, 0) << "nothing counted after NTP set the clock";
  // After the backward step the counts go out in the corrected time at once, not held until the
  // clock catches up two hours later.
  EXPECT_GT(at_corrected, 0) << "nothing counted in the corrected time";
  // Every count is in some event.
  auto totals = Totals(events);
  for (const auto& [line, in_out] : service.Health().today_by_line) {
    EXPECT_EQ(totals[line], in_out) << line;
  }
}

}  // namespace
}  // namespace touchpoint::sensors
