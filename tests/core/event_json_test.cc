#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "touchpoint/core/event_json.h"

namespace touchpoint {
namespace {

using json = nlohmann::json;

Event Header(Payload p) {
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

FeedbackPayload SampleFeedback() {
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

std::vector<Event> AllTypes() {
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

TEST(EventJson, RoundTripsEveryType) {
  for (const Event& e : AllTypes()) {
    std::string text = EncodeEvent(e);
    auto back = DecodeEvent(text);
    ASSERT_TRUE(back.ok()) << back.status().ToString() << "\n" << text;
    EXPECT_EQ(EncodeEvent(*back), text);
    EXPECT_EQ(back->type(), e.type());
    EXPECT_EQ(back->seq, 42u);
    EXPECT_EQ(back->time_ms, 1795000000123);
    EXPECT_EQ(back->utc_offset_min, 60);
  }
}

TEST(EventJson, FeedbackFieldsSurvive) {
  auto back = DecodeEvent(EncodeEvent(Header(SampleFeedback())));
  ASSERT_TRUE(back.ok());
  const auto& f = std::get<FeedbackPayload>(back->payload);
  ASSERT_EQ(f.answers.size(), 5u);
  EXPECT_EQ(*f.answers[1].score, 0);
  EXPECT_EQ(f.answers[3].tags, (std::vector<std::string>{"staff", "queue"}));
  EXPECT_EQ(f.answers[4].text, "Grüezi \"quoted\"");
  EXPECT_TRUE(f.suspect);
  EXPECT_EQ(f.suspect_reason, "3 sessions within 20 s");
}

TEST(EventJson, TimeFormat) {
  EXPECT_EQ(FormatUtcMs(0), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(FormatUtcMs(1795000000123), "2026-11-18T11:06:40.123Z");
  EXPECT_EQ(ParseUtcMs("2026-11-18T11:06:40.123Z"), 1795000000123);
  EXPECT_EQ(ParseUtcMs("2026-11-18T11:06:40Z"), 1795000000000);
  EXPECT_FALSE(ParseUtcMs("2026-11-18 11:06:40Z"));
  EXPECT_FALSE(ParseUtcMs("2026-02-30T00:00:00Z"));
  EXPECT_FALSE(ParseUtcMs("2026-11-18T11:06:40+01:00"));
}

// Applies `mutate` to the JSON of a valid event and expects the decoder's message to contain
// `expected`.
void ExpectError(const Event& base, const std::function<void(json&)>& mutate,
                 const std::string& expected) {
  json j = json::parse(EncodeEvent(base));
  mutate(j);
  auto r = DecodeEvent(j.dump());
  ASSERT_FALSE(r.ok()) << "accepted: " << j.dump();
  EXPECT_EQ(r.status().code(), Status::Code::kInvalidArgument);
  EXPECT_NE(r.status().message().find(expected), std::string::npos)
      << "message: " << r.status().message() << "\nexpected to contain: " << expected;
}

TEST(EventJson, HeaderErrorsNameTheField) {
  Event e = Header(SampleFeedback());
  ExpectError(
      e, [](json& j) { j.erase("seq"); }, "seq: missing");
  ExpectError(
      e, [](json& j) { j["seq"] = "42"; }, "seq: expected an integer, got string");
  ExpectError(
      e, [](json& j) { j["seq"] = 0; }, "seq: 0 is out of range");
  ExpectError(
      e, [](json& j) { j["seq"] = -5; }, "seq: -5 is out of range");
  ExpectError(
      e, [](json& j) { j["schema_version"] = 2; }, "schema_version: 2 is not supported");
  ExpectError(
      e, [](json& j) { j["type"] = "purchase"; }, "type: \"purchase\" is not one of");
  ExpectError(
      e, [](json& j) { j["id"] = "not-a-uuid"; }, "id: \"not-a-uuid\" is not a lower-case UUID");
  ExpectError(
      e, [](json& j) { j["kiosk_id"] = "a/b"; }, "kiosk_id: \"a/b\" may use only");
  ExpectError(
      e, [](json& j) { j["store_id"] = ""; }, "store_id: must not be empty");
  ExpectError(
      e, [](json& j) { j["time"] = "yesterday"; }, "time: \"yesterday\" is not an RFC 3339");
  ExpectError(
      e, [](json& j) { j["utc_offset_min"] = 2000; }, "utc_offset_min: 2000 is out of range");
  ExpectError(
      e, [](json& j) { j["clock_synced"] = 1; }, "clock_synced: expected true or false");
  ExpectError(
      e, [](json& j) { j["extra"] = 1; }, "extra: unknown field");
  ExpectError(
      e, [](json& j) { j.erase("data"); }, "data: missing");
  ExpectError(
      e, [](json& j) { j["data"] = 5; }, "data: expected an object");
  ExpectError(
      e, [](json& j) { j["boot_count"] = 1.5; }, "boot_count: expected an integer, got number");
}

TEST(EventJson, FeedbackErrorsNameTheField) {
  Event e = Header(SampleFeedback());
  ExpectError(
      e, [](json& j) { j["data"]["answers"][0]["score"] = 6; },
      "data.answers[0].score: 6 is out of range 1..5 for csat");
  ExpectError(
      e, [](json& j) { j["data"]["answers"][1]["score"] = 11; },
      "data.answers[1].score: 11 is out of range 0..10 for nps");
  ExpectError(
      e, [](json& j) { j["data"]["answers"][2]["score"] = 0; },
      "data.answers[2].score: 0 is out of range 1..7 for effort");
  ExpectError(
      e, [](json& j) { j["data"]["answers"][0].erase("score"); }, "data.answers[0].score: missing");
  ExpectError(
      e, [](json& j) { j["data"]["answers"][3]["tags"][1] = 7; },
      "data.answers[3].tags[1]: expected a non-empty string");
  ExpectError(
      e, [](json& j) { j["data"]["answers"][0]["type"] = "stars"; },
      "data.answers[0].type: \"stars\" is not one of");
  ExpectError(
      e, [](json& j) { j["data"]["answers"][1]["question_id"] = "overall"; },
      "data.answers[1].question_id: answered twice");
  ExpectError(
      e, [](json& j) { j["data"]["answers"][0]["tags"] = json::array(); },
      "data.answers[0].tags: unknown field");
  ExpectError(
      e, [](json& j) { j["data"].erase("suspect_reason"); }, "data.suspect_reason: missing");
  ExpectError(
      e, [](json& j) { j["data"]["duration_ms"] = -1; }, "data.duration_ms: -1 is out of range");
  ExpectError(
      e, [](json& j) { j["data"]["answers"] = json::object(); },
      "data.answers: expected an array, got object");
  ExpectError(
      e, [](json& j) { j["data"]["colour"] = "red"; }, "data.colour: unknown field");
}

TEST(EventJson, OtherPayloadErrorsNameTheField) {
  auto all = AllTypes();
  const Event& abandoned = all[1];
  const Event& footfall = all[2];
  const Event& coverage = all[4];
  const Event& status = all[5];
  ExpectError(
      abandoned, [](json& j) { j["data"]["questions_answered"] = 4; },
      "data.questions_answered: 4 is out of range 0..3");
  ExpectError(
      footfall, [](json& j) { j["data"]["lines"][1]["in"] = -1; },
      "data.lines[1].in: -1 is out of range");
  ExpectError(
      footfall, [](json& j) { j["data"]["occupancy_max"] = 1; },
      "data.occupancy_max: 1 is out of range 2..");
  ExpectError(
      footfall, [](json& j) { j["data"]["interval_s"] = 0; }, "data.interval_s: 0 is out of range");
  ExpectError(
      footfall, [](json& j) { j["data"]["compacted_seqs"] = json::array({0}); },
      "data.compacted_seqs[0]: 0 is out of range");
  ExpectError(
      coverage, [](json& j) { j["data"]["end"] = j["data"]["start"]; },
      "data.end: must be after data.start");
  ExpectError(
      coverage, [](json& j) { j["data"]["source"] = "door"; },
      "data.source: \"door\" is not one of camera, kiosk");
  ExpectError(
      status, [](json& j) { j["data"]["problems"] = json::array({1}); },
      "data.problems[0]: expected a string");
  ExpectError(
      status, [](json& j) { j["data"].erase("queue_depth"); }, "data.queue_depth: missing");
}

TEST(EventJson, RejectsNonJsonAndNonObjects) {
  EXPECT_NE(DecodeEvent("{").status().message().find("not valid JSON"), std::string::npos);
  EXPECT_NE(DecodeEvent("[1,2]").status().message().find("expected an object"), std::string::npos);
  EXPECT_NE(DecodeEvent("").status().message().find("not valid JSON"), std::string::npos);
}

}  // namespace
}  // namespace touchpoint
