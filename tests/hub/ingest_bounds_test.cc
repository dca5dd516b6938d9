// Bounded input at the hub (issue 9): a nested-JSON bomb, oversized or over-long batches, acks
// and statuses cost little and are refused with a located reason; JSON output never throws on
// bytes that are not UTF-8. This binary counts every operator new to measure allocation.
#include <gtest/gtest.h>
#include <time.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <new>
#include <string>

#include "ingest.h"
#include "touchpoint/core/event_json.h"
#include "touchpoint/hub/journey_map.h"
#include "touchpoint/sync/wire.h"

namespace {
std::atomic<size_t> g_allocated{0};
}  // namespace

// GCC 12 sees the malloc/free pair through these replacements once inlined and warns.
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
void* operator new(size_t n) {
  g_allocated.fetch_add(n, std::memory_order_relaxed);
  if (void* p = std::malloc(n ? n : 1)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, size_t) noexcept { std::free(p); }

namespace touchpoint::hub {

using sync::BatchBuilder;
using sync::CompressBatch;
using sync::DecodeBatch;
using sync::DecodeHubMessage;
using sync::EncodeHubMessage;
using sync::HubMessage;
using sync::kMaxHubMessageBytes;
using sync::kMaxHubMessageRanges;
using sync::kMaxMissingRanges;
namespace {

constexpr int64_t kNow = 1795000000000;
// The CPU bound of one hostile message: 50 ms natively; a cross build's tests run under
// qemu-user, which emulates each instruction (TOUCHPOINT_EMULATED_CPU_FACTOR, tests/CMakeLists).
#ifndef TOUCHPOINT_EMULATED_CPU_FACTOR
#define TOUCHPOINT_EMULATED_CPU_FACTOR 1
#endif
constexpr double kMaxCpuMs = 50.0 * TOUCHPOINT_EMULATED_CPU_FACTOR;
const std::string kEvents = "touchpoint/v1/s1/k1/events";
const std::string kStatus = "touchpoint/v1/s1/k1/status";

// CPU time of this thread and bytes allocated with operator new while `f` runs.
struct Cost {
  double cpu_ms = 0;
  size_t allocated = 0;
};
template <class F>
Cost Measure(F&& f) {
  timespec a{}, b{};
  size_t before = g_allocated.load();
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &a);
  f();
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &b);
  Cost c;
  c.cpu_ms = static_cast<double>(b.tv_sec - a.tv_sec) * 1e3 +
             static_cast<double>(b.tv_nsec - a.tv_nsec) / 1e6;
  c.allocated = g_allocated.load() - before;
  return c;
}

Event Footfall(uint64_t seq, size_t compacted) {
  Event e;
  e.id = "01890a5d-ac96-774b-bcce-b302099a8057";
  e.kiosk_id = "k1";
  e.store_id = "s1";
  e.touchpoint = "entrance";
  e.journey_stage = "arrive";
  e.seq = seq;
  e.time_ms = 1795000000000;
  FootfallPayload ff;
  ff.interval_start_ms = e.time_ms;
  ff.interval_s = compacted ? 3600 : 60;
  ff.lines = {{"door", 5, 3}};
  ff.occupancy_max = 3;
  // Short numbers, so that even 200,000 of them stay below kMaxEventBytes.
  for (size_t i = 0; i < compacted; ++i) ff.compacted_seqs.push_back(1 + i % 9);
  e.payload = ff;
  return e;
}

std::string Batch(const std::vector<std::string>& lines, uint64_t first = 1, uint64_t last = 1) {
  BatchBuilder b("batch", "k1", "s1");
  for (size_t i = 0; i < lines.size(); ++i) b.Add(i == 0 ? first : last, lines[i]);
  return b.Finish();
}

const IngestPolicy kPolicy;

void ExpectOneReject(const PreparedMessage& p, const std::string& reason) {
  ASSERT_EQ(p.write.rejects.size(), 1u);
  EXPECT_EQ(p.write.rejects[0].reason, reason);
  EXPECT_TRUE(p.write.events.empty());
  EXPECT_TRUE(p.acked.empty());
}

TEST(IngestBounds, CompressedNestingBombCostsLittle) {
  // The measured attack: ~4 MB of [[[[... in a zstd frame of a few hundred bytes.
  std::string bomb(4000000, '[');
  std::string payload = CompressBatch(bomb);
  ASSERT_LT(payload.size(), 1000u);
  PreparedMessage p;
  Cost c = Measure([&] { p = PrepareMessage(kPolicy, kEvents, payload, kNow); });
  ExpectOneReject(p, "malformed batch: header: 4000000 bytes exceeds the limit of 524288");
  std::printf("[ measured ] %zu-byte bomb: %.2f ms CPU, %zu bytes allocated\n", payload.size(),
              c.cpu_ms, c.allocated);
  EXPECT_LT(c.cpu_ms, kMaxCpuMs);
  EXPECT_LT(c.allocated, size_t{20} << 20);

  // Within the header's size limit it is the depth that stops it, before nlohmann parses.
  std::string header_bomb = CompressBatch(std::string(500000, '[') + "\n");
  c = Measure([&] { p = PrepareMessage(kPolicy, kEvents, header_bomb, kNow); });
  ExpectOneReject(p, "malformed batch: header: nested deeper than 3 levels");
  EXPECT_LT(c.cpu_ms, kMaxCpuMs);
  EXPECT_LT(c.allocated, size_t{20} << 20);

  // As an event line after a valid header: refused for its size, or its depth, and never
  // parsed again to find a seq (there is none to trust).
  for (size_t n : {size_t{3} << 20, size_t{500000}}) {
    std::string line = "{\"seq\":5,\"x\":" + std::string(n, '[');
    std::string batch = CompressBatch(Batch({line}));
    c = Measure([&] { p = PrepareMessage(kPolicy, kEvents, batch, kNow); });
    ASSERT_EQ(p.write.rejects.size(), 1u);
    EXPECT_EQ(p.write.rejects[0].reason,
              n > kMaxEventBytes
                  ? "event line 1: event: " + std::to_string(line.size()) +
                        " bytes exceeds the limit of " + std::to_string(kMaxEventBytes)
                  : std::string("event line 1: event: nested deeper than 32 levels"));
    EXPECT_FALSE(p.write.rejects[0].seq.has_value());
    EXPECT_TRUE(p.acked.empty());
    EXPECT_LT(c.cpu_ms, kMaxCpuMs);
    EXPECT_LT(c.allocated, size_t{20} << 20);
  }
}

TEST(IngestBounds, StatusAndHubMessageBombs) {
  PreparedMessage p;
  std::string status_bomb(60000, '[');
  Cost c = Measure([&] { p = PrepareMessage(kPolicy, kStatus, status_bomb, kNow); });
  ExpectOneReject(p, "status: payload: nested deeper than 4 levels");
  EXPECT_TRUE(p.write.statuses.empty());
  EXPECT_LT(c.cpu_ms, kMaxCpuMs);
  EXPECT_LT(c.allocated, size_t{1} << 20);

  Result<HubMessage> m = Status::Internal("unset");
  std::string bomb(4000000, '[');
  c = Measure([&] { m = DecodeHubMessage(bomb); });
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.status().message(), "message: nested deeper than 3 levels");
  EXPECT_LT(c.cpu_ms, kMaxCpuMs);
  EXPECT_LT(c.allocated, size_t{1} << 20);
  auto big = DecodeHubMessage(std::string(kMaxHubMessageBytes + 1, ' '));
  ASSERT_FALSE(big.ok());
  EXPECT_EQ(big.status().message(), "message: " + std::to_string(kMaxHubMessageBytes + 1) +
                                        " bytes exceeds the limit of " +
                                        std::to_string(kMaxHubMessageBytes));
}

