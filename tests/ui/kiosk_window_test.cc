// The kiosk window for real: RunKioskUi on this (main) thread under a private Xvfb, driven from a
// second thread with SDL touch events pushed into the window's queue; results are read back from
// the real event store.
#include <SDL.h>
#include <dirent.h>
#include <gtest/gtest.h>
#include <stb_image.h>
#include <sys/stat.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <set>
#include <thread>

#include "attract_wave.h"
#include "sdl_window.h"
#include "test_support.h"
#include "touchpoint/core/event_json.h"
#include "touchpoint/ui/demo_data.h"
#include "touchpoint/ui/kiosk_ui.h"
#include "touchpoint/ui/manager_pin.h"
#include "touchpoint/ui/ui_probe.h"
#include "xvfb.h"

namespace touchpoint::ui {
namespace {

using touchpoint::testing::TempDir;
using touchpoint::testing::WaitFor;
using touchpoint::testing::Xvfb;
using namespace std::chrono_literals;

SurveyDefinition TestSurvey() {
  SurveyDefinition s = DefaultSurvey();  // overall (csat), reasons (tags), recommend (nps)
  s.languages = {"en", "de"};
  auto add_de = [](Translations& t) { t["de"] = "DE " + t["en"]; };
  add_de(s.title);
  add_de(s.thank_you);
  Question effort;
  effort.id = "effort";
  effort.type = QuestionType::kEffort;
  effort.prompt = {{"en", "How easy was it to find what you needed?"}};
  s.questions.push_back(effort);
  for (Question& q : s.questions) {
    add_de(q.prompt);
    for (ReasonTag& t : q.tags) add_de(t.label);
    if (!q.low_label.empty()) add_de(q.low_label);
    if (!q.high_label.empty()) add_de(q.high_label);
  }
  return s;
}

// Sets the UI's stop flag however the driver thread leaves, so a failing driver ends the test
// instead of leaving the window running until ctest's timeout.
struct StopOnExit {
  std::atomic<bool>& stop;
  ~StopOnExit() { stop = true; }
};

class KioskWindowTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    xvfb_ = new Xvfb("1080x1920x24");
    if (xvfb_->ok()) ::setenv("DISPLAY", xvfb_->display().c_str(), 1);
    ::setenv("LIBGL_ALWAYS_SOFTWARE", "1", 1);
  }
  static void TearDownTestSuite() {
    delete xvfb_;
    xvfb_ = nullptr;
  }

  void SetUp() override {
    ASSERT_TRUE(xvfb_->ok()) << "could not start Xvfb";
    kiosk_.kiosk_id = "kiosk-test";
    kiosk_.store_id = "store-test";
    kiosk_.data_dir = dir_.path();
    ui_.fullscreen = false;
    // The OpenGL path, as on a kiosk with a GPU (Xvfb has none, so "auto" would choose SDL's
    // software renderer; its own tests below).
    ui_.renderer = "opengl";
    ui_.width = 540;
    ui_.height = 960;
    ui_.idle_timeout_s = 30;
    ui_.thank_you_s = 1;
    ui_.long_press_ms = 300;
    ui_.dashboard_refresh_s = 1;
    ui_.export_roots = {};
    EventStoreOptions o;
    o.path = dir_.File("events.db");
    auto s = EventStore::Open(o);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    store_ = std::move(s.value());
    stamper_ = std::make_unique<EventStamper>(kiosk_, SystemClock());
    slot_ = std::make_unique<SurveySlot>(TestSurvey());
  }

  UiContext Context() {
    UiContext c;
    c.ui = &ui_;
    c.kiosk = &kiosk_;
    c.store = store_.get();
    c.stamper = stamper_.get();
    c.survey = slot_.get();
    c.config_version = "cfg-test";
    c.software_version = "0.0-test";
    c.windowed = true;
    return c;
  }

  // Runs the kiosk on this thread while `driver` runs on another; stops it when the driver is
  // done. Returns RunKioskUi's result.
  int RunWithDriver(const std::function<void(UiProbe&)>& driver, UiContext c) {
    std::atomic<bool> stop{false};
    UiProbe probe;
    c.probe = &probe;
    c.stop = &stop;
    std::thread t([&] {
      StopOnExit guard{stop};  // a failed ASSERT in the driver returns early
      driver(probe);
    });
    int rc = RunKioskUi(c);
    stop = true;
    t.join();
    return rc;
  }

  std::vector<Event> Stored(EventType type) {
    auto reader = store_->NewReader();
    std::vector<Event> out;
    if (!reader.ok()) return out;
    auto rows = (*reader)->ReadByTime(type, 0, INT64_MAX / 2);
    if (!rows.ok()) return out;
    for (const auto& r : *rows) {
      auto e = DecodeEvent(r.json);
      if (e.ok()) out.push_back(*e);
    }
    return out;
  }

  // The one stored feedback event answered overall, recommend, effort and, last, the comment.
  void ExpectStoredComment(const std::string& language, const std::string& text) {
    std::vector<Event> fb = Stored(EventType::kFeedback);
    ASSERT_EQ(fb.size(), 1u);
    const auto& p = std::get<FeedbackPayload>(fb[0].payload);
    EXPECT_EQ(p.language, language);
    ASSERT_EQ(p.answers.size(), 4u) << "overall, recommend, effort, comment";
    const Answer& comment = p.answers.back();
    EXPECT_EQ(comment.question_id, "comment");
    EXPECT_EQ(comment.type, QuestionType::kText);
    EXPECT_EQ(comment.text, text);
  }

  static Xvfb* xvfb_;
  TempDir dir_;
  KioskConfig kiosk_;
  UiConfig ui_;
  std::unique_ptr<EventStore> store_;
  std::unique_ptr<EventStamper> stamper_;
  std::unique_ptr<SurveySlot> slot_;
};

Xvfb* KioskWindowTest::xvfb_ = nullptr;

