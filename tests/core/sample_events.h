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
  f.context = FeedbackContext{6, 41, 1};
  return f;
}

// A zone's figures over one interval (schema v2): 3 visits of 4, 12 and 75 s.
inline ZoneStats SampleZone(std::string id) {
  ZoneStats z;
  z.id = std::move(id);
  z.visits = 3;
  z.occupancy_max = 2;
  z.occupancy_mean = 0.75;
  z.dwell_mean_s = 30.5;
  z.dwell_p90_s = 75.25;
  z.dwell_n = 3;
  z.dwell_hist[0] = 1;  // < 5 s
  z.dwell_hist[2] = 1;  // 10..20 s
  z.dwell_hist[5] = 1;  // 60..120 s
  return z;
}

// The same events as wire format v1 wrote them (no context, no zones).
inline Event AsV1(Event e) {
  e.schema_version = 1;
  if (auto* f = std::get_if<FeedbackPayload>(&e.payload)) f->context.reset();
  if (auto* a = std::get_if<FeedbackAbandonedPayload>(&e.payload)) a->context.reset();
  if (auto* ff = std::get_if<FootfallPayload>(&e.payload)) ff->zones.clear();
  if (auto* st = std::get_if<StatusPayload>(&e.payload)) st->camera_person_size.reset();
  return e;
}

// Every type in v2, also a compacted footfall event, a status without a last ack and feedback
// without a camera; then v1 feedback, feedback_abandoned and footfall (still accepted).
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
  ab.context = FeedbackContext{0, 0, std::nullopt};  // no kiosk zone
  FootfallPayload ff;
  ff.interval_start_ms = 1795000020000;
  ff.interval_s = 60;
  ff.lines = {{"door", 5, 3}, {"aisle", 0, 1}};
  ff.occupancy_min = 2;
  ff.occupancy_max = 7;
  ff.occupancy_end = 4;
  ff.zones = {SampleZone("queue"), ZoneStats{}};
  ff.zones[1].id = "empty-shelf";  // nobody: dwell figures null
  FeedbackPayload no_camera = SampleFeedback();
  no_camera.context.reset();
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
  st.camera_person_size = PersonSize{"learned", -12.5, 131.25};
  StatusPayload st2 = st;
  st2.last_hub_ack_ms.reset();
  st2.camera_person_size.reset();  // no counting camera
  return {Header(SampleFeedback()),
          Header(ab),
          Header(ff),
          Header(compacted),
          Header(cov),
          Header(st),
          Header(st2),
          Header(no_camera),
          AsV1(Header(SampleFeedback())),
          AsV1(Header(ab)),
          AsV1(Header(ff)),
          AsV1(Header(st))};
}

}  // namespace touchpoint::samples