TEST(IngestBounds, StatusTextIsShortAndPrintable) {
  auto status = [](const std::string& version) {
    return R"({"v":1,"state":"online","kiosk":"k1","store":"s1","software_version":)" + version +
           "}";
  };
  auto ok = PrepareMessage(kPolicy, kStatus, status(R"("0.1.0+g1234")"), kNow);
  ASSERT_EQ(ok.write.statuses.size(), 1u);
  EXPECT_EQ(ok.write.statuses[0].software_version, "0.1.0+g1234");
  ExpectOneReject(PrepareMessage(kPolicy, kStatus, status(R"("1.0\u001b[2J")"), kNow),
                  R"(status: software_version: "1.0\u001b[2J" has control characters)");
  ExpectOneReject(PrepareMessage(kPolicy, kStatus, status('"' + std::string(129, 'v') + '"'), kNow),
                  "status: software_version: longer than 128");
}

TEST(IngestBounds, TwoHundredThousandCompactedSeqsAreRefusedAndTheNextBatchIsNot) {
  std::string attack = CompressBatch(Batch({EncodeEvent(Footfall(7, 200000))}, 7, 7));
  PreparedMessage p;
  Cost c = Measure([&] { p = PrepareMessage(kPolicy, kEvents, attack, kNow); });
  ASSERT_EQ(p.write.rejects.size(), 1u);
  EXPECT_EQ(p.write.rejects[0].reason, "event line 1: data.compacted_seqs: more than 10000 items");
  EXPECT_EQ(p.write.rejects[0].seq, 7u) << "a well-formed event keeps its seq in the reject";
  EXPECT_EQ(p.acked, std::vector<uint64_t>{7}) << "acknowledged as finally rejected";
  EXPECT_TRUE(p.write.events.empty());
  EXPECT_LT(c.cpu_ms, 200.0);

  auto next = PrepareMessage(kPolicy, kEvents, Batch({EncodeEvent(Footfall(8, 3600))}, 8, 8), kNow);
  EXPECT_TRUE(next.write.rejects.empty());
  ASSERT_EQ(next.write.events.size(), 1u);
  EXPECT_EQ(next.acked, std::vector<uint64_t>{8});
}

TEST(IngestBounds, BatchHeaderAndAckLimits) {
  std::string line = EncodeEvent(Footfall(1, 0));
  auto over = DecodeBatch(R"({"v":1,"kind":"batch","kiosk":"k1","store":"s1","first":1,"last":1,)"
                          R"("count":100001})"
                          "\n" +
                          line);
  ASSERT_FALSE(over.ok());
  EXPECT_EQ(over.status().message(), "header.count: 100001 exceeds the limit of 100000");

  BatchBuilder many("resend", "k1", "s1");
  for (uint64_t s = 1; s <= 2 * (kMaxMissingRanges + 1); s += 2) many.AddMissing({s, s});
  auto missing = DecodeBatch(many.Finish());
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().message(), "header.missing: 10001 ranges exceed the limit of 10000");

  HubMessage ack{HubMessage::Kind::kAck, {}};
  for (uint64_t s = 1; s <= 2 * (kMaxHubMessageRanges + 1); s += 2) ack.ranges.push_back({s, s});
  auto r = DecodeHubMessage(EncodeHubMessage(ack));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "ranges: 100001 ranges exceed the limit of 100000");
  ack.ranges.resize(20000);  // what one hub commit can ack at most
  EXPECT_TRUE(DecodeHubMessage(EncodeHubMessage(ack)).ok());

  // More lines than the header says are counted, not kept.
  std::string two = Batch({line, line}, 1, 1);
  two.replace(two.find("\"count\":2"), 9, "\"count\":1");
  auto extra = DecodeBatch(two);
  ASSERT_FALSE(extra.ok());
  EXPECT_EQ(extra.status().message(), "header.count: 1 but 2 event lines");
}