// Taps a target once it is on screen.
void TapWhenShown(UiProbe& p, const std::string& target) {
  ASSERT_TRUE(p.WaitForTarget(target)) << target << " never appeared on " << p.screen();
  ASSERT_TRUE(p.Tap(target));
}

TEST_F(KioskWindowTest, ScriptedSessionStoresOneFeedbackEventWithAllAnswers) {
  int rc = RunWithDriver(
      [&](UiProbe& p) {
        ASSERT_TRUE(p.WaitForScreen("attract"));
        TapWhenShown(p, "lang:de");
        ASSERT_TRUE(p.WaitFrames(3));
        TapWhenShown(p, "start");
        TapWhenShown(p, "question:overall");
        TapWhenShown(p, "score:4");
        ASSERT_TRUE(p.WaitForTarget("question:reasons"));
        TapWhenShown(p, "tag:staff");
        TapWhenShown(p, "tag:queue");
        TapWhenShown(p, "next");
        ASSERT_TRUE(p.WaitForTarget("question:recommend"));
        TapWhenShown(p, "back");  // change of mind: back to the reasons, which are kept
        ASSERT_TRUE(p.WaitForTarget("question:reasons"));
        TapWhenShown(p, "next");
        ASSERT_TRUE(p.WaitForTarget("question:recommend"));
        TapWhenShown(p, "score:9");
        ASSERT_TRUE(p.WaitForTarget("question:effort"));
        TapWhenShown(p, "score:6");
        ASSERT_TRUE(p.WaitForScreen("thank_you"));
        ASSERT_TRUE(WaitFor([&] { return p.tap_to_durable_ms().size() == 1; }));
        // A second session right away is kept but flagged.
        ASSERT_TRUE(p.WaitForScreen("attract"));
        TapWhenShown(p, "start");
        TapWhenShown(p, "question:overall");
        TapWhenShown(p, "score:1");
        ASSERT_TRUE(p.WaitForTarget("question:reasons"));
        TapWhenShown(p, "next");
        ASSERT_TRUE(p.WaitForTarget("question:recommend"));
        TapWhenShown(p, "score:0");
        ASSERT_TRUE(p.WaitForTarget("question:effort"));
        TapWhenShown(p, "score:1");
        ASSERT_TRUE(WaitFor([&] { return p.tap_to_durable_ms().size() == 2; }));
      },
      Context());
  EXPECT_EQ(rc, 0);

  std::vector<Event> fb = Stored(EventType::kFeedback);
  ASSERT_EQ(fb.size(), 2u);
  const auto& first = std::get<FeedbackPayload>(fb[0].payload);
  EXPECT_EQ(fb[0].kiosk_id, "kiosk-test");
  EXPECT_EQ(first.language, "de");
  EXPECT_GT(first.duration_ms, 0);
  ASSERT_EQ(first.answers.size(), 4u);
  EXPECT_EQ(first.answers[0].question_id, "overall");
  EXPECT_EQ(first.answers[0].score, 4);
  EXPECT_EQ(first.answers[1].tags, (std::vector<std::string>{"staff", "queue"}));
  EXPECT_EQ(first.answers[2].score, 9);
  EXPECT_EQ(first.answers[3].type, QuestionType::kEffort);
  EXPECT_EQ(first.answers[3].score, 6);
  // A robot answers four questions faster than any shopper: flagged, not dropped.
  if (first.suspect) {
    EXPECT_EQ(first.suspect_reason.rfind("too_fast", 0), 0u);
  }

  const auto& second = std::get<FeedbackPayload>(fb[1].payload);
  EXPECT_EQ(second.language, "en") << "the language returns to the default after a session";
  EXPECT_TRUE(second.suspect);
  EXPECT_EQ(second.suspect_reason.rfind("rapid_repeat", 0), 0u) << second.suspect_reason;
  EXPECT_EQ(second.answers.size(), 3u) << "the optional reasons were skipped";
  EXPECT_TRUE(Stored(EventType::kFeedbackAbandoned).empty());
}

// Each rating carries the crowd when its session started; with a kiosk zone, a session during
// which the camera saw nobody at the kiosk is flagged (camera-checked anti-spam).
TEST_F(KioskWindowTest, RatingsCarryTheCrowdAndNobodyAtTheKioskIsFlagged) {
  std::atomic<int64_t> at_kiosk{0};
  std::atomic<int> calls{0};
  UiContext c = Context();
  c.require_person_at_kiosk = true;
  c.crowd_context = [&]() -> std::optional<FeedbackContext> {
    ++calls;
    return FeedbackContext{5, 17, at_kiosk.load()};
  };
  auto answer_all = [&](UiProbe& p) {
    TapWhenShown(p, "start");
    TapWhenShown(p, "question:overall");
    TapWhenShown(p, "score:4");
    ASSERT_TRUE(p.WaitForTarget("question:reasons"));
    TapWhenShown(p, "next");
    ASSERT_TRUE(p.WaitForTarget("question:recommend"));
    TapWhenShown(p, "score:9");
    ASSERT_TRUE(p.WaitForTarget("question:effort"));
    TapWhenShown(p, "score:6");
  };
  int rc = RunWithDriver(
      [&](UiProbe& p) {
        ASSERT_TRUE(p.WaitForScreen("attract"));
        answer_all(p);  // nobody in front of the screen the whole time
        ASSERT_TRUE(WaitFor([&] { return p.tap_to_durable_ms().size() == 1; }));
        ASSERT_TRUE(p.WaitForScreen("attract"));
        at_kiosk = 1;  // someone stands at the kiosk
        answer_all(p);
        ASSERT_TRUE(WaitFor([&] { return p.tap_to_durable_ms().size() == 2; }));
      },
      c);
  EXPECT_EQ(rc, 0);
  std::vector<Event> fb = Stored(EventType::kFeedback);
  ASSERT_EQ(fb.size(), 2u);
  const auto& first = std::get<FeedbackPayload>(fb[0].payload);
  ASSERT_TRUE(first.context);
  EXPECT_EQ(*first.context, (FeedbackContext{5, 17, 0}));
  EXPECT_TRUE(first.suspect);
  EXPECT_NE(first.suspect_reason.find("nobody_at_kiosk: "), std::string::npos)
      << first.suspect_reason;
  const auto& second = std::get<FeedbackPayload>(fb[1].payload);
  ASSERT_TRUE(second.context);
  EXPECT_EQ(second.context->people_at_kiosk, 1);
  EXPECT_EQ(second.suspect_reason.find("nobody_at_kiosk"), std::string::npos)
      << second.suspect_reason;
  EXPECT_GE(calls.load(), 2 * 4) << "sampled at each start and each answer";
}

