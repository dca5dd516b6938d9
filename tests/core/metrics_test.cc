// The one definition of the metrics (docs/metrics.md): headline vs per-question scores,
// suspect sessions apart, reasons and their unhappy share, response rate.
#include "touchpoint/core/metrics.h"

#include <gtest/gtest.h>

namespace touchpoint::metrics {
namespace {

Event Feedback(std::vector<Answer> answers, bool suspect = false) {
  FeedbackPayload f;
  f.survey_id = "visit";
  f.answers = std::move(answers);
  f.suspect = suspect;
  Event e;
  e.payload = f;
  return e;
}

Answer Score(const char* id, QuestionType t, int s) { return Answer{id, t, s, {}, ""}; }
Answer Tags(std::vector<std::string> tags) {
  return Answer{"reasons", QuestionType::kTags, std::nullopt, std::move(tags), ""};
}

Event Footfall(int64_t in, int64_t out) {
  FootfallPayload f;
  f.interval_s = 60;
  f.lines = {{"door", in, out}};
  Event e;
  e.payload = f;
  return e;
}

TEST(Metrics, HeadlineIsTheFirstQuestionOfEachTypeAndEveryQuestionIsKept) {
  Sums s;
  s.AddEvent(
      Feedback({Score("store", QuestionType::kCsat, 5), Score("checkout", QuestionType::kCsat, 1),
                Score("recommend", QuestionType::kNps, 10)}));
  s.AddEvent(
      Feedback({Score("store", QuestionType::kCsat, 3), Score("checkout", QuestionType::kCsat, 2),
                Score("recommend", QuestionType::kNps, 6)}));
  Figures f = Compute(s);
  EXPECT_EQ(f.responses, 2);
  EXPECT_EQ(f.csat_n, 2);
  EXPECT_DOUBLE_EQ(*f.csat_mean, 4.0);  // headline: "store" only
  EXPECT_DOUBLE_EQ(*f.csat_satisfied_pct, 50.0);
  EXPECT_DOUBLE_EQ(*f.nps, 0.0);  // one promoter, one detractor
  ASSERT_EQ(f.scored.questions.count("checkout"), 1u);
  EXPECT_DOUBLE_EQ(*f.scored.questions.at("checkout").scores.Mean(), 1.5);
  EXPECT_EQ(f.scored.questions.at("checkout").type, QuestionType::kCsat);
  EXPECT_FALSE(f.effort_mean.has_value());
}

TEST(Metrics, SuspectSessionsAreCountedApartAndLeftOutOfScoresUnlessIncluded) {
  Sums s;
  s.AddEvent(Footfall(10, 8));
  s.AddEvent(Feedback({Score("q", QuestionType::kCsat, 5)}));
  s.AddEvent(Feedback({Score("q", QuestionType::kCsat, 1)}, /*suspect=*/true));
  Figures f = Compute(s);
  EXPECT_EQ(f.responses, 1);
  EXPECT_EQ(f.suspect, 1);
  EXPECT_DOUBLE_EQ(*f.csat_mean, 5.0);
  EXPECT_DOUBLE_EQ(*f.response_rate, 0.1);
  Figures all = Compute(s, /*include_suspect=*/true);
  EXPECT_EQ(all.responses, 2);
  EXPECT_EQ(all.suspect, 1);
  EXPECT_DOUBLE_EQ(*all.csat_mean, 3.0);
  EXPECT_DOUBLE_EQ(*all.response_rate, 0.2);
}

TEST(Metrics, ReasonsCountSessionsAndTheirUnhappyShare) {
  Sums s;
  s.AddEvent(Feedback({Score("q", QuestionType::kCsat, 1), Tags({"queue", "staff", "queue"})}));
  s.AddEvent(Feedback({Score("q", QuestionType::kCsat, 5), Tags({"staff"})}));
  s.AddEvent(Feedback({Score("n", QuestionType::kNps, 3), Tags({"queue"})}));  // no CSAT: NPS
  Figures f = Compute(s);
  EXPECT_EQ(f.scored.reasons.at("queue"), 2);  // named twice in one session: once
  EXPECT_EQ(f.scored.reasons.at("staff"), 2);
  EXPECT_EQ(f.scored.reasons_unhappy.at("queue"), 2);
  EXPECT_EQ(f.scored.reasons_unhappy.at("staff"), 1);
  EXPECT_EQ(f.scored.unhappy, 2);
}

TEST(Metrics, SumsAreAdditiveAndAbandonedSessionsAreNeverScored) {
  Sums a, b, whole;
  std::vector<Event> events = {Footfall(3, 1), Feedback({Score("q", QuestionType::kEffort, 2)}),
                               Feedback({Score("q", QuestionType::kEffort, 6)}, true)};
  FeedbackAbandonedPayload ab;
  ab.answers = {Score("q", QuestionType::kEffort, 7)};
  Event abandoned;
  abandoned.payload = ab;
  events.push_back(abandoned);
  for (size_t i = 0; i < events.size(); ++i) {
    (i % 2 ? a : b).AddEvent(events[i]);
    whole.AddEvent(events[i]);
  }
  a.Add(b);
  EXPECT_EQ(a, whole);
  Figures f = Compute(whole);
  EXPECT_EQ(f.abandoned, 1);
  EXPECT_EQ(f.effort_n, 1);
  EXPECT_DOUBLE_EQ(*f.effort_mean, 2.0);
  EXPECT_EQ(f.visitors_in, 3);
  EXPECT_EQ(whole.counted_s, 60);
}

}  // namespace
}  // namespace touchpoint::metrics