TEST(IngestBounds, RejectReasonsCarryNoControlCharacters) {
  std::string line = EncodeEvent(Footfall(3, 0));
  line.replace(line.find("\"door\""), 6, R"("door\u001b]0;owned\u0007\n")");
  line.replace(line.find("\"footfall\""), 10, R"("foot\r\nfall")");
  HubWrite w;
  PrepareImportLine(kPolicy, line, "usb.jsonl", 12, kNow, &w);
  ASSERT_EQ(w.rejects.size(), 1u);
  EXPECT_EQ(w.rejects[0].reason,
            R"(type: "foot\u000d\u000afall" is not one of feedback, feedback_abandoned, )"
            "footfall, coverage, status");
  EXPECT_EQ(w.rejects[0].source, "import:usb.jsonl:12");
  EXPECT_FALSE(w.rejects[0].seq.has_value()) << "an import's malformed line has no trusted seq";
}

TEST(IngestBounds, JsonOutputNeverThrowsOnInvalidUtf8) {
  std::string payload;
  EXPECT_NO_THROW(payload = BatchBuilder("batch", "k\xff\xfe", "s1").Finish());
  EXPECT_NE(payload.find("k\xEF\xBF\xBD\xEF\xBF\xBD"), std::string::npos) << payload;

  MapCell cell;
  cell.store = "s\xc3";
  cell.touchpoint = "t";
  cell.stage = "g";
  cell.top_reasons = {{"bad \xff tag", 2}};
  std::string out;
  EXPECT_NO_THROW(out = FormatJourneyMap({cell}, MapFormat::kJson));
  EXPECT_NE(out.find("bad \xEF\xBF\xBD tag"), std::string::npos) << out;
}

}  // namespace
}  // namespace touchpoint::hub