// A store that cannot save (here: its data folder cannot be made; on a kiosk, a full disk) does
// not stop the shopper: the screens say answers cannot be saved, and stop saying it once the
// store has opened by itself.
// An idle kiosk renders nothing: the attract screen stands still between its waves (frames are
// still built, to keep input and timers live, but equal ones are not rendered), and moves again
// in the next wave.
TEST_F(KioskWindowTest, IdleAttractScreenRendersOnlyInItsWave) {
  auto now_s = [] { return static_cast<double>(SDL_GetTicks()) / 1000.0; };  // Frame::time_s
  int rc = RunWithDriver(
      [&](UiProbe& p) {
        ASSERT_TRUE(p.WaitForScreen("attract"));
        // Wait for a still stretch with at least 3 s to go (within one wave period).
        ASSERT_TRUE(WaitFor(
            [&] { return AttractStillForS(now_s()) > 3.0; },
            std::chrono::milliseconds(static_cast<int>(kAttractWavePeriodS * 1000) + 1000)));
        ASSERT_TRUE(p.WaitFrames(2));  // the rest pose is on screen
        p.ClearSamples();
        uint64_t built = p.frames();
        double until = now_s() + 2.0;
        ASSERT_TRUE(WaitFor([&] { return now_s() >= until; }, 5s));
        EXPECT_GE(p.frames() - built, 10u) << "the UI stopped building frames";
        EXPECT_EQ(p.frame_ms().size(), 0u) << "a still attract screen was rendered again";
        // The next wave moves the faces: frames are rendered again.
        ASSERT_TRUE(WaitFor(
            [&] { return AttractStillForS(now_s()) == 0.0; },
            std::chrono::milliseconds(static_cast<int>(kAttractWavePeriodS * 1000) + 1000)));
        ASSERT_TRUE(WaitFor([&] { return p.frame_ms().size() >= 5; }, 5s))
            << "the attract wave was not rendered";
      },
      Context());
  EXPECT_EQ(rc, 0);
}

TEST_F(KioskWindowTest, DegradedStoreIsToldOnScreenAndTheFlowGoesOnUntilItRecovers) {
  std::ofstream(dir_.File("blocker")) << "a file where the data folder should be\n";
  EventStoreOptions o;
  o.path = dir_.File("blocker/data/events.db");
  o.degrade_on_storage_error = true;
  o.retry_min_ms = 20;
  o.retry_max_ms = 100;
  auto degraded = EventStore::Open(o);
  ASSERT_TRUE(degraded.ok()) << degraded.status().ToString();
  store_ = std::move(*degraded);
  ASSERT_TRUE(store_->WritesFailing());

  auto answer_all = [](UiProbe& p, int score) {
    TapWhenShown(p, "start");
    TapWhenShown(p, "question:overall");
    TapWhenShown(p, "score:" + std::to_string(score));
    ASSERT_TRUE(p.WaitForTarget("question:reasons"));
    TapWhenShown(p, "next");
    ASSERT_TRUE(p.WaitForTarget("question:recommend"));
    TapWhenShown(p, "score:8");
    ASSERT_TRUE(p.WaitForTarget("question:effort"));
    TapWhenShown(p, "score:6");
    ASSERT_TRUE(p.WaitForScreen("thank_you"));
  };
  int rc = RunWithDriver(
      [&](UiProbe& p) {
        ASSERT_TRUE(p.WaitForScreen("attract"));
        ASSERT_TRUE(p.WaitForTarget("notice:cannot_save")) << "attract does not say it";
        answer_all(p, 2);
        ASSERT_TRUE(p.WaitForTarget("notice:cannot_save")) << "thank-you does not say it";
        ASSERT_TRUE(p.WaitForScreen("attract"));
        // The folder can be made now: the store opens by itself and the notice goes.
        std::filesystem::remove(dir_.File("blocker"));
        std::filesystem::create_directory(dir_.File("blocker"));
        ASSERT_TRUE(WaitFor([&] { return !store_->WritesFailing(); }, 10s));
        ASSERT_TRUE(p.WaitFrames(3));
        ASSERT_TRUE(WaitFor([&] { return !p.target("notice:cannot_save").has_value(); }, 5s));
        answer_all(p, 5);
        ASSERT_TRUE(WaitFor([&] { return p.tap_to_durable_ms().size() == 1; }));
        EXPECT_FALSE(p.target("notice:cannot_save").has_value());
      },
      Context());
  EXPECT_EQ(rc, 0);
  std::vector<Event> fb = Stored(EventType::kFeedback);
  ASSERT_EQ(fb.size(), 1u) << "only the answers given after recovery are stored";
  EXPECT_EQ(std::get<FeedbackPayload>(fb[0].payload).answers[0].score, 5);
  EXPECT_EQ(store_->Stats().feedback_lost, 1);
}

