// Sample events of every type with every field set, shared by the event codec's tests
// (event_json_test.cc, event_decode_diff_test.cc).
#pragma once

#include <optional>
#include <vector>

#include "touchpoint/core/event.h"

namespace touchpoint::samples {

inline Event Header(Payload p) {
  Event e;
  e.id = "01890a5d-ac96-774b-bcce-b302099a8057";
  e.kiosk_id = "kiosk-1";
  e.store_id = "store-9";
  e.touchpoint = "checkout";
  e.journey_stage = "purchase";
  e.seq = 42;
  e.boot_count = 3;
  e.time_ms = 1795000000123;
  e.utc_offset_min = 60;
  e.clock_synced = true;
  e.payload = std::move(p);
  return e;
}

inline FeedbackPayload SampleFeedback() {
  FeedbackPayload f;
  f.survey_id = "visit";
  f.survey_version = 4;
  f.language = "de-CH";
  f.duration_ms = 8123;
  Answer csat{"overall", QuestionType::kCsat, 4, {}, ""};
  Answer nps{"recommend", QuestionType::kNps, 0, {}, ""};
  Answer effort{"effort", QuestionType::kEffort, 7, {}, ""};
  Answer tags{"reasons", QuestionType::kTags, std::nullopt, {"staff", "queue"}, ""};
  Answer text{"comment", QuestionType::kText, std::nullopt, {}, "Grüezi \"quoted\""};
  f.answers = {csat, nps, effort, tags, text};
  f.suspect = true;
  f.suspect_reason = "3 sessions within 20 s";
  return f;
}

// Every type, also a compacted footfall event and a status without a last ack.
inline std::vector<Event> AllTypes() {
  FeedbackAbandonedPayload ab;
  ab.survey_id = "visit";
  ab.survey_version = 4;
  ab.language = "en";
  ab.duration_ms = 30000;
  ab.questions_total = 3;
  ab.questions_answered = 1;
  ab.last_question_id = "reasons";
  ab.answers = {Answer{"overall", QuestionType::kCsat, 2, {}, ""}};
  FootfallPayload ff;
  ff.interval_start_ms = 1795000020000;
  ff.interval_s = 60;
  ff.lines = {{"door", 5, 3}, {"aisle", 0, 1}};
  ff.occupancy_min = 2;
  ff.occupancy_max = 7;
  ff.occupancy_end = 4;
  FootfallPayload compacted = ff;
  compacted.interval_s = 3600;
  compacted.compacted_seqs = {10, 11, 12};
  CoveragePayload cov{"camera", 1795000000000, 1795000060000, "camera_open_failed"};
  StatusPayload st;
  st.software_version = "0.1.0";
  st.config_version = "abc";
  st.uptime_s = 12;
  st.queue_depth = 5;
  st.last_hub_ack_ms = 1795000000000;
  st.camera_state = "ok";
  st.camera_fps = 9.5;
  st.problems = {"storage: disk full"};
  StatusPayload st2 = st;
  st2.last_hub_ack_ms.reset();
  return {Header(SampleFeedback()),
          Header(ab),
          Header(ff),
          Header(compacted),
          Header(cov),
          Header(st),
          Header(st2)};
}

}  // namespace touchpoint::samples
