#include "touchpoint/sync/wire.h"

#include <gtest/gtest.h>

namespace touchpoint::sync {
namespace {

TEST(Wire, TopicsAreOneSubtreePerKiosk) {
  KioskTopics t = TopicsFor("touchpoint/v1", "s1", "k1");
  EXPECT_EQ(t.events, "touchpoint/v1/s1/k1/events");
  EXPECT_EQ(t.ack, "touchpoint/v1/s1/k1/ack");
  auto p = ParseTopic("touchpoint/v1", t.events);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->store, "s1");
  EXPECT_EQ(p->kiosk, "k1");
  EXPECT_EQ(p->leaf, "events");
  EXPECT_FALSE(ParseTopic("touchpoint/v1", "touchpoint/v1/s1/k1/x/events"));
  EXPECT_FALSE(ParseTopic("touchpoint/v1", "other/v1/s1/k1/events"));
  EXPECT_FALSE(ParseTopic("touchpoint/v1", "touchpoint/v1/s 1/k1/events"));
}

TEST(Wire, BatchRoundTripKeepsExactEventLines) {
  BatchBuilder b("batch", "k1", "s1");
  b.Add(7, R"({"seq":7})");
  b.Add(9, R"({"seq":9,"x":"a\nb"})");
  std::string payload = b.Finish();
  auto d = DecodeBatch(payload);
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_EQ(d->header.kiosk, "k1");
  EXPECT_EQ(d->header.first, 7u);
  EXPECT_EQ(d->header.last, 9u);
  ASSERT_EQ(d->lines.size(), 2u);
  EXPECT_EQ(d->lines[1], R"({"seq":9,"x":"a\nb"})");
}

TEST(Wire, CompressedBatchesRoundTripAndAreBounded) {
  BatchBuilder b("batch", "k1", "s1");
  std::string line = R"({"schema_version":1,"type":"feedback","touchpoint":"entrance","seq":)";
  for (uint64_t seq = 1; seq <= 500; ++seq) b.Add(seq, line + std::to_string(seq) + "}");
  std::string plain = b.Finish();
  std::string packed = CompressBatch(plain);
  EXPECT_TRUE(IsCompressedBatch(packed));
  EXPECT_FALSE(IsCompressedBatch(plain));
  EXPECT_LT(packed.size() * 5, plain.size());
  auto back = DecompressBatch(packed, plain.size());
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(*back, plain);
  // The content size is checked before anything is decompressed.
  auto big = DecompressBatch(packed, plain.size() - 1);
  ASSERT_FALSE(big.ok());
  EXPECT_NE(big.status().message().find("exceeds the limit"), std::string::npos);
  EXPECT_FALSE(DecompressBatch(packed.substr(0, packed.size() / 2), plain.size()).ok());
  EXPECT_FALSE(DecompressBatch(std::string("\x28\xB5\x2F\xFD garbage", 12), 1000).ok());
}

TEST(Wire, MalformedBatchesSayWhy) {
  EXPECT_NE(DecodeBatch("garbage").status().message().find("header"), std::string::npos);
  auto r =
      DecodeBatch(R"({"v":1,"kind":"batch","kiosk":"k","store":"s","first":1,"last":2,"count":3})"
                  "\n{}\n{}");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("3 but 2 event lines"), std::string::npos);
  EXPECT_FALSE(DecodeBatch(R"({"v":2,"kind":"batch"})").ok());
}

TEST(Wire, BatchBuiltInPlaceEqualsTheCopiedOneInAReusedBuffer) {
  std::string buffer;
  for (int round = 0; round < 3; ++round) {
    // Round 1: so many missing ranges that the header does not fit in the room kept for it.
    // Round 2: no event at all.
    BatchBuilder b("resend", "k1", "s1");
    b.UseBuffer(std::move(buffer));
    for (uint64_t seq = 1; round != 2 && seq <= 200; ++seq) {
      if (round == 1 && seq % 2 == 0) {
        b.AddMissing({seq, seq});
        continue;
      }
      b.Add(seq, R"({"seq":)" + std::to_string(seq) + "}");
    }
    std::string copied = b.Finish();
    if (round == 1) {
      EXPECT_GT(copied.find('\n'), 512u);  // the header is longer than the room
    }
    EXPECT_EQ(b.FinishInPlace(), copied) << "round " << round;
    auto d = DecodeBatch(copied);
    ASSERT_TRUE(d.ok()) << d.status().ToString();
    EXPECT_EQ(d->lines.size(), round == 2 ? 0u : round == 1 ? 100u : 200u);
    buffer = b.TakeBuffer();
  }
}

TEST(Wire, MissingRangesTravelInResendBatches) {
  BatchBuilder b("resend", "k1", "s1");
  b.AddMissing({5, 6});
  b.AddMissing({7, 9});
  auto d = DecodeBatch(b.Finish());
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->header.kind, "resend");
  ASSERT_EQ(d->header.missing.size(), 1u);
  EXPECT_EQ(d->header.missing[0], (SeqRange{5, 9}));
}

TEST(Wire, HubMessagesRoundTrip) {
  HubMessage m{HubMessage::Kind::kResend, {{1, 3}, {10, 10}}};
  auto d = DecodeHubMessage(EncodeHubMessage(m));
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->kind, HubMessage::Kind::kResend);
  EXPECT_EQ(d->ranges, m.ranges);
  EXPECT_FALSE(DecodeHubMessage(R"({"v":1,"kind":"ack","ranges":[[3,1]]})").ok());
  EXPECT_FALSE(DecodeHubMessage("[]").ok());
}

TEST(Wire, RangesMerge) {
  EXPECT_EQ(RangesOf({5, 1, 2, 3, 3, 9}), (std::vector<SeqRange>{{1, 3}, {5, 5}, {9, 9}}));
  EXPECT_EQ(MergeRanges({{5, 8}, {1, 4}, {10, 12}}), (std::vector<SeqRange>{{1, 8}, {10, 12}}));
  // A range ending at the largest seq must not wrap "last + 1" to 0 and stop merging.
  constexpr uint64_t kMax = UINT64_MAX;
  EXPECT_EQ(MergeRanges({{5, kMax}, {6, 7}, {kMax, kMax}}), (std::vector<SeqRange>{{5, kMax}}));
  EXPECT_EQ(RangesOf({kMax, kMax, 3}), (std::vector<SeqRange>{{3, 3}, {kMax, kMax}}));
}

TEST(Wire, RangesStayWithinSqliteIntegers) {
  EXPECT_TRUE(DecodeHubMessage(R"({"v":1,"kind":"ack","ranges":[[1,9223372036854775807]]})").ok());
  auto r = DecodeHubMessage(R"({"v":1,"kind":"ack","ranges":[[1,9223372036854775808]]})");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(),
            "ranges[0]: expected [first,last] with 1 <= first <= last <= 9223372036854775807");
}

}  // namespace
}  // namespace touchpoint::sync