// The data folder could not be made at start (full disk): the PIN is unavailable, the PIN prompt
// says so, and once the folder exists the next prompt makes the PIN (noted in its 0600 file).
TEST_F(KioskWindowTest, ManagerPinUnavailableAtStartIsMadeWhenThePromptOpensLater) {
  std::ofstream(dir_.File("blocker")) << "a file where the data folder should be\n";
  kiosk_.data_dir = dir_.File("blocker/data");
  UiContext c = Context();
  int rc = RunWithDriver(
      [&](UiProbe& p) {
        auto long_press = [&] {
          ASSERT_TRUE(p.WaitForScreen("attract"));
          p.PressFinger(535, 5);  // top-right corner
          p.MoveMouse(270, 480);
          ASSERT_TRUE(p.WaitForScreen("pin", 5s));
          p.LiftFinger();
        };
        long_press();
        TapWhenShown(p, "key:1");
        TapWhenShown(p, "key:ok");
        ASSERT_TRUE(p.WaitFrames(3));
        EXPECT_EQ(p.screen(), "pin") << "no PIN, no dashboard";
        TapWhenShown(p, "cancel");
        std::filesystem::remove(dir_.File("blocker"));
        std::filesystem::create_directories(dir_.File("blocker/data"));
        long_press();
        std::string pin;
        std::ifstream(dir_.File("blocker/data/manager_pin.initial")) >> pin;
        ASSERT_EQ(pin.size(), 6u) << "the PIN was not made when the prompt opened again";
        for (char d : pin) TapWhenShown(p, std::string("key:") + d);
        TapWhenShown(p, "key:ok");
        ASSERT_TRUE(p.WaitForScreen("dashboard"));
      },
      c);
  EXPECT_EQ(rc, 0);
}

TEST_F(KioskWindowTest, IdleTimeoutMidSurveyRecordsFeedbackAbandoned) {
  ui_.idle_timeout_s = 1;
  int rc = RunWithDriver(
      [&](UiProbe& p) {
        TapWhenShown(p, "start");
        TapWhenShown(p, "question:overall");
        TapWhenShown(p, "score:2");
        ASSERT_TRUE(p.WaitForTarget("question:reasons"));
        // Nobody touches the screen any more.
        ASSERT_TRUE(p.WaitForScreen("attract", 10s));
        ASSERT_TRUE(WaitFor([&] { return !Stored(EventType::kFeedbackAbandoned).empty(); }));
      },
      Context());
  EXPECT_EQ(rc, 0);
  auto ab = Stored(EventType::kFeedbackAbandoned);
  ASSERT_EQ(ab.size(), 1u);
  const auto& p = std::get<FeedbackAbandonedPayload>(ab[0].payload);
  EXPECT_EQ(p.questions_total, 4);
  EXPECT_EQ(p.questions_answered, 1);
  EXPECT_EQ(p.last_question_id, "reasons");
  ASSERT_EQ(p.answers.size(), 1u);
  EXPECT_EQ(p.answers[0].score, 2);
  EXPECT_GE(p.duration_ms, 1000);
  EXPECT_TRUE(Stored(EventType::kFeedback).empty());
}

TEST_F(KioskWindowTest, LongPressPinDashboardExportAndExit) {
  auto clock = SystemClock();
  auto pin = ManagerPin::Open(dir_.File("manager_pin"), *clock);
  ASSERT_TRUE(pin.ok());
  ASSERT_TRUE((*pin)->Change("2580").ok());
  pin->reset();
  ASSERT_TRUE(SeedDemoData(*store_, *stamper_, TestSurvey(), 2).ok());
  std::atomic<bool> returned{false};
  UiContext c = Context();
  std::atomic<bool> stop{false};
  UiProbe probe;
  c.probe = &probe;
  c.stop = &stop;
  std::thread driver([&] {
    StopOnExit guard{stop};
    UiProbe& p = probe;
    auto type = [&](const std::string& digits) {
      for (char d : digits) TapWhenShown(p, std::string("key:") + d);
      TapWhenShown(p, "key:ok");
    };
    ASSERT_TRUE(p.WaitForScreen("attract"));
    p.PressFinger(535, 5);  // top-right corner
    // X reports the cursor parked over the new window (it may arrive at any time on a slow
    // machine): the held finger keeps the pointer.
    p.MoveMouse(270, 480);
    ASSERT_TRUE(p.WaitForScreen("pin", 5s));
    p.LiftFinger();
    type("1111");
    ASSERT_TRUE(p.WaitFrames(3));
    EXPECT_EQ(p.screen(), "pin") << "a wrong PIN does not open the dashboard";
    type("2580");
    ASSERT_TRUE(p.WaitForScreen("dashboard"));
    TapWhenShown(p, "export");
    TapWhenShown(p, "export_folder:0");  // data_dir/exports (no USB roots in this test)
    ASSERT_TRUE(WaitFor([&] {
      DIR* d = ::opendir((dir_.path() + "/exports").c_str());
      int n = 0;
      if (d != nullptr) {
        while (dirent* e = ::readdir(d))
          n += std::string(e->d_name).find(".csv") != std::string::npos;
        ::closedir(d);
      }
      return n == 1;
    }));
    TapWhenShown(p, "export_close");
    TapWhenShown(p, "exit_kiosk");
    EXPECT_TRUE(WaitFor([&] { return returned.load(); }, 10s))
        << "leaving kiosk mode from the dashboard ends RunKioskUi";
  });
  int rc = RunKioskUi(c);
  returned = true;
  driver.join();
  EXPECT_EQ(rc, 0);
}

