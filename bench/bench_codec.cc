// touchpoint-bench codec [--seconds S]: EncodeEvent and the strict DecodeEvent, µs per event
// and events/s on one core, for a typical feedback event (3 answers, ~500 bytes), a footfall event
// and a status event. Each figure is the lowest thread CPU time per call over 10 rounds (S
// seconds in all per function, default S = 1; the decoders, measured in turn, 2 S together), so
// that other load on the machine inflates it as little as possible.
//
// Decoders compared per kind (codec_decode_<kind>_us_<decoder>):
//   handwritten  DecodeEvent: the strict decoder over its own lexer (json_lexer.h)
//   into         DecodeEventInto into one Event kept across calls (the hub's decode threads),
//                measured apart after the two above
//   nlohmann     naive baseline: nlohmann::json::parse into a tree, then each field taken with
//                at()/get() (types only: no unknown/duplicate/range checks, generic messages)
// The same strict decoder over simdjson's On-Demand API was measured here too and lost on every
// kind (docs/events.md, "Decoder speed"); it was removed, commit f0de123 has it.
#include <time.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <string>

#include "bench.h"
#include "touchpoint/core/clock.h"
#include "touchpoint/core/event_json.h"

namespace touchpoint::bench {
namespace {

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

// The naive baseline: what a decoder built on a JSON tree library costs before any strictness.
Event NaiveDecode(std::string_view text) {
  using nlohmann::json;
  json j = json::parse(text);
  Event e;
  e.schema_version = j.at("schema_version").get<int>();
  e.id = j.at("id").get<std::string>();
  std::string type = j.at("type").get<std::string>();
  e.kiosk_id = j.at("kiosk_id").get<std::string>();
  e.store_id = j.at("store_id").get<std::string>();
  e.touchpoint = j.at("touchpoint").get<std::string>();
  e.journey_stage = j.at("journey_stage").get<std::string>();
  e.seq = j.at("seq").get<uint64_t>();
  e.boot_count = j.at("boot_count").get<uint32_t>();
  e.time_ms = ParseUtcMs(j.at("time").get<std::string>()).value_or(0);
  e.utc_offset_min = j.at("utc_offset_min").get<int>();
  e.clock_synced = j.at("clock_synced").get<bool>();
  const json& d = j.at("data");
  if (type == "feedback") {
    FeedbackPayload f;
    f.survey_id = d.at("survey_id").get<std::string>();
    f.survey_version = d.at("survey_version").get<int>();
    f.language = d.at("language").get<std::string>();
    f.duration_ms = d.at("duration_ms").get<int64_t>();
    for (const json& a : d.at("answers")) {
      Answer& x = f.answers.emplace_back();
      x.question_id = a.at("question_id").get<std::string>();
      x.type = ParseQuestionType(a.at("type").get<std::string>()).value_or(QuestionType::kText);
      if (auto it = a.find("score"); it != a.end()) x.score = it->get<int>();
      if (auto it = a.find("tags"); it != a.end()) x.tags = it->get<std::vector<std::string>>();
      if (auto it = a.find("text"); it != a.end()) x.text = it->get<std::string>();
    }
    f.suspect = d.at("suspect").get<bool>();
    e.payload = std::move(f);
  } else if (type == "footfall") {
    FootfallPayload f;
    f.interval_start_ms = ParseUtcMs(d.at("interval_start").get<std::string>()).value_or(0);
    f.interval_s = d.at("interval_s").get<int>();
    for (const json& l : d.at("lines")) {
      f.lines.push_back(
          {l.at("line").get<std::string>(), l.at("in").get<int64_t>(), l.at("out").get<int64_t>()});
    }
    f.occupancy_min = d.at("occupancy_min").get<int64_t>();
    f.occupancy_max = d.at("occupancy_max").get<int64_t>();
    f.occupancy_end = d.at("occupancy_end").get<int64_t>();
    e.payload = std::move(f);
  } else {
    StatusPayload st;
    st.software_version = d.at("software_version").get<std::string>();
    st.config_version = d.at("config_version").get<std::string>();
    st.uptime_s = d.at("uptime_s").get<int64_t>();
    st.queue_depth = d.at("queue_depth").get<int64_t>();
    st.oldest_pending_age_s = d.at("oldest_pending_age_s").get<int64_t>();
    if (const json& a = d.at("last_hub_ack"); a.is_string()) {
      st.last_hub_ack_ms = ParseUtcMs(a.get<std::string>());
    }
    st.camera_state = d.at("camera_state").get<std::string>();
    st.camera_fps = d.at("camera_fps").get<double>();
    st.db_bytes = d.at("db_bytes").get<int64_t>();
    st.disk_budget_bytes = d.at("disk_budget_bytes").get<int64_t>();
    st.feedback_lost = d.at("feedback_lost").get<int64_t>();
    st.events_lost = d.at("events_lost").get<int64_t>();
    st.events_pruned = d.at("events_pruned").get<int64_t>();
    st.footfall_compacted = d.at("footfall_compacted").get<int64_t>();
    st.problems = d.at("problems").get<std::vector<std::string>>();
    e.payload = std::move(st);
  }
  return e;
}

// Lowest CPU µs per call of each of `fns`, over rounds that take each in turn for about
// `seconds` / kRounds / fns.size(), so that every function meets the same load.
template <class... Fn>
std::array<double, sizeof...(Fn)> BestMicros(double seconds, Fn&&... fns) {
  constexpr int kRounds = 10;
  std::array<double, sizeof...(Fn)> best;
  best.fill(1e30);
  const double slice = seconds / kRounds / static_cast<double>(sizeof...(Fn));
  for (int round = 0; round < kRounds; ++round) {
    size_t i = 0;
    auto measure = [&](auto& fn) {
      int64_t calls = 0;
      double start = ThreadCpuSeconds(), now;
      do {
        for (int k = 0; k < 200; ++k) fn();
        calls += 200;
        now = ThreadCpuSeconds();
      } while (now - start < slice);
      best[i] = std::min(best[i], (now - start) * 1e6 / static_cast<double>(calls));
      ++i;
    };
    (measure(fns), ...);
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
    double enc = BestMicros(seconds, [&] { sink += EncodeEvent(event).size(); })[0];
    PrintBench("codec_encode_" + n + "_us", enc, "us");
    PrintBench("codec_encode_" + n + "_rate", 1e6 / enc, "events/s");
    if (EncodeEvent(NaiveDecode(text)) != text) {
      std::fprintf(stderr, "codec: %s: the nlohmann decoder reads it differently\n", name);
      return 1;
    }
    auto [dec, dec_naive] = BestMicros(
        2 * seconds,
        [&] {
          auto e = DecodeEvent(text);
          sink += e.ok() ? e->seq : 1;
        },
        [&] { sink += NaiveDecode(text).seq; });
    PrintBench("codec_decode_" + n + "_us", dec, "us");  // DecodeEvent, whichever it is
    PrintBench("codec_decode_" + n + "_rate", 1e6 / dec, "events/s");
    PrintBench("codec_decode_" + n + "_us_handwritten", dec, "us");
    PrintBench("codec_decode_" + n + "_us_nlohmann", dec_naive, "us");
    // DecodeEventInto with one Event kept across calls, as the hub's decode threads do.
    Event into;
    double dec_into =
        BestMicros(seconds, [&] { sink += DecodeEventInto(text, &into).ok() ? into.seq : 1; })[0];
    PrintBench("codec_decode_" + n + "_us_into", dec_into, "us");
  }
  return sink == 0 ? 1 : 0;
}

static Registrar reg("codec", "EncodeEvent / strict DecodeEvent: us per event and events/s", &Run);

}  // namespace
}  // namespace touchpoint::bench
