// Bounded input (issue 9): DecodeEvent's limits hold before and while parsing, its messages
// quote input only escaped, and the helpers in input_bounds.h do what they say.
#include <gtest/gtest.h>
#include <time.h>

#include <string>

#include "touchpoint/core/event_json.h"
#include "touchpoint/core/input_bounds.h"

namespace touchpoint {
namespace {

Event Footfall(std::vector<uint64_t> compacted) {
  Event e;
  e.id = "01890a5d-ac96-774b-bcce-b302099a8057";
  e.kiosk_id = "k1";
  e.store_id = "s1";
  e.touchpoint = "entrance";
  e.journey_stage = "arrive";
  e.seq = 77;
  e.time_ms = 1795000000000;
  FootfallPayload ff;
  ff.interval_start_ms = 1795000000000;
  ff.interval_s = 3600;
  ff.lines = {{"door", 5, 3}};
  ff.occupancy_max = 3;
  ff.compacted_seqs = std::move(compacted);
  e.payload = ff;
  return e;
}

Event StatusEvent(std::vector<std::string> problems) {
  Event e = Footfall({});
  StatusPayload st;
  st.software_version = "0.1.0";
  st.camera_state = "ok";
  st.problems = std::move(problems);
  e.payload = st;
  return e;
}

double ThreadCpuMs() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) * 1e3 + static_cast<double>(ts.tv_nsec) / 1e6;
}

bool HasControlCharacter(const std::string& s) {
  for (char c : s) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) return true;
  }
  return false;
}

// Short numbers, so that even 200,000 of them stay below kMaxEventBytes.
std::vector<uint64_t> Seqs(size_t n) {
  std::vector<uint64_t> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = 1 + i % 9;
  return v;
}

TEST(EventBounds, CompactedSeqsAreCappedAboveWhatTheKioskCanMake) {
  // MergeHour folds at most one hour of >= 1 s intervals: 3,600 seqs.
  auto ok = DecodeEvent(EncodeEvent(Footfall(Seqs(3600))));
  ASSERT_TRUE(ok.ok()) << ok.status().message();
  EXPECT_EQ(std::get<FootfallPayload>(ok->payload).compacted_seqs.size(), 3600u);
  ASSERT_TRUE(DecodeEvent(EncodeEvent(Footfall(Seqs(kMaxCompactedSeqs)))).ok());

  std::string attack = EncodeEvent(Footfall(Seqs(200000)));
  ASSERT_LT(attack.size(), kMaxEventBytes) << "the cap, not the size limit, must refuse it";
  double t0 = ThreadCpuMs();
  uint64_t claimed = 0;
  auto r = DecodeEvent(attack, &claimed);
  double cpu_ms = ThreadCpuMs() - t0;
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "data.compacted_seqs: more than 10000 items");
  EXPECT_EQ(claimed, 77u) << "a well-formed event that breaks a rule still names its seq";
  EXPECT_LT(cpu_ms, 200.0);
}

TEST(EventBounds, OversizedEventIsRefusedBeforeParsing) {
  std::string huge = EncodeEvent(StatusEvent({"x"}));
  huge.insert(huge.size() - 2, std::string(kMaxEventBytes, ' '));  // still valid JSON
  uint64_t claimed = 1;
  auto r = DecodeEvent(huge, &claimed);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "event: " + std::to_string(huge.size()) +
                                      " bytes exceeds the limit of " +
                                      std::to_string(kMaxEventBytes));
  EXPECT_EQ(claimed, 0u);
}

TEST(EventBounds, StringsInArraysHaveLimitsToo) {
  auto r = DecodeEvent(EncodeEvent(StatusEvent({std::string(5000, 'p')})));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "data.problems[0]: longer than 4096");
  ASSERT_TRUE(DecodeEvent(EncodeEvent(StatusEvent({std::string(4096, 'p')}))).ok());

  Event fb = Footfall({});
  FeedbackPayload f;
  f.survey_id = "visit";
  f.language = "en";
  f.answers = {Answer{"why", QuestionType::kTags, std::nullopt, {std::string(65, 't')}, ""}};
  fb.payload = f;
  auto t = DecodeEvent(EncodeEvent(fb));
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.status().message(), "data.answers[0].tags[0]: longer than 64");
}

TEST(EventBounds, LongNumbersAreNotParsed) {
  std::string text = EncodeEvent(StatusEvent({}));
  const std::string fps = "\"camera_fps\":0.0";
  ASSERT_NE(text.find(fps), std::string::npos);
  text.replace(text.find(fps), fps.size(), "\"camera_fps\":0." + std::string(1100, '0') + "1");
  auto r = DecodeEvent(text);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "event: not valid JSON");
}