// Mean absolute deviation of the luma: a blank (one-colour) image is 0.
double Busyness(const std::string& png, int* w, int* h) {
  int n = 0;
  unsigned char* px = stbi_load(png.c_str(), w, h, &n, 3);
  if (px == nullptr) return -1;
  size_t count = static_cast<size_t>(*w) * static_cast<size_t>(*h);
  double mean = 0;
  for (size_t i = 0; i < count; ++i)
    mean += px[3 * i] * 0.3 + px[3 * i + 1] * 0.59 + px[3 * i + 2] * 0.11;
  mean /= static_cast<double>(count);
  double dev = 0;
  std::set<uint32_t> colors;
  for (size_t i = 0; i < count; ++i) {
    double l = px[3 * i] * 0.3 + px[3 * i + 1] * 0.59 + px[3 * i + 2] * 0.11;
    dev += std::fabs(l - mean);
    if (colors.size() < 1000) colors.insert(px[3 * i] << 16 | px[3 * i + 1] << 8 | px[3 * i + 2]);
  }
  stbi_image_free(px);
  return colors.size() < 20 ? 0 : dev / static_cast<double>(count);
}

TEST_F(KioskWindowTest, ScreenshotTourRendersEveryScreenAndNoneIsBlank) {
  ASSERT_TRUE(SeedDemoData(*store_, *stamper_, TestSurvey(), 7).ok());
  std::string out = dir_.File("tour");
  ASSERT_EQ(RunScreenshotTour(Context(), out), 0);
  std::vector<std::string> files;
  DIR* d = ::opendir(out.c_str());
  ASSERT_NE(d, nullptr);
  while (dirent* e = ::readdir(d)) {
    std::string name = e->d_name;
    if (name.size() > 4 && name.substr(name.size() - 4) == ".png") files.push_back(name);
  }
  ::closedir(d);
  std::set<std::string> kinds;
  std::set<std::string> scripts;  // the free-text keyboard in Cyrillic and Greek, and Latin for el
  bool text_landscape = false;
  for (const std::string& f : files) {
    int w = 0, h = 0;
    double busy = Busyness(out + "/" + f, &w, &h);
    EXPECT_GT(busy, 2.0) << f << " looks blank";
    bool landscape = f.find("landscape") != std::string::npos;
    EXPECT_EQ(w, landscape ? 960 : 540) << f;
    EXPECT_EQ(h, landscape ? 540 : 960) << f;
    for (const char* k : {"attract", "question-csat", "question-nps", "question-effort",
                          "question-tags", "question-text", "thank-you", "pin", "dashboard"}) {
      if (f.find(k) != std::string::npos) kinds.insert(k);
    }
    text_landscape |= landscape && f.find("question-text") != std::string::npos;
    for (const char* k : {"-ru.png", "-uk.png", "-bg.png", "-el.png", "-el-latin.png"}) {
      std::string end = k;
      if (f.find("question-text") != std::string::npos && f.size() > end.size() &&
          f.compare(f.size() - end.size(), end.size(), end) == 0) {
        scripts.insert(k);
      }
    }
  }
  EXPECT_EQ(scripts.size(), 5u) << "the Russian, Ukrainian, Bulgarian and Greek keyboards";
  EXPECT_EQ(kinds.size(), 9u) << "every screen and question type";
  EXPECT_TRUE(text_landscape) << "the keyboard in landscape too";
  EXPECT_GE(files.size(), 18u);
}

// Mean absolute difference per channel (0..255) of two PNGs of the same size; -1 if they differ in
// size or cannot be read.
double MeanDifference(const std::string& a, const std::string& b) {
  int wa = 0, ha = 0, wb = 0, hb = 0, n = 0;
  unsigned char* pa = stbi_load(a.c_str(), &wa, &ha, &n, 3);
  unsigned char* pb = stbi_load(b.c_str(), &wb, &hb, &n, 3);
  double diff = -1;
  if (pa != nullptr && pb != nullptr && wa == wb && ha == hb) {
    size_t count = static_cast<size_t>(wa) * static_cast<size_t>(ha) * 3;
    double sum = 0;
    for (size_t i = 0; i < count; ++i) sum += std::abs(pa[i] - pb[i]);
    diff = sum / static_cast<double>(count);
  }
  if (pa != nullptr) stbi_image_free(pa);
  if (pb != nullptr) stbi_image_free(pb);
  return diff;
}

// ui.renderer = "software" (SDL's renderer, no OpenGL) draws every screen, close to the OpenGL
// picture: it samples the font texture without filtering, so text drawn at a scaled size is
// rougher, and rounds shape edges differently (measured: mean difference up to 2.1 of 255).
TEST_F(KioskWindowTest, SoftwareRendererDrawsTheSameScreensAsOpenGl) {
  ASSERT_TRUE(SeedDemoData(*store_, *stamper_, TestSurvey(), 7).ok());
  std::string gl = dir_.File("tour-gl"), sw = dir_.File("tour-sw");
  ui_.renderer = "opengl";
  ASSERT_EQ(RunScreenshotTour(Context(), gl), 0);
  ui_.renderer = "software";
  ASSERT_EQ(RunScreenshotTour(Context(), sw), 0);
  int compared = 0;
  DIR* d = ::opendir(gl.c_str());
  ASSERT_NE(d, nullptr);
  while (dirent* e = ::readdir(d)) {
    std::string name = e->d_name;
    if (name.size() < 5 || name.substr(name.size() - 4) != ".png") continue;
    if (name.find("dashboard") != std::string::npos) continue;  // "updated N s ago" may differ
    int w = 0, h = 0;
    EXPECT_GT(Busyness(sw + "/" + name, &w, &h), 2.0) << name << " looks blank";
    double diff = MeanDifference(gl + "/" + name, sw + "/" + name);
    EXPECT_GE(diff, 0.0) << name << " missing or of another size";
    EXPECT_LT(diff, 4.0) << name << " differs from the OpenGL rendering";
    ++compared;
  }
  ::closedir(d);
  EXPECT_GE(compared, 15);
}

