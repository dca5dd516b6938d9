#include "survey_session.h"

#include <gtest/gtest.h>

#include "text_entry.h"

namespace touchpoint::ui {
namespace {

std::shared_ptr<const SurveyDefinition> Survey(bool free_text = false) {
  SurveyDefinition s = DefaultSurvey();  // overall (csat), reasons (tags, max 3), recommend (nps)
  Question effort;
  effort.id = "effort";
  effort.type = QuestionType::kEffort;
  effort.prompt = {{"en", "How easy was it?"}};
  s.questions.push_back(effort);
  Question text;
  text.id = "comment";
  text.type = QuestionType::kText;
  text.optional = true;
  text.prompt = {{"en", "Anything else?"}};
  s.questions.push_back(text);
  s.free_text = free_text;
  return std::make_shared<const SurveyDefinition>(s);
}

TEST(SurveySessionTest, FullSessionBuildsFeedbackWithEveryAnswer) {
  SurveySession s(Survey(), "en", 1000);
  EXPECT_EQ(s.total(), 4) << "the free-text question is hidden while free_text is off";
  s.AnswerScore(4);
  EXPECT_TRUE(s.ToggleTag("staff"));
  EXPECT_TRUE(s.ToggleTag("queue"));
  EXPECT_TRUE(s.ToggleTag("price"));
  EXPECT_FALSE(s.ToggleTag("clean")) << "max_tags is 3";
  EXPECT_TRUE(s.ToggleTag("queue"));  // toggles off
  s.Next();
  s.AnswerScore(42);  // clamped to the NPS range
  s.Back();
  EXPECT_EQ(s.current().id, "recommend");
  s.AnswerScore(9);
  s.AnswerScore(6);
  ASSERT_TRUE(s.finished());
  FeedbackPayload p = s.ToFeedback(8500);
  EXPECT_EQ(p.survey_id, "default");
  EXPECT_EQ(p.language, "en");
  EXPECT_EQ(p.duration_ms, 7500);
  ASSERT_EQ(p.answers.size(), 4u);
  EXPECT_EQ(p.answers[0].score, 4);
  EXPECT_EQ(p.answers[1].tags, (std::vector<std::string>{"staff", "price"}));
  EXPECT_EQ(p.answers[2].score, 9);
  EXPECT_EQ(p.answers[3].type, QuestionType::kEffort);
  EXPECT_EQ(p.answers[3].score, 6);
}

TEST(SurveySessionTest, FreeTextQuestionShownOnlyWhenEnabled) {
  SurveySession s(Survey(true), "en", 0);
  EXPECT_EQ(s.total(), 5);
}

TEST(SurveySessionTest, FreeTextIsTrimmedAndEmptyTextIsSkipped) {
  SurveySession s(Survey(true), "en", 0);
  s.AnswerScore(4);
  s.Next();
  s.AnswerScore(9);
  s.AnswerScore(6);
  ASSERT_EQ(s.current().type, QuestionType::kText);
  EXPECT_TRUE(s.CanGoNext()) << "the comment is optional";
  s.SetText("   ");
  EXPECT_EQ(s.text(), "   ");
  EXPECT_EQ(s.answered(), 3) << "white space is no answer";
  s.SetText("  Great café  ");
  EXPECT_EQ(s.answered(), 4);
  s.Back();
  EXPECT_EQ(s.current().id, "effort");
  s.AnswerScore(6);
  EXPECT_EQ(s.text(), "  Great café  ") << "the draft is kept when going back";
  s.Next();
  ASSERT_TRUE(s.finished());
  FeedbackPayload p = s.ToFeedback(5000);
  ASSERT_EQ(p.answers.size(), 4u);
  EXPECT_EQ(p.answers[3].question_id, "comment");
  EXPECT_EQ(p.answers[3].type, QuestionType::kText);
  EXPECT_EQ(p.answers[3].text, "Great café");

  SurveySession blank(Survey(true), "en", 0);
  blank.AnswerScore(4);
  blank.Next();
  blank.AnswerScore(9);
  blank.AnswerScore(6);
  blank.SetText("   ");
  blank.Next();
  ASSERT_TRUE(blank.finished());
  EXPECT_EQ(blank.ToFeedback(5000).answers.size(), 3u) << "empty text = skipped";
}

TEST(SurveySessionTest, FreeTextIsLimitedAndCountedWhenAbandoned) {
  SurveySession s(Survey(true), "en", 0);
  s.AnswerScore(4);
  s.Next();
  s.AnswerScore(9);
  s.AnswerScore(6);
  std::string lots;
  for (int i = 0; i < 400; ++i) lots += "é";
  s.SetText(lots);
  EXPECT_EQ(CharCount(s.text()), kMaxAnswerChars);
  s.SetText(" Slow queue ");
  FeedbackAbandonedPayload p = s.ToAbandoned(60'000);
  EXPECT_EQ(p.questions_total, 5);
  EXPECT_EQ(p.questions_answered, 4);
  EXPECT_EQ(p.last_question_id, "comment");
  ASSERT_EQ(p.answers.size(), 4u);
  EXPECT_EQ(p.answers[3].text, "Slow queue");
}

TEST(SurveySessionTest, RequiredTextNeedsMoreThanWhiteSpace) {
  SurveyDefinition def = *Survey(true);
  def.questions.back().optional = false;
  SurveySession s(std::make_shared<const SurveyDefinition>(def), "en", 0);
  s.AnswerScore(4);
  s.Next();
  s.AnswerScore(9);
  s.AnswerScore(6);
  EXPECT_FALSE(s.CanGoNext());
  s.SetText("  ");
  EXPECT_FALSE(s.CanGoNext());
  s.SetText("ok");
  EXPECT_TRUE(s.CanGoNext());
}

TEST(SurveySessionTest, AbandonedRecordsHowFarTheShopperGot) {
  SurveySession s(Survey(), "de", 0);
  s.AnswerScore(2);
  s.ToggleTag("queue");
  FeedbackAbandonedPayload p = s.ToAbandoned(30'000);
  EXPECT_EQ(p.questions_total, 4);
  EXPECT_EQ(p.questions_answered, 2) << "the reasons chosen so far count";
  EXPECT_EQ(p.last_question_id, "reasons");
  EXPECT_EQ(p.language, "de");
  EXPECT_EQ(p.duration_ms, 30'000);
  ASSERT_EQ(p.answers.size(), 2u);
}

TEST(SurveySessionTest, SkippedOptionalQuestionHasNoAnswer) {
  SurveySession s(Survey(), "en", 0);
  s.AnswerScore(5);
  EXPECT_TRUE(s.CanGoNext()) << "reasons is optional";
  s.Next();
  s.AnswerScore(10);
  s.AnswerScore(7);
  EXPECT_EQ(s.ToFeedback(10'000).answers.size(), 3u);
}

TEST(SpamGuardTest, FlagsRapidRepeatsAndImplausiblySpeedyRuns) {
  SpamGuard g(20'000);
  EXPECT_EQ(g.Check(0, 8'000, 3), "");
  g.RecordSubmitted(8'000);
  EXPECT_NE(g.Check(12'000, 20'000, 3).find("rapid_repeat"), std::string::npos);
  EXPECT_EQ(g.Check(30'000, 38'000, 3), "");
  EXPECT_NE(g.Check(60'000, 60'300, 3).find("too_fast"), std::string::npos);
}

}  // namespace
}  // namespace touchpoint::ui
