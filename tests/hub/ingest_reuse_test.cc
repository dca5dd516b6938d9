// The hub's decode threads decode each message into the events of one already written (their
// memory reused): what they produce must be exactly what a fresh decode produces, whatever type
// and contents the reused events had.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "ingest.h"
#include "sync_test_util.h"
#include "touchpoint/core/event_json.h"
#include "touchpoint/sync/wire.h"

namespace touchpoint::hub {
namespace {

using synctest::kT0;

// Every field of two HubEvents, by name in the failure message.
void ExpectSame(const HubEvent& a, const HubEvent& b, size_t i) {
  SCOPED_TRACE("event " + std::to_string(i));
  EXPECT_EQ(a.kiosk, b.kiosk);
  EXPECT_EQ(a.store, b.store);
  EXPECT_EQ(a.touchpoint, b.touchpoint);
  EXPECT_EQ(a.stage, b.stage);
  EXPECT_EQ(a.id, b.id);
  EXPECT_EQ(a.seq, b.seq);
  EXPECT_EQ(a.type, b.type);
  EXPECT_EQ(a.time_ms, b.time_ms);
  EXPECT_EQ(a.utc_offset_min, b.utc_offset_min);
  EXPECT_EQ(a.source, b.source);
  EXPECT_EQ(a.time_out_of_range, b.time_out_of_range);
  EXPECT_EQ(a.json, b.json);
  EXPECT_EQ(a.block, b.block);
  EXPECT_EQ(a.block_offset, b.block_offset);
  EXPECT_EQ(a.visitors_in, b.visitors_in);
  EXPECT_EQ(a.visitors_out, b.visitors_out);
  EXPECT_EQ(a.interval_s, b.interval_s);
  EXPECT_EQ(a.compacted, b.compacted);
  ASSERT_EQ(a.zones.size(), b.zones.size());
  for (size_t z = 0; z < a.zones.size(); ++z) EXPECT_EQ(a.zones[z].id, b.zones[z].id);
  ASSERT_EQ(a.answers.size(), b.answers.size());
  for (size_t k = 0; k < a.answers.size(); ++k) {
    EXPECT_EQ(a.answers[k].question_id, b.answers[k].question_id);
    EXPECT_EQ(a.answers[k].type, b.answers[k].type);
    EXPECT_EQ(a.answers[k].score, b.answers[k].score);
    EXPECT_EQ(a.answers[k].tags, b.answers[k].tags);
    EXPECT_EQ(a.answers[k].text, b.answers[k].text);
  }
  EXPECT_EQ(a.context, b.context);
  EXPECT_EQ(a.suspect, b.suspect);
  EXPECT_EQ(a.coverage_source, b.coverage_source);
  EXPECT_EQ(a.coverage_start_ms, b.coverage_start_ms);
  EXPECT_EQ(a.coverage_end_ms, b.coverage_end_ms);
}

TEST(IngestReuse, EventsFilledAgainEqualFreshOnes) {
  KioskConfig kiosk = synctest::Kiosk("k1", "s1", "checkout");
  EventStamper st(kiosk, std::make_shared<ManualClock>(kT0));
  // Every kind of content a reused event may carry into the next: answers with tags, a
  // suspect session, footfall with compacted seqs, coverage, and events of other types.
  std::vector<Event> events;
  for (int i = 0; i < 24; ++i) {
    int64_t t = kT0 + i * 1000;
    switch (i % 6) {
      case 0:
        events.push_back(synctest::Feedback(st, t, 1 + i % 5, /*with_reason=*/true));
        break;
      case 1: {
        Event e = synctest::Footfall(st, t, i, 1);
        std::get<FootfallPayload>(e.payload).compacted_seqs = {3, 4, 5, 9};
        events.push_back(e);
        break;
      }
      case 2: {
        Event e = synctest::Feedback(st, t, 2, /*with_reason=*/false);
        auto& p = std::get<FeedbackPayload>(e.payload);
        p.suspect = true;
        p.suspect_reason = "rapid repeated sessions";
        p.context = FeedbackContext{3, 17, 1};
        events.push_back(e);
        break;
      }
      case 3: {
        CoveragePayload c;
        c.source = "camera";
        c.start_ms = t - 60000;
        c.end_ms = t;
        c.reason = "frame_timeout";
        events.push_back(st.MakeAt(c, t));
        break;
      }
      case 4:
        events.push_back(synctest::Footfall(st, t, 0, 0));
        break;
      default:
        events.push_back(synctest::Feedback(st, t, 5, /*with_reason=*/false));
    }
    events.back().seq = static_cast<uint64_t>(i + 1);
    events.back().boot_count = 1;
  }
  // Batches of different subsets (in seq order), so that each event lands on reused events of
  // other types.
  auto batch = [&](size_t step, size_t offset, bool compress) {
    sync::BatchBuilder b("batch", "k1", "s1");
    for (size_t i = offset; i < events.size(); i += step) {
      b.Add(events[i].seq, EncodeEvent(events[i]));
    }
    std::string plain = b.Finish();
    return compress ? sync::CompressBatch(plain) : plain;
  };
  const std::vector<std::string> payloads = {batch(1, 0, true),  batch(2, 1, true),
                                             batch(1, 3, false), batch(3, 2, true),
                                             batch(1, 0, false), batch(5, 4, true)};
  KioskRegistry registry = {{"k1", "s1"}};
  IngestPolicy policy;
  policy.registered = &registry;
  const std::string topic = "touchpoint/v1/s1/k1/events";
  const int64_t now = kT0 + 3600 * 1000;
  std::vector<HubEvent> recycled;
  for (size_t m = 0; m < payloads.size(); ++m) {
    SCOPED_TRACE("message " + std::to_string(m));
    PreparedMessage fresh = PrepareMessage(policy, topic, payloads[m], now);
    PreparedMessage reused = PrepareMessage(policy, topic, payloads[m], now, &recycled);
    EXPECT_TRUE(recycled.empty());
    ASSERT_TRUE(fresh.write.rejects.empty()) << fresh.write.rejects[0].reason;
    EXPECT_TRUE(reused.write.rejects.empty());
    EXPECT_EQ(fresh.acked, reused.acked);
    EXPECT_EQ(fresh.write.blocks, reused.write.blocks);
    ASSERT_EQ(fresh.write.events.size(), reused.write.events.size());
    for (size_t i = 0; i < fresh.write.events.size(); ++i) {
      ExpectSame(fresh.write.events[i], reused.write.events[i], i);
    }
    recycled = std::move(reused.write.events);
  }
}

}  // namespace
}  // namespace touchpoint::hub