// ui.renderer = "auto": without a DRM device the window never loads OpenGL; with one, it still
// takes SDL's software renderer when OpenGL would be Mesa's CPU rasteriser (as under Xvfb).
TEST_F(KioskWindowTest, AutoRendererChoosesSoftwareWithoutAGpu) {
  WindowOptions o;
  o.fullscreen = false;
  o.width = 540;
  o.height = 960;
  o.renderer = WindowOptions::Renderer::kAuto;
  o.dri_dir = dir_.File("dri");  // absent
  EXPECT_FALSE(HasUsableDrmNode(o.dri_dir));
  {
    auto w = KioskWindow::Open(o);
    ASSERT_TRUE(w.ok()) << w.status().ToString();
    EXPECT_EQ((*w)->renderer_name(), "software");
    EXPECT_NE((*w)->renderer_reason().find("no GPU"), std::string::npos) << (*w)->renderer_reason();
  }
  ASSERT_EQ(::mkdir(o.dri_dir.c_str(), 0755), 0);
  EXPECT_FALSE(HasUsableDrmNode(o.dri_dir));
  std::ofstream(dir_.File("dri/renderD128")) << "";  // a stand-in node this user may open
  ASSERT_TRUE(HasUsableDrmNode(o.dri_dir));
  {
    auto w = KioskWindow::Open(o);
    ASSERT_TRUE(w.ok()) << w.status().ToString();
    EXPECT_EQ((*w)->renderer_name(), "software");
    EXPECT_NE((*w)->renderer_reason().find("llvmpipe"), std::string::npos)
        << (*w)->renderer_reason();
  }
  o.renderer = WindowOptions::Renderer::kOpenGl;
  auto w = KioskWindow::Open(o);
  ASSERT_TRUE(w.ok()) << w.status().ToString();
  EXPECT_EQ((*w)->renderer_name(), "opengl");
}

TEST(SoftwareGlRendererTest, NamesMesasCpuRasterisersOnly) {
  EXPECT_TRUE(IsSoftwareGlRenderer("llvmpipe (LLVM 15.0.6, 256 bits)"));
  EXPECT_TRUE(IsSoftwareGlRenderer("softpipe"));
  EXPECT_TRUE(IsSoftwareGlRenderer("Mesa X11 swrast"));
  EXPECT_TRUE(IsSoftwareGlRenderer("Software Rasterizer"));
  EXPECT_FALSE(IsSoftwareGlRenderer("V3D 4.2"));
  EXPECT_FALSE(IsSoftwareGlRenderer("Mali-G52 (Panfrost)"));
  EXPECT_FALSE(IsSoftwareGlRenderer("Mesa Intel(R) UHD Graphics 620 (KBL GT2)"));
}

// A camera setup view as the footfall service gives it: black, grey edges, a green track box.
bool FakeSetupView(CameraSetupView* v, int64_t frame) {
  v->width = 320;
  v->height = 240;
  v->rgba.assign(static_cast<size_t>(320 * 240 * 4), 0);
  for (int y = 0; y < 240; ++y) {
    for (int x = 0; x < 320; ++x) {
      uint8_t* p = &v->rgba[static_cast<size_t>((y * 320 + x) * 4)];
      bool edge = x % 40 == 0 || y % 40 == 0;
      bool box = (x >= 100 && x <= 160 && (y == 60 || y == 200)) ||
                 (y >= 60 && y <= 200 && (x == 100 || x == 160));
      p[0] = box ? 80 : edge ? 110 : 0;
      p[1] = box ? 220 : edge ? 110 : 0;
      p[2] = box ? 80 : edge ? 110 : 0;
      p[3] = 255;
    }
  }
  v->frame_index = frame;
  v->camera.enabled = true;
  v->camera.state = "ok";
  v->camera.fps = 10;
  v->camera.occupancy = 1;
  v->camera.person_size = "learned";
  v->camera.person_height_top_px = 48;
  v->camera.person_height_bottom_px = 131;
  v->camera.today_by_line = {{"door", {12, 9}}};
  return true;
}

// The installer's camera setup screen opens from the dashboard, shows the camera's view (a new
// frame is rendered as the view changes), tells the camera when it opens and closes, and goes
// back to the dashboard; the tour renders it too.
TEST_F(KioskWindowTest, CameraSetupScreenShowsTheLiveViewWhileOpen) {
  std::mutex mu;
  std::vector<bool> opened;
  std::atomic<int64_t> frames{0};
  UiContext c = Context();
  c.start_screen = "dashboard";
  c.camera_setup_open = [&](bool open) {
    std::lock_guard<std::mutex> lock(mu);
    opened.push_back(open);
  };
  c.camera_setup_view = [&](CameraSetupView* v) { return FakeSetupView(v, ++frames); };
  int rc = RunWithDriver(
      [&](UiProbe& p) {
        ASSERT_TRUE(p.WaitForTarget("camera_setup"));
        ASSERT_TRUE(p.Tap("camera_setup"));
        ASSERT_TRUE(p.WaitForScreen("setup"));
        ASSERT_TRUE(p.WaitForTarget("setup_view")) << "the view is not shown";
        // The view changes every frame here: the setup screen keeps rendering at the camera's
        // pace instead of sleeping like a still screen.
        ASSERT_TRUE(p.WaitFrames(5, std::chrono::seconds(5)));
        ASSERT_TRUE(p.Tap("setup_back"));
        ASSERT_TRUE(p.WaitForScreen("dashboard"));
      },
      c);
  EXPECT_EQ(rc, 0);
  {
    std::lock_guard<std::mutex> lock(mu);
    EXPECT_EQ(opened, (std::vector<bool>{true, false}));
  }

  std::string tour = dir_.File("tour");
  ASSERT_EQ(RunScreenshotTour(c, tour), 0);
  int w = 0, h = 0, n = 0;
  std::string png;
  for (const auto& e : std::filesystem::directory_iterator(tour)) {
    std::string name = e.path().filename().string();
    if (name.find("-setup.png") != std::string::npos) png = e.path().string();
  }
  ASSERT_FALSE(png.empty()) << "the tour has no setup screen";
  unsigned char* px = stbi_load(png.c_str(), &w, &h, &n, 3);
  ASSERT_NE(px, nullptr);
  int64_t green = 0;
  for (int64_t i = 0; i < int64_t{w} * h; ++i) {
    green += px[i * 3] < 120 && px[i * 3 + 1] > 180 && px[i * 3 + 2] < 120;
  }
  stbi_image_free(px);
  EXPECT_GT(green, 100) << png << ": the track box of the view is not on screen";
}