TEST(EventBounds, InputQuotedInMessagesIsEscaped) {
  std::string text = EncodeEvent(StatusEvent({}));
  std::string with_type = text;
  with_type.replace(with_type.find("\"status\""), 8, R"("\u001b[2J\nstatus\u0007")");
  auto r = DecodeEvent(with_type);
  ASSERT_FALSE(r.ok());
  EXPECT_FALSE(HasControlCharacter(r.status().message())) << r.status().message();
  EXPECT_EQ(r.status().message(),
            R"(type: "\u001b[2J\u000astatus\u0007" is not one of feedback, feedback_abandoned, )"
            "footfall, coverage, status");

  std::string with_key = text;
  with_key.insert(1, "\"evil\\r\\nkey" + std::string(200, 'k') + "\":1,");
  auto k = DecodeEvent(with_key);
  ASSERT_FALSE(k.ok());
  EXPECT_FALSE(HasControlCharacter(k.status().message()));
  EXPECT_EQ(k.status().message(),
            "evil\\u000d\\u000akey" + std::string(55, 'k') + "...: unknown field");
}

TEST(EventBounds, ClaimedSeqOnlyFromValidJson) {
  std::string text = EncodeEvent(StatusEvent({}));
  uint64_t claimed = 0;
  std::string bad_field = text;
  bad_field.replace(bad_field.find("\"ok\""), 4, "42");
  EXPECT_FALSE(DecodeEvent(bad_field, &claimed).ok());
  EXPECT_EQ(claimed, 77u);
  std::string broken = text.substr(0, text.size() - 1);
  EXPECT_FALSE(DecodeEvent(broken, &claimed).ok());
  EXPECT_EQ(claimed, 0u);
  std::string deep = text;
  deep.insert(1, "\"x\":" + std::string(100, '[') + std::string(100, ']') + ",");
  auto d = DecodeEvent(deep, &claimed);
  EXPECT_FALSE(d.ok());
  EXPECT_EQ(d.status().message(), "event: nested deeper than 32 levels");
  EXPECT_EQ(claimed, 0u);
  EXPECT_TRUE(DecodeEvent(text, &claimed).ok());
  EXPECT_EQ(claimed, 0u);
}

TEST(InputBounds, EscapeForMessage) {
  EXPECT_EQ(EscapeForMessage("plain text, ünïcode ok"), "plain text, ünïcode ok");
  EXPECT_EQ(EscapeForMessage("a\nb\x1b[0m\x7f"), "a\\u000ab\\u001b[0m\\u007f");
  EXPECT_EQ(EscapeForMessage("back\\slash"), "back\\\\slash");
  EXPECT_EQ(EscapeForMessage("bad \xff\xc3( utf8"), "bad \\xff\\xc3( utf8");
  EXPECT_EQ(EscapeForMessage("\xc2\x9b"
                             "31m C1 CSI"),
            "\\u009b31m C1 CSI");
  EXPECT_EQ(EscapeForMessage("\xed\xa0\x80"), "\\xed\\xa0\\x80") << "a surrogate is not UTF-8";
  EXPECT_EQ(EscapeForMessage(std::string(100, 'a'), 10), std::string(10, 'a') + "...");
  EXPECT_EQ(EscapeForMessage("aaaa\xe2\x82\xac", 5), "aaaa\xe2\x82\xac")
      << "a character is never cut in two";
  EXPECT_EQ(QuoteForMessage("x\ty"), "\"x\\u0009y\"");
}

TEST(InputBounds, CheckJsonBounds) {
  EXPECT_TRUE(CheckJsonBounds(R"({"a":[[1,2]],"b":"[[[[[[["})", 100, 3, "h").ok());
  EXPECT_TRUE(CheckJsonBounds(R"({"a":"\"[[[[[["})", 100, 1, "h").ok());
  Status deep = CheckJsonBounds(R"({"a":[[[1]]]})", 100, 3, "header");
  EXPECT_EQ(deep.message(), "header: nested deeper than 3 levels");
  Status big = CheckJsonBounds(std::string(101, ' '), 100, 3, "message");
  EXPECT_EQ(big.message(), "message: 101 bytes exceeds the limit of 100");
  std::string bomb(4 << 20, '[');
  double t0 = ThreadCpuMs();
  EXPECT_FALSE(CheckJsonBounds(bomb, 8 << 20, 32, "x").ok());
  EXPECT_LT(ThreadCpuMs() - t0, 50.0);
}

}  // namespace
}  // namespace touchpoint
