// Wire format v2 (docs/events.md): feedback context and footfall zones, decoded strictly; v1
// events still decode and re-encode as v1.
#include <gtest/gtest.h>

#include <functional>
#include <nlohmann/json.hpp>

#include "sample_events.h"
#include "touchpoint/core/event_json.h"

namespace touchpoint {
namespace {

using json = nlohmann::json;
using samples::AsV1;
using samples::Header;
using samples::SampleFeedback;
using samples::SampleZone;

Event SampleFootfall() {
  FootfallPayload ff;
  ff.interval_start_ms = 1795000020000;
  ff.lines = {{"door", 5, 3}};
  ff.occupancy_max = 3;
  ff.zones = {SampleZone("queue")};
  return Header(ff);
}

void ExpectError(const Event& base, const std::function<void(json&)>& mutate,
                 const std::string& expected) {
  json j = json::parse(EncodeEvent(base));
  mutate(j);
  auto r = DecodeEvent(j.dump());
  ASSERT_FALSE(r.ok()) << "accepted: " << j.dump();
  EXPECT_NE(r.status().message().find(expected), std::string::npos)
      << "message: " << r.status().message() << "\nexpected to contain: " << expected;
}

TEST(EventV2, KiosksWriteVersion2WithContextAndZones) {
  EXPECT_EQ(kSchemaVersion, 2);
  json f = json::parse(EncodeEvent(Header(SampleFeedback())));
  EXPECT_EQ(f["schema_version"], 2);
  EXPECT_EQ(f["data"]["context"],
            json({{"occupancy_at_start", 6}, {"visitors_in_15min", 41}, {"people_at_kiosk", 1}}));
  json z = json::parse(EncodeEvent(SampleFootfall()))["data"]["zones"][0];
  EXPECT_EQ(z["id"], "queue");
  EXPECT_EQ(z["dwell_n"], 3);
  EXPECT_DOUBLE_EQ(z["dwell_p90_s"].get<double>(), 75.25);
  EXPECT_EQ(z["dwell_hist"].size(), kDwellBuckets);
}

TEST(EventV2, FieldsSurviveARoundTrip) {
  auto f = DecodeEvent(EncodeEvent(Header(SampleFeedback())));
  ASSERT_TRUE(f.ok()) << f.status().message();
  EXPECT_EQ(std::get<FeedbackPayload>(f->payload).context, (FeedbackContext{6, 41, 1}));
  auto ff = DecodeEvent(EncodeEvent(SampleFootfall()));
  ASSERT_TRUE(ff.ok()) << ff.status().message();
  EXPECT_EQ(std::get<FootfallPayload>(ff->payload).zones[0], SampleZone("queue"));
}

TEST(EventV2, Version1IsStillAcceptedAndWrittenAsVersion1) {
  for (const Event& e : {AsV1(Header(SampleFeedback())), AsV1(SampleFootfall())}) {
    const std::string text = EncodeEvent(e);
    EXPECT_EQ(text.find("context"), std::string::npos) << text;
    EXPECT_EQ(text.find("zones"), std::string::npos) << text;
    auto back = DecodeEvent(text);
    ASSERT_TRUE(back.ok()) << back.status().message();
    EXPECT_EQ(back->schema_version, 1);
    EXPECT_EQ(EncodeEvent(*back), text);
  }
  // v2 fields in a v1 event are unknown; missing from a v2 event they are missing.
  ExpectError(
      Header(SampleFeedback()), [](json& j) { j["schema_version"] = 1; },
      "data.context: unknown field");
  ExpectError(
      SampleFootfall(), [](json& j) { j["schema_version"] = 1; }, "data.zones: unknown field");
  ExpectError(
      Header(SampleFeedback()), [](json& j) { j["data"].erase("context"); },
      "data.context: missing");
  ExpectError(
      SampleFootfall(), [](json& j) { j["data"].erase("zones"); }, "data.zones: missing");
}

TEST(EventV2, VersionAfterDataStillDecidesTheFields) {
  // Fields in any order: data before schema_version is read once the version is known.
  json j = json::parse(EncodeEvent(AsV1(Header(SampleFeedback()))));
  std::string text = j.dump();  // nlohmann sorts keys: "data" comes before "schema_version"
  ASSERT_LT(text.find("\"data\""), text.find("\"schema_version\""));
  EXPECT_TRUE(DecodeEvent(text).ok());
  j["data"]["context"] = nullptr;
  auto r = DecodeEvent(j.dump());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "data.context: unknown field");
}

TEST(EventV2, ContextErrorsNameTheField) {
  Event e = Header(SampleFeedback());
  ExpectError(
      e, [](json& j) { j["data"]["context"]["occupancy_at_start"] = -1; },
      "data.context.occupancy_at_start: -1 is out of range");
  ExpectError(
      e, [](json& j) { j["data"]["context"].erase("visitors_in_15min"); },
      "data.context.visitors_in_15min: missing");
  ExpectError(
      e, [](json& j) { j["data"]["context"].erase("people_at_kiosk"); },
      "data.context.people_at_kiosk: missing");
  ExpectError(
      e, [](json& j) { j["data"]["context"]["people_at_kiosk"] = "1"; },
      "data.context.people_at_kiosk: expected an integer");
  ExpectError(
      e, [](json& j) { j["data"]["context"]["crowd"] = 1; }, "data.context.crowd: unknown field");
  ExpectError(
      e, [](json& j) { j["data"]["context"] = 3; }, "data.context: expected an object");
  ExpectError(
      e, [](json& j) { j["data"]["context"] = json::array(); }, "data.context: expected an object");
}

// The camera's person size in a v2 status: null without a camera, else source and two heights;
// a v1 status has no such field.
TEST(EventV2, StatusPersonSizeIsStrict) {
  StatusPayload st;
  st.software_version = "0.1.0";
  st.camera_state = "ok";
  st.camera_person_size = PersonSize{"configured", 40.0, 150.5};
  Event e = Header(st);
  auto back = DecodeEvent(EncodeEvent(e));
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(std::get<StatusPayload>(back->payload).camera_person_size, st.camera_person_size);
  ExpectError(
      e, [](json& j) { j["data"].erase("camera_person_size"); },
      "data.camera_person_size: missing");
  ExpectError(
      e, [](json& j) { j["data"]["camera_person_size"]["source"] = "guessed"; },
      "data.camera_person_size.source: \"guessed\" is not one of configured, learned, learning");
  ExpectError(
      e, [](json& j) { j["data"]["camera_person_size"].erase("height_bottom_px"); },
      "data.camera_person_size.height_bottom_px: missing");
  ExpectError(
      e, [](json& j) { j["data"]["camera_person_size"]["height_top_px"] = "40"; },
      "data.camera_person_size.height_top_px: expected a number");
  ExpectError(
      e, [](json& j) { j["data"]["camera_person_size"]["width"] = 3; },
      "data.camera_person_size.width: unknown field");
  ExpectError(
      AsV1(e), [](json& j) { j["data"]["camera_person_size"] = nullptr; },
      "data.camera_person_size: unknown field");
  st.camera_person_size.reset();
  auto none = DecodeEvent(EncodeEvent(Header(st)));
  ASSERT_TRUE(none.ok()) << none.status().ToString();
  EXPECT_FALSE(std::get<StatusPayload>(none->payload).camera_person_size.has_value());
}

TEST(EventV2, ZoneErrorsNameTheField) {
  Event e = SampleFootfall();
  ExpectError(
      e, [](json& j) { j["data"]["zones"][0]["id"] = "a b"; },
      "data.zones[0].id: \"a b\" may use only");
  ExpectError(
      e, [](json& j) { j["data"]["zones"].push_back(j["data"]["zones"][0]); },
      "data.zones[1].id: \"queue\" is used by another zone");
  ExpectError(
      e,
      [](json& j) {
        for (int i = 0; i < 16; ++i) j["data"]["zones"].push_back(j["data"]["zones"][0]);
      },
      "data.zones: more than 16 items");
  ExpectError(
      e, [](json& j) { j["data"]["zones"][0]["visits"] = -1; },
      "data.zones[0].visits: -1 is out of range");
  ExpectError(
      e, [](json& j) { j["data"]["zones"][0]["occupancy_mean"] = 2.5; },
      "data.zones[0].occupancy_mean: is above occupancy_max");
  ExpectError(
      e, [](json& j) { j["data"]["zones"][0]["dwell_mean_s"] = nullptr; },
      "data.zones[0].dwell_mean_s: must be a number when dwell_n > 0");
  ExpectError(
      e, [](json& j) { j["data"]["zones"][0]["dwell_p90_s"] = -3.0; },
      "data.zones[0].dwell_p90_s: out of range");
  ExpectError(
      e, [](json& j) { j["data"]["zones"][0]["dwell_n"] = 4; },
      "data.zones[0].dwell_n: is above visits");
  ExpectError(
      e, [](json& j) { j["data"]["zones"][0]["dwell_hist"][3] = 1; },
      "data.zones[0].dwell_hist: counts sum to 4, not dwell_n (3)");
  ExpectError(
      e, [](json& j) { j["data"]["zones"][0]["dwell_hist"].erase(0); },
      "data.zones[0].dwell_hist: expected 12 counts, got 11");
  ExpectError(
      e, [](json& j) { j["data"]["zones"][0]["dwell_hist"].push_back(0); },
      "data.zones[0].dwell_hist: more than 12 items");
  ExpectError(
      e, [](json& j) { j["data"]["zones"][0]["dwell_hist"][0] = "1"; },
      "data.zones[0].dwell_hist[0]: expected an integer");
  ExpectError(
      e, [](json& j) { j["data"]["zones"][0].erase("occupancy_max"); },
      "data.zones[0].occupancy_max: missing");
  ExpectError(
      e, [](json& j) { j["data"]["zones"][0]["queue_s"] = 1; },
      "data.zones[0].queue_s: unknown field");
  ExpectError(
      e,
      [](json& j) {
        j["data"]["zones"][0]["dwell_n"] = 0;
        j["data"]["zones"][0]["dwell_hist"] = json::array({0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0});
      },
      "data.zones[0].dwell_mean_s: must be null when dwell_n is 0");
}

TEST(EventV2, DwellHistogramBucketsAndQuantiles) {
  EXPECT_EQ(DwellBucketOf(0), 0u);
  EXPECT_EQ(DwellBucketOf(4.99), 0u);
  EXPECT_EQ(DwellBucketOf(5), 1u);
  EXPECT_EQ(DwellBucketOf(3599), 10u);
  EXPECT_EQ(DwellBucketOf(3600), 11u);
  EXPECT_EQ(DwellBucketOf(1e9), 11u);
  DwellHistogram h{};
  EXPECT_FALSE(DwellQuantileOf(h, 0.9));
  h[2] = 10;  // ten visits of 10..20 s: the 9th lies at 90% of the bucket
  EXPECT_DOUBLE_EQ(*DwellQuantileOf(h, 0.9), 19.0);
  h[11] = 90;  // most visits over an hour: the open bucket answers its lower bound
  EXPECT_DOUBLE_EQ(*DwellQuantileOf(h, 0.9), 3600.0);
}

}  // namespace
}  // namespace touchpoint