// The test survey with an optional free-text question at the end.
SurveyDefinition WithComment(bool free_text) {
  SurveyDefinition s = TestSurvey();
  s.free_text = free_text;
  Question c;
  c.id = "comment";
  c.type = QuestionType::kText;
  c.optional = true;
  c.prompt = {{"en", "Anything else you would like to tell us?"},
              {"de", "Möchten Sie uns noch etwas sagen?"}};
  s.questions.push_back(c);
  return s;
}

// Start to the free-text question: overall 5, no reasons, recommend 10, effort 7.
void AnswerUpToComment(UiProbe& p) {
  TapWhenShown(p, "start");
  ASSERT_TRUE(p.WaitForTarget("question:overall"));
  TapWhenShown(p, "score:5");
  ASSERT_TRUE(p.WaitForTarget("question:reasons"));
  TapWhenShown(p, "next");
  ASSERT_TRUE(p.WaitForTarget("question:recommend"));
  TapWhenShown(p, "score:10");
  ASSERT_TRUE(p.WaitForTarget("question:effort"));
  TapWhenShown(p, "score:7");
}

// Submits the survey and waits until its feedback event is durable.
void SubmitAndAwaitStored(UiProbe& p) {
  TapWhenShown(p, "next");
  ASSERT_TRUE(p.WaitForScreen("thank_you"));
  ASSERT_TRUE(WaitFor([&] { return p.tap_to_durable_ms().size() == 1; }));
}

TEST_F(KioskWindowTest, FreeTextTypedOnTheOnScreenKeyboardIsStoredTrimmed) {
  slot_->Set(WithComment(true));
  int rc = RunWithDriver(
      [&](UiProbe& p) {
        ASSERT_TRUE(p.WaitForScreen("attract"));
        ASSERT_NO_FATAL_FAILURE(AnswerUpToComment(p));
        ASSERT_TRUE(p.WaitForTarget("question:comment"));
        ASSERT_TRUE(p.WaitForTarget("skip")) << "an empty optional text can be skipped";
        // "G" (the first letter is a capital), a typo taken back, an accent from the
        // language's row, digits from the symbols layer, one letter from the accents layer.
        for (const char* key : {"kb:g", "kb:r", "kb:e", "kb:a", "kb:t", "kb:space", "kb:c", "kb:a",
                                "kb:f", "kb:x", "kb:backspace", "kb:é", "kb:space", "kb:123"}) {
          TapWhenShown(p, key);
        }
        TapWhenShown(p, "kb:1");  // shown once the symbols layer is
        TapWhenShown(p, "kb:0");
        TapWhenShown(p, "kb:space");
        TapWhenShown(p, "kb:accents");
        TapWhenShown(p, "kb:å");
        ASSERT_TRUE(p.WaitForTarget("kb:q")) << "one accented letter, then the letters again";
        TapWhenShown(p, "kb:space");  // trailing white space is trimmed
        ASSERT_NO_FATAL_FAILURE(SubmitAndAwaitStored(p));
      },
      Context());
  EXPECT_EQ(rc, 0);
  ASSERT_NO_FATAL_FAILURE(ExpectStoredComment("en", "Great café 10 å"));
}

TEST_F(KioskWindowTest, FreeTextTypedOnTheRussianKeyboardIsStoredInCyrillic) {
  SurveyDefinition survey = WithComment(true);
  survey.languages.push_back("ru");
  survey.questions.back().prompt["ru"] = "Хотите что-нибудь добавить?";
  slot_->Set(survey);
  int rc = RunWithDriver(
      [&](UiProbe& p) {
        ASSERT_TRUE(p.WaitForScreen("attract"));
        TapWhenShown(p, "lang:ru");
        ASSERT_TRUE(p.WaitFrames(3));
        ASSERT_NO_FATAL_FAILURE(AnswerUpToComment(p));
        ASSERT_TRUE(p.WaitForTarget("question:comment"));
        // "В" (the first letter is a capital), ё from the extra row, then a Latin word through
        // the script key and back to Cyrillic. Each key after a script switch is on one script's
        // letters only, so the tap waits for that layout to be on screen.
        for (const char* key :
             {"kb:в", "kb:с", "kb:ё", "kb:space", "kb:script", "kb:o", "kb:k", "kb:script", "kb:,",
              "kb:space", "kb:с", "kb:п", "kb:а", "kb:с", "kb:и", "kb:б", "kb:о"}) {
          TapWhenShown(p, key);
        }
        ASSERT_NO_FATAL_FAILURE(SubmitAndAwaitStored(p));
      },
      Context());
  EXPECT_EQ(rc, 0);
  ASSERT_NO_FATAL_FAILURE(ExpectStoredComment("ru", "Всё ok, спасибо"));
}

TEST_F(KioskWindowTest, FreeTextOffNeverShowsTheTextQuestion) {
  slot_->Set(WithComment(false));
  int rc = RunWithDriver(
      [&](UiProbe& p) {
        ASSERT_TRUE(p.WaitForScreen("attract"));
        ASSERT_NO_FATAL_FAILURE(AnswerUpToComment(p));
        ASSERT_TRUE(p.WaitForScreen("thank_you")) << "effort was the last question shown";
        ASSERT_TRUE(WaitFor([&] { return p.tap_to_durable_ms().size() == 1; }));
      },
      Context());
  EXPECT_EQ(rc, 0);
  std::vector<Event> fb = Stored(EventType::kFeedback);
  ASSERT_EQ(fb.size(), 1u);
  const auto& p = std::get<FeedbackPayload>(fb[0].payload);
  ASSERT_EQ(p.answers.size(), 3u);
  for (const Answer& a : p.answers) {
    EXPECT_NE(a.type, QuestionType::kText);
    EXPECT_TRUE(a.text.empty());
  }
}

