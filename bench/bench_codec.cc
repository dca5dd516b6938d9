// touchpoint-bench codec [--seconds S]: EncodeEvent and the strict DecodeEvent, µs per event
// and events/s on one core, for a typical feedback event (3 answers, ~500 bytes), a footfall event
// and a status event. Each figure is the best of 5 runs of about S/5 seconds (default S = 1), so
// that other load on the machine inflates it as little as possible.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>

#include "bench.h"
#include "touchpoint/core/clock.h"
#include "touchpoint/core/event_json.h"

namespace touchpoint::bench {
namespace {

using Clock = std::chrono::steady_clock;

Event Header(Payload p) {
  Event e;
  e.id = NewUuidV7(1795000000000);
  e.kiosk_id = "kiosk-entrance-2";
  e.store_id = "store-0417";
  e.touchpoint = "checkout";
  e.journey_stage = "purchase";
  e.seq = 1234567;
  e.boot_count = 17;
  e.time_ms = 1795000000123;
  e.utc_offset_min = 60;
  e.clock_synced = true;
  e.payload = std::move(p);
  return e;
}

Event Feedback() {
  FeedbackPayload f;
  f.survey_id = "store-visit";
  f.survey_version = 3;
  f.language = "de-CH";
  f.duration_ms = 14250;
  f.answers = {Answer{"overall", QuestionType::kCsat, 4, {}, ""},
               Answer{"reasons", QuestionType::kTags, std::nullopt, {"staff", "queue"}, ""},
               Answer{"recommend", QuestionType::kNps, 9, {}, ""}};
  return Header(f);
}

Event Footfall() {
  FootfallPayload f;
  f.interval_start_ms = 1795000020000;
  f.interval_s = 60;
  f.lines = {{"door", 12, 9}, {"aisle-3", 4, 5}};
  f.occupancy_min = 21;
  f.occupancy_max = 30;
  f.occupancy_end = 24;
  return Header(f);
}

Event StatusEvent() {
  StatusPayload s;
  s.software_version = "0.4.1";
  s.config_version = "5f3a9c1";
  s.uptime_s = 86400;
  s.queue_depth = 3;
  s.oldest_pending_age_s = 2;
  s.last_hub_ack_ms = 1795000000000;
  s.camera_state = "ok";
  s.camera_fps = 9.8;
  s.db_bytes = 48234496;
  s.disk_budget_bytes = 268435456;
  s.problems = {};
  return Header(s);
}

// Best (lowest) µs per call of `fn` over 5 runs of about `seconds` / 5 each.
template <class Fn>
double BestMicros(double seconds, Fn&& fn) {
  double best = 1e30;
  for (int run = 0; run < 5; ++run) {
    int64_t calls = 0;
    auto start = Clock::now();
    auto deadline = start + std::chrono::duration<double>(seconds / 5);
    Clock::time_point now;
    do {
      for (int i = 0; i < 1000; ++i) fn();
      calls += 1000;
      now = Clock::now();
    } while (now < deadline);
    double us =
        std::chrono::duration<double, std::micro>(now - start).count() / static_cast<double>(calls);
    best = std::min(best, us);
  }
  return best;
}

int Run(const std::vector<std::string>& args) {
  double seconds = 1.0;
  for (size_t i = 0; i + 1 < args.size(); ++i) {
    if (args[i] == "--seconds") seconds = std::stod(args[i + 1]);
  }
  const std::pair<const char*, Event> cases[] = {
      {"feedback", Feedback()}, {"footfall", Footfall()}, {"status", StatusEvent()}};
  uint64_t sink = 0;
  for (const auto& [name, event] : cases) {
    const std::string text = EncodeEvent(event);
    auto check = DecodeEvent(text);
    if (!check.ok() || EncodeEvent(*check) != text) {
      std::fprintf(stderr, "codec: %s does not round-trip: %s\n", name,
                   check.ok() ? "different text" : check.status().ToString().c_str());
      return 1;
    }
    std::string n = name;
    PrintBench("codec_" + n + "_bytes", static_cast<double>(text.size()), "bytes");
    double enc = BestMicros(seconds, [&] { sink += EncodeEvent(event).size(); });
    PrintBench("codec_encode_" + n + "_us", enc, "us");
    PrintBench("codec_encode_" + n + "_rate", 1e6 / enc, "events/s");
    double dec = BestMicros(seconds, [&] {
      auto e = DecodeEvent(text);
      sink += e.ok() ? e->seq : 1;
    });
    PrintBench("codec_decode_" + n + "_us", dec, "us");
    PrintBench("codec_decode_" + n + "_rate", 1e6 / dec, "events/s");
  }
  return sink == 0 ? 1 : 0;
}

static Registrar reg("codec", "EncodeEvent / strict DecodeEvent: us per event and events/s", &Run);

}  // namespace
}  // namespace touchpoint::bench
