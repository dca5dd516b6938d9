#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <set>
#include <sstream>

#include "sample_events.h"
#include "touchpoint/core/event_json.h"

namespace touchpoint {
namespace {

using json = nlohmann::json;
using samples::AllTypes;
using samples::Header;
using samples::SampleFeedback;

// The first event of `type` in AllTypes().
const Event& Sample(EventType type) {
  static const std::vector<Event> all = AllTypes();
  return *std::find_if(all.begin(), all.end(), [&](const Event& e) { return e.type() == type; });
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

// docs/events.md is what integrators read: every example in it must be an event the decoder
// accepts, and together they show every type.
TEST(EventJson, EveryExampleInTheSchemaDocDecodes) {
  std::ifstream in(std::string(TOUCHPOINT_SOURCE_DIR) + "/docs/events.md");
  ASSERT_TRUE(in) << "docs/events.md";
  std::stringstream doc;
  doc << in.rdbuf();
  const std::string text = doc.str();
  std::set<EventType> types;
  size_t examples = 0;
  for (size_t at = text.find("```json\n"); at != std::string::npos;
       at = text.find("```json\n", at)) {
    at += 8;
    size_t end = text.find("```", at);
    ASSERT_NE(end, std::string::npos);
    auto e = DecodeEvent(text.substr(at, end - at));
    ++examples;
    ASSERT_TRUE(e.ok()) << "example " << examples << ": " << e.status().message();
    types.insert(e->type());
    at = end + 3;
  }
  EXPECT_EQ(types.size(), 5u) << "one example of each event type";
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

// ParseUtcMs remembers the last date and hour it converted: a hit must check the rest as
// strictly, and a miss must not take a near prefix for it.
TEST(EventJson, TimeParseRemembersTheHourStrictly) {
  EXPECT_EQ(ParseUtcMs("2026-11-18T23:59:59Z"), 1795046399000);
  EXPECT_FALSE(ParseUtcMs("2026-11-18T23:59:60Z"));  // a leap second may not roll over midnight
  EXPECT_FALSE(ParseUtcMs("2026-11-18T23:60:00Z"));
  EXPECT_FALSE(ParseUtcMs("2026-11-18T23:5x:00Z"));
  EXPECT_FALSE(ParseUtcMs("2026-11-18T23-59:00Z"));
  EXPECT_FALSE(ParseUtcMs("2026-11-18T23:59:00.Z"));
  EXPECT_EQ(ParseUtcMs("2026-11-18T23:00:00.5Z"), 1795042800500);
  EXPECT_EQ(ParseUtcMs("2026-11-18T22:59:60Z"), 1795042800000);  // = 23:00:00
  EXPECT_EQ(ParseUtcMs("2026-02-28T00:00:00Z"),
            ParseUtcMs("2026-02-27T00:00:00Z").value() + 86400000);
  EXPECT_FALSE(ParseUtcMs("2026-02-29T00:00:00Z"));
  EXPECT_FALSE(ParseUtcMs("2026-02-28T24:00:00Z"));
  EXPECT_EQ(ParseUtcMs("1969-12-31T23:59:59.999Z"), -1);
  EXPECT_FALSE(ParseUtcMs("1969-12-31T23:59:60Z"));
  EXPECT_EQ(ParseUtcMs("1969-12-31T22:59:60Z"), -3600000);
  for (int64_t ms :
       {int64_t{0}, int64_t{951782400000}, int64_t{1795000000123}, int64_t{-86400001}}) {
    EXPECT_EQ(ParseUtcMs(FormatUtcMs(ms)), ms) << FormatUtcMs(ms);
  }
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
      e, [](json& j) { j["schema_version"] = 3; },
      "schema_version: 3 is not supported (expected 1..2)");
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
  const Event& abandoned = Sample(EventType::kFeedbackAbandoned);
  const Event& footfall = Sample(EventType::kFootfall);
  const Event& coverage = Sample(EventType::kCoverage);
  const Event& status = Sample(EventType::kStatus);
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

// ---- the hand-written decoder: syntax corners and abuse ------------------------------------

// `text` with `from` (which must occur) replaced by `to`.
std::string Edit(std::string text, std::string_view from, std::string_view to) {
  size_t pos = text.find(from);
  EXPECT_NE(pos, std::string::npos) << from << " not in " << text;
  if (pos != std::string::npos) text.replace(pos, from.size(), to);
  return text;
}

void ExpectTextError(const std::string& text, const std::string& expected) {
  auto r = DecodeEvent(text);
  ASSERT_FALSE(r.ok()) << "accepted: " << text;
  EXPECT_NE(r.status().message().find(expected), std::string::npos)
      << "message: " << r.status().message() << "\nexpected to contain: " << expected
      << "\ninput: " << text;
}

// Whitespace of every kind before and after each structural character outside strings.
std::string Spaced(const std::string& text) {
  std::string out = " \r\n";
  bool in_string = false, escaped = false;
  for (char c : text) {
    if (in_string) {
      out += c;
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    bool structural = c == '{' || c == '}' || c == '[' || c == ']' || c == ',' || c == ':';
    if (structural) out += "\n\t ";
    out += c;
    if (structural) out += " \r\n";
    in_string = c == '"';
  }
  return out + "\n";
}

using ordered_json = nlohmann::ordered_json;

ordered_json Shuffled(const ordered_json& j, std::mt19937& rng) {
  if (j.is_object()) {
    std::vector<std::string> keys;
    for (const auto& item : j.items()) keys.push_back(item.key());
    std::shuffle(keys.begin(), keys.end(), rng);
    ordered_json out = ordered_json::object();
    for (const auto& k : keys) out[k] = Shuffled(j[k], rng);
    return out;
  }
  if (j.is_array()) {
    ordered_json out = ordered_json::array();
    for (const auto& v : j) out.push_back(Shuffled(v, rng));
    return out;
  }
  return j;
}

TEST(EventDecoder, EscapesAndSurrogatePairsRoundTrip) {
  FeedbackPayload f = SampleFeedback();
  const std::string nasty =
      "quote \" backslash \\ slash / controls \b\f\n\r\t \x01\x1f del \x7f "
      "2-byte \xc3\xbc 3-byte \xe2\x82\xac 4-byte \xf0\x9f\x98\x80";
  f.answers[4].text = nasty;
  f.suspect_reason = "tab\there";
  Event e = Header(f);
  auto back = DecodeEvent(EncodeEvent(e));
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(std::get<FeedbackPayload>(back->payload).answers[4].text, nasty);
  EXPECT_EQ(EncodeEvent(*back), EncodeEvent(e));

  // Every escape form on input, including \u for BMP characters and a surrogate pair.
  std::string text = Edit(EncodeEvent(Header(SampleFeedback())), R"("Grüezi \"quoted\"")",
                          R"("\u0047r\u00FCezi \ud83d\ude00 \u20ac \/\b\f\n\r\t\"\\ \u0000")");
  auto decoded = DecodeEvent(text);
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  EXPECT_EQ(std::get<FeedbackPayload>(decoded->payload).answers[4].text,
            std::string("Gr\xc3\xbc"
                        "ezi \xf0\x9f\x98\x80 \xe2\x82\xac /\b\f\n\r\t\"\\ ") +
                std::string(1, '\0'));
  // Escapes in keys name the same field.
  auto escaped_key =
      DecodeEvent(Edit(EncodeEvent(Header(SampleFeedback())), R"("seq")", R"("\u0073\u0065q")"));
  ASSERT_TRUE(escaped_key.ok()) << escaped_key.status().ToString();
  EXPECT_EQ(escaped_key->seq, 42u);
}

TEST(EventDecoder, RejectsBadEscapesAndBadUtf8) {
  const std::string text = EncodeEvent(Header(SampleFeedback()));
  for (const char* bad : {R"("\ud83d")", R"("\ude00x")", R"("\ud83d\u0041")", R"("\x")",
                          R"("\u12")", R"("\u12G4")", "\"\xc3\"", "\"\xc0\x80\"",
                          "\"\xed\xa0\x80\"", "\"\xf4\x90\x80\x80\"", "\"\xff\"", "\"\xe2\x82\""}) {
    ExpectTextError(Edit(text, R"("visit")", bad), "event: not valid JSON");
  }
  // Raw control characters inside a string are not JSON; DEL is.
  for (char c : {'\0', '\x01', '\n', '\t', '\x1f'}) {
    ExpectTextError(Edit(text, R"("visit")", std::string("\"vi") + c + "sit\""),
                    "event: not valid JSON");
  }
  auto del = DecodeEvent(Edit(text, R"("3 sessions within 20 s")", "\"a\x7f\""));
  ASSERT_TRUE(del.ok()) << del.status().ToString();
}

TEST(EventDecoder, WhitespaceAndFieldOrderDoNotMatter) {
  std::mt19937 rng(7);
  for (const Event& e : AllTypes()) {
    const std::string text = EncodeEvent(e);
    auto spaced = DecodeEvent(Spaced(text));
    ASSERT_TRUE(spaced.ok()) << spaced.status().ToString() << "\n" << Spaced(text);
    EXPECT_EQ(EncodeEvent(*spaced), text);
    for (int round = 0; round < 20; ++round) {
      std::string shuffled = Shuffled(ordered_json::parse(text), rng).dump(round % 2 ? 2 : -1);
      auto back = DecodeEvent(shuffled);
      ASSERT_TRUE(back.ok()) << back.status().ToString() << "\n" << shuffled;
      EXPECT_EQ(EncodeEvent(*back), text);
    }
  }
  // Problems are named the same whatever the order: a field read before the one it depends on.
  auto all = AllTypes();
  std::string footfall = EncodeEvent(all[2]);
  ExpectTextError(Edit(Edit(footfall, R"("occupancy_max":7,)", ""), R"("data":{)",
                       R"("data":{"occupancy_max":1,)"),
                  "data.occupancy_max: 1 is out of range 2..");
  std::string feedback = EncodeEvent(Header(SampleFeedback()));
  ExpectTextError(Edit(feedback, R"({"question_id":"overall","type":"csat","score":4})",
                       R"({"score":9,"question_id":"overall","type":"csat"})"),
                  "data.answers[0].score: 9 is out of range 1..5 for csat");
  ExpectTextError(Edit(feedback, R"({"question_id":"overall","type":"csat","score":4})",
                       R"({"tags":[],"question_id":"overall","type":"csat","score":4})"),
                  "data.answers[0].tags: unknown field");
  ExpectTextError(Edit(Edit(feedback, R"("suspect":true,"suspect_reason":"3 sessions within 20 s")",
                            R"("suspect":false)"),
                       R"("data":{)", R"("data":{"suspect_reason":"x",)"),
                  "data.suspect_reason: unknown field");
  // With several problems the earliest in schema order wins, wherever it stands in the text.
  std::string two = Edit(Edit(feedback, R"("seq":42)", R"("seq":"x")"), R"("survey_version":4)",
                         R"("survey_version":-4)");
  ExpectTextError(two, "seq: expected an integer, got string");
  ExpectTextError(Shuffled(ordered_json::parse(two), rng).dump(), "seq: expected");
}

TEST(EventDecoder, RejectsDuplicateKeysAndTrailingGarbage) {
  const std::string text = EncodeEvent(Header(SampleFeedback()));
  ExpectTextError(Edit(text, R"("seq":42,)", R"("seq":42,"seq":43,)"), "seq: duplicate field");
  ExpectTextError(Edit(text, R"("language":"de-CH",)", R"("language":"de-CH","language":"en",)"),
                  "data.language: duplicate field");
  ExpectTextError(Edit(text, R"("type":"nps",)", R"("type":"nps","type":"nps",)"),
                  "data.answers[1].type: duplicate field");
  for (const char* garbage : {"x", "}", "{}", ",", "0", "\"\""}) {
    ExpectTextError(text + garbage, "event: not valid JSON");
  }
  ExpectTextError(text + std::string(1, '\0'), "event: not valid JSON");
  EXPECT_TRUE(DecodeEvent(text + " \n\t\r").ok());
  EXPECT_TRUE(DecodeEvent("\xEF\xBB\xBF" + text).ok());  // a UTF-8 BOM, as nlohmann allows
  ExpectTextError("", "event: not valid JSON");
  ExpectTextError("   ", "event: not valid JSON");
  ExpectTextError("null", "event: expected an object");
  ExpectTextError(R"("{}")", "event: expected an object");
  ExpectTextError(Edit(text, R"("seq":42,)", R"("seq":42,,)"), "event: not valid JSON");
  ExpectTextError(Edit(text, R"("staff","queue"])", R"("staff","queue",])"),
                  "event: not valid JSON");
}

// The size limits and the duplicate-field rule hold in every payload, not only in the header.
TEST(EventJson, LimitsAndDuplicatesHoldInEveryPayload) {
  const Event& feedback = Sample(EventType::kFeedback);
  const Event& abandoned = Sample(EventType::kFeedbackAbandoned);
  const Event& footfall = Sample(EventType::kFootfall);
  const Event& coverage = Sample(EventType::kCoverage);
  const Event& status = Sample(EventType::kStatus);
  ExpectError(
      feedback, [](json& j) { j["data"]["answers"][0]["question_id"] = std::string(65, 'q'); },
      "data.answers[0].question_id: longer than 64");
  ExpectError(
      feedback, [](json& j) { j["data"]["answers"][4]["text"] = std::string(2001, 'x'); },
      "data.answers[4].text: longer than 2000");
  ExpectError(
      status, [](json& j) { j["data"]["software_version"] = std::string(129, '1'); },
      "data.software_version: longer than 128");
  ExpectError(
      feedback,
      [](json& j) {
        json tags = json::array();
        for (int i = 0; i < 65; ++i) tags.push_back("t" + std::to_string(i));
        j["data"]["answers"][3]["tags"] = tags;
      },
      "data.answers[3].tags: more than 64 items");
  ExpectError(
      feedback,
      [](json& j) {
        json answers = json::array();
        for (int i = 0; i < 65; ++i) {
          answers.push_back(
              {{"question_id", "q" + std::to_string(i)}, {"type", "csat"}, {"score", 3}});
        }
        j["data"]["answers"] = answers;
      },
      "data.answers: more than 64 items");
  ExpectError(
      footfall,
      [](json& j) {
        json lines = json::array();
        for (int i = 0; i < 65; ++i)
          lines.push_back({{"line", "l" + std::to_string(i)}, {"in", 0}, {"out", 0}});
        j["data"]["lines"] = lines;
      },
      "data.lines: more than 64 items");
  ExpectError(
      status, [](json& j) { j["data"]["problems"] = json(std::vector<std::string>(65, "p")); },
      "data.problems: more than 64 items");
  ExpectError(
      feedback, [](json& j) { j["data"]["answers"][3]["tags"] = "staff"; },
      "data.answers[3].tags: expected an array, got string");
  ExpectError(
      footfall, [](json& j) { j["data"]["lines"] = json::object(); },
      "data.lines: expected an array, got object");
  ExpectError(
      footfall, [](json& j) { j["data"]["compacted_seqs"] = 12; },
      "data.compacted_seqs: expected an array of sequence numbers");
  ExpectError(
      status, [](json& j) { j["data"]["problems"] = "disk full"; },
      "data.problems: expected an array, got string");

  // nlohmann cannot write a duplicate key, so these edit the encoded text.
  auto duplicate = [](const Event& e, const std::string& field, const std::string& expected) {
    std::string text = EncodeEvent(e);
    size_t at = text.find("\"" + field + "\":");
    ASSERT_NE(at, std::string::npos) << field;
    size_t end = text.find_first_of(",}", at);
    std::string member = text.substr(at, end - at);
    text.insert(at, member + ",");
    ExpectTextError(text, expected);
  };
  duplicate(abandoned, "questions_total", "data.questions_total: duplicate field");
  duplicate(footfall, "interval_s", "data.interval_s: duplicate field");
  duplicate(footfall, "in", "data.lines[0].in: duplicate field");
  duplicate(coverage, "reason", "data.reason: duplicate field");
  duplicate(status, "uptime_s", "data.uptime_s: duplicate field");
}

TEST(EventDecoder, EveryTruncationIsAnErrorNeverACrash) {
  for (const Event& e : AllTypes()) {
    for (const std::string& text : {EncodeEvent(e), Spaced(EncodeEvent(e))}) {
      for (size_t n = 0; n < text.size(); ++n) {
        if (text.find_first_not_of(" \r\n\t", n) == std::string::npos) break;  // only spaces cut
        auto r = DecodeEvent(std::string_view(text).substr(0, n));
        ASSERT_FALSE(r.ok()) << "accepted a prefix of " << n << " bytes: " << text.substr(0, n);
        EXPECT_EQ(r.status().message(), "event: not valid JSON") << text.substr(0, n);
      }
    }
  }
}

TEST(EventDecoder, DeepNestingIsRejectedNotRecursedInto) {
  const std::string text = EncodeEvent(Header(SampleFeedback()));
  std::string deep = std::string(100000, '[') + std::string(100000, ']');
  ExpectTextError(Edit(text, R"("seq":42,)", R"("seq":42,"extra":)" + deep + ","),
                  "nested deeper than");
  ExpectTextError(deep, "nested deeper than");
  ExpectTextError(std::string(100000, '{'), "");
  std::string objects;
  for (int i = 0; i < 5000; ++i) objects += R"({"a":)";
  objects += "1" + std::string(5000, '}');
  ExpectTextError(Edit(text, R"("seq":42,)", R"("seq":42,"extra":)" + objects + ","),
                  "nested deeper than");
  // Moderate nesting in an unknown field is merely unknown.
  std::string moderate = std::string(20, '[') + std::string(20, ']');
  ExpectTextError(Edit(text, R"("seq":42,)", R"("seq":42,"extra":)" + moderate + ","),
                  "extra: unknown field");
}

TEST(EventDecoder, NumbersFollowTheJsonGrammar) {
  auto all = AllTypes();
  const std::string text = EncodeEvent(all[0]);
  auto with_seq = [&](const std::string& v) { return Edit(text, R"("seq":42)", "\"seq\":" + v); };
  // Integers out of int64 range are errors, not wrap-arounds.
  ExpectTextError(with_seq("9223372036854775808"), "seq: out of range");
  ExpectTextError(with_seq("18446744073709551615"), "seq: out of range");
  ExpectTextError(with_seq("18446744073709551616"), "seq: expected an integer, got number");
  ExpectTextError(with_seq("-9223372036854775808"),
                  "seq: -9223372036854775808 is out of range 1..9223372036854775807");
  ExpectTextError(with_seq("-9223372036854775809"), "seq: expected an integer, got number");
  ExpectTextError(with_seq(std::string(300, '9')), "seq: expected an integer, got number");
  ExpectTextError(with_seq("1" + std::string(400, '0')), "event: not valid JSON");  // inf
  auto max = DecodeEvent(with_seq("9223372036854775807"));
  ASSERT_TRUE(max.ok()) << max.status().ToString();
  EXPECT_EQ(max->seq, 9223372036854775807u);
  // Fractions and exponents are numbers, not integers.
  for (const char* v : {"1.5", "1e3", "1E3", "42.0", "4.2e1", "-0.0", "1e-400"}) {
    ExpectTextError(with_seq(v), "seq: expected an integer, got number");
  }
  for (const char* v : {"1e400", "-1e400"}) ExpectTextError(with_seq(v), "event: not valid JSON");
  // Not JSON numbers at all.
  for (const char* v : {"042", "00", "-01", "+1", ".5", "1.", "1.e3", "1e", "1e+", "-", "--1",
                        "0x10", "Infinity", "NaN", "4 2"}) {
    ExpectTextError(with_seq(v), "event: not valid JSON");
  }
  // -0 is the integer 0.
  auto minus_zero = DecodeEvent(Edit(text, R"("utc_offset_min":60)", R"("utc_offset_min":-0)"));
  ASSERT_TRUE(minus_zero.ok()) << minus_zero.status().ToString();
  EXPECT_EQ(minus_zero->utc_offset_min, 0);
  ExpectTextError(with_seq("-0"), "seq: 0 is out of range");
  // A number where any number will do: integers, fractions, exponents, underflow to zero.
  const std::string status = EncodeEvent(all[5]);
  auto fps = [&](const std::string& v) {
    return DecodeEvent(Edit(status, R"("camera_fps":9.5)", "\"camera_fps\":" + v));
  };
  for (auto [v, want] : {std::pair{"25", 25.0},
                         {"0", 0.0},
                         {"-0", 0.0},
                         {"2.5e1", 25.0},
                         {"1e-400", 0.0},
                         {"1000000", 1e6},
                         {"0.000001e2", 0.0001}}) {
    auto r = fps(v);
    ASSERT_TRUE(r.ok()) << v << ": " << r.status().ToString();
    EXPECT_DOUBLE_EQ(std::get<StatusPayload>(r->payload).camera_fps, want) << v;
  }
  EXPECT_NE(fps("1000000.5").status().message().find("data.camera_fps: out of range"),
            std::string::npos);
  EXPECT_NE(fps("-1").status().message().find("data.camera_fps: out of range"), std::string::npos);
  EXPECT_EQ(fps("1e999").status().message(), "event: not valid JSON");
  EXPECT_NE(fps("\"9\"").status().message().find("expected a number, got string"),
            std::string::npos);
}

TEST(EventDecoder, TypeNamesInMessages) {
  const std::string text = EncodeEvent(Header(SampleFeedback()));
  auto with_seq = [&](const std::string& v) { return Edit(text, R"("seq":42)", "\"seq\":" + v); };
  ExpectTextError(with_seq("null"), "seq: expected an integer, got null");
  ExpectTextError(with_seq("true"), "seq: expected an integer, got boolean");
  ExpectTextError(with_seq("[]"), "seq: expected an integer, got array");
  ExpectTextError(with_seq("{}"), "seq: expected an integer, got object");
  ExpectTextError(Edit(text, R"("clock_synced":true)", R"("clock_synced":"yes")"),
                  "clock_synced: expected true or false, got string");
  ExpectTextError(Edit(text, R"("kiosk_id":"kiosk-1")", R"("kiosk_id":7)"),
                  "kiosk_id: expected a string, got number");
}

// Random byte flips, inserts and deletes of valid events: the decoder never crashes (the unit
// suite also runs under ASan/UBSan), and whatever it accepts re-encodes and decodes to itself.
TEST(EventDecoder, RandomMutationsNeverCrashAndAcceptedEventsRoundTrip) {
  std::vector<std::string> bases;
  for (const Event& e : AllTypes()) {
    bases.push_back(EncodeEvent(e));
    bases.push_back(json::parse(EncodeEvent(e)).dump(1));
  }
  const char* tokens[] = {"\"",    "\\",   "\\u00e9", "\\ud83d", "{",     "}",    "[",
                          "]",     ",",    ":",       "1.5",     "-0",    "01",   "1e3",
                          "1e400", "null", "true",    " ",       "\n",    "\x01", "\xc3",
                          "\xff",  "\"\"", "{}",      "[]",      "\"a\"", "0"};
  std::mt19937 rng(20261118);
  auto pick = [&](size_t n) { return std::uniform_int_distribution<size_t>(0, n - 1)(rng); };
  int accepted = 0;
  for (int round = 0; round < 20000; ++round) {
    std::string s = bases[pick(bases.size())];
    for (size_t edits = 1 + pick(3); edits > 0; --edits) {
      size_t pos = pick(s.size() + 1);
      switch (pick(4)) {
        case 0:
          if (pos < s.size()) s[pos] = static_cast<char>(pick(256));
          break;
        case 1:
          s.insert(pos, 1, static_cast<char>(pick(256)));
          break;
        case 2:
          if (pos < s.size()) s.erase(pos, 1 + pick(4));
          break;
        default:
          s.insert(pos, tokens[pick(std::size(tokens))]);
      }
    }
    auto r = DecodeEvent(s);
    if (!r.ok()) {
      ASSERT_FALSE(r.status().message().empty());
      continue;
    }
    ++accepted;
    std::string again = EncodeEvent(*r);
    auto r2 = DecodeEvent(again);
    ASSERT_TRUE(r2.ok()) << r2.status().ToString() << "\nmutated: " << s
                         << "\nre-encoded: " << again;
    ASSERT_EQ(EncodeEvent(*r2), again) << "mutated: " << s;
  }
  EXPECT_GT(accepted, 100);  // whitespace and value edits that keep an event valid
}

}  // namespace
}  // namespace touchpoint