TEST_F(KioskWindowTest, FreeTextDraftCountsInAnAbandonedSession) {
  ui_.idle_timeout_s = 2;
  slot_->Set(WithComment(true));
  int rc = RunWithDriver(
      [&](UiProbe& p) {
        ASSERT_TRUE(p.WaitForScreen("attract"));
        ASSERT_NO_FATAL_FAILURE(AnswerUpToComment(p));
        for (const char* key : {"kb:s", "kb:l", "kb:o", "kb:w"}) TapWhenShown(p, key);
        ASSERT_TRUE(p.WaitForTarget("next"));
        // The shopper walks away.
        ASSERT_TRUE(p.WaitForScreen("attract", 10s));
        ASSERT_TRUE(WaitFor([&] { return !Stored(EventType::kFeedbackAbandoned).empty(); }));
      },
      Context());
  EXPECT_EQ(rc, 0);
  auto ab = Stored(EventType::kFeedbackAbandoned);
  ASSERT_EQ(ab.size(), 1u);
  const auto& p = std::get<FeedbackAbandonedPayload>(ab[0].payload);
  EXPECT_EQ(p.questions_total, 5);
  EXPECT_EQ(p.questions_answered, 4);
  EXPECT_EQ(p.last_question_id, "comment");
  ASSERT_EQ(p.answers.size(), 4u);
  EXPECT_EQ(p.answers.back().text, "Slow");
  EXPECT_TRUE(Stored(EventType::kFeedback).empty());
}

// What a physical keyboard sends: text, or a key going down or up.
void PushText(const char* utf8) {
  SDL_Event ev{};
  ev.type = SDL_TEXTINPUT;
  ev.text.timestamp = SDL_GetTicks();
  std::snprintf(ev.text.text, sizeof ev.text.text, "%s", utf8);
  SDL_PushEvent(&ev);
}
void PushKey(uint32_t type, SDL_Scancode key) {
  SDL_Event ev{};
  ev.type = type;
  ev.key.timestamp = SDL_GetTicks();
  ev.key.state = type == SDL_KEYDOWN ? SDL_PRESSED : SDL_RELEASED;
  ev.key.keysym.scancode = key;
  ev.key.keysym.sym = SDL_GetKeyFromScancode(key);
  SDL_PushEvent(&ev);
}

TEST_F(KioskWindowTest, FreeTextHeldBackspaceRepeatsAndAPhysicalKeyboardTypes) {
  slot_->Set(WithComment(true));
  int rc = RunWithDriver(
      [&](UiProbe& p) {
        ASSERT_TRUE(p.WaitForScreen("attract"));
        ASSERT_NO_FATAL_FAILURE(AnswerUpToComment(p));
        ASSERT_TRUE(p.WaitForTarget("question:comment"));
        for (const char* key : {"kb:a", "kb:b", "kb:c", "kb:d", "kb:e", "kb:f", "kb:g", "kb:h"}) {
          TapWhenShown(p, key);
        }
        ASSERT_TRUE(p.WaitFrames(3));
        auto bs = p.target("kb:backspace");
        ASSERT_TRUE(bs.has_value());
        // Held for 0.8 s: repeats at 0.5, 0.6, 0.7 (and 0.8) s; the release adds nothing. The
        // hold is timed from frames after the UI took the press, so a slow machine that takes
        // the press late does not shorten it.
        p.PressFinger(bs->x + bs->w * 0.5f, bs->y + bs->h * 0.5f);
        ASSERT_TRUE(p.WaitFrames(2));
        std::this_thread::sleep_for(800ms);  // the duration under test, not a synchronisation
        p.LiftFinger();
        ASSERT_TRUE(p.WaitFrames(3));
        PushText("ü!");
        ASSERT_TRUE(p.WaitFrames(2));
        PushKey(SDL_KEYDOWN, SDL_SCANCODE_BACKSPACE);  // erases the "!"
        ASSERT_TRUE(p.WaitFrames(3));
        PushKey(SDL_KEYUP, SDL_SCANCODE_BACKSPACE);
        ASSERT_TRUE(p.WaitFrames(2));
        TapWhenShown(p, "next");
        ASSERT_TRUE(p.WaitForScreen("thank_you"));
        ASSERT_TRUE(WaitFor([&] { return p.tap_to_durable_ms().size() == 1; }));
      },
      Context());
  EXPECT_EQ(rc, 0);
  std::vector<Event> fb = Stored(EventType::kFeedback);
  ASSERT_EQ(fb.size(), 1u);
  const auto& p = std::get<FeedbackPayload>(fb[0].payload);
  ASSERT_EQ(p.answers.size(), 4u);
  std::string text = p.answers.back().text;
  const std::string kTail = "ü";
  ASSERT_GE(text.size(), kTail.size()) << text;
  ASSERT_EQ(text.substr(text.size() - kTail.size()), kTail) << text;
  std::string typed = text.substr(0, text.size() - kTail.size());
  EXPECT_EQ(std::string("Abcdefgh").rfind(typed, 0), 0u) << text;
  // 8 letters, then the press and 3-4 repeats; a slow machine that takes the release late sees
  // a longer hold, so the bounds only say "it repeats" and "not once a frame".
  EXPECT_GE(typed.size(), 1u) << "backspace repeats every 0.1 s, not every frame: " << text;
  EXPECT_LE(typed.size(), 6u) << "holding backspace repeats: " << text;
}

}  // namespace
}  // namespace touchpoint::ui
