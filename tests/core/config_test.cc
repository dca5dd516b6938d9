#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <vector>

#include "test_support.h"
#include "touchpoint/core/config.h"

namespace touchpoint {
namespace {

constexpr const char* kMinimal = "[kiosk]\nkiosk_id = \"k1\"\nstore_id = \"s1\"\n";

std::string ErrorOf(const std::string& text) {
  auto r = ParseConfig(text, "kiosk.toml");
  EXPECT_FALSE(r.ok()) << "accepted:\n" << text;
  return r.ok() ? "" : r.status().message();
}

void ExpectContains(const std::string& haystack, const std::string& needle) {
  EXPECT_NE(haystack.find(needle), std::string::npos) << haystack << "\n-- expected: " << needle;
}

TEST(Config, ExampleConfigIsValid) {
  auto r = ParseConfig(ExampleConfigToml(), "example");
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->kiosk.kiosk_id, "kiosk-01");
  EXPECT_EQ(r->camera.lines.size(), 1u);
  EXPECT_TRUE(r->camera.lines[0].normalized);
  EXPECT_EQ(r->survey.languages, (std::vector<std::string>{"en", "de"}));
  EXPECT_EQ(r->survey.questions.size(), 4u);
  EXPECT_EQ(r->survey.questions[1].tags.size(), 4u);
  EXPECT_EQ(r->survey.questions[1].tags[0].label.at("de"), "Freundliches Personal");
  EXPECT_EQ(r->version.size(), 12u);
}

TEST(Config, MinimalConfigGetsDefaults) {
  auto r = ParseConfig(kMinimal, "kiosk.toml");
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->kiosk.touchpoint, "entrance");
  EXPECT_EQ(r->kiosk.disk_budget_mb, 512);
  EXPECT_FALSE(r->camera.enabled);
  EXPECT_EQ(r->mqtt.uri, "tcp://127.0.0.1:1883");
  EXPECT_EQ(r->ui.idle_timeout_s, 30);
  EXPECT_EQ(r->ui.renderer, "auto");
  EXPECT_FALSE(r->survey.questions.empty());  // the built-in default survey
}

TEST(Config, PersonHeightsAtTwoRowsAreRead) {
  auto r =
      ParseConfig(std::string(kMinimal) + "[camera]\nperson_heights = [[150, 46], [280.5, 90]]\n",
                  "kiosk.toml");
  ASSERT_TRUE(r.ok()) << r.status().message();
  ASSERT_EQ(r->camera.person_heights.size(), 2u);
  EXPECT_DOUBLE_EQ(r->camera.person_heights[0][0], 150);
  EXPECT_DOUBLE_EQ(r->camera.person_heights[0][1], 46);
  EXPECT_DOUBLE_EQ(r->camera.person_heights[1][0], 280.5);
  EXPECT_DOUBLE_EQ(r->camera.person_heights[1][1], 90);
  auto d = ParseConfig(kMinimal, "kiosk.toml");
  ASSERT_TRUE(d.ok());
  EXPECT_TRUE(d->camera.person_heights.empty());  // not given: learned from tracks
}

TEST(Config, ErrorsCarryFileLineAndColumn) {
  std::string err = ErrorOf(std::string(kMinimal) + "disk_budget_mb = 0\ncolour = \"red\"\n");
  ExpectContains(err, "kiosk.toml:4:18: kiosk.disk_budget_mb: 0 is out of range 1..");
  ExpectContains(err, "kiosk.toml:5:1: kiosk.colour: unknown key");
}

TEST(Config, WrongTypes) {
  ExpectContains(ErrorOf("[kiosk]\nkiosk_id = 5\nstore_id = \"s\"\n"),
                 "kiosk.toml:2:12: kiosk.kiosk_id: expected a string");
  ExpectContains(ErrorOf(std::string(kMinimal) + "[ui]\nfullscreen = \"yes\"\n"),
                 "kiosk.toml:5:14: ui.fullscreen: expected true or false");
  ExpectContains(ErrorOf(std::string(kMinimal) + "[mqtt]\nlinger_ms = 1.5\n"),
                 "mqtt.linger_ms: expected an integer");
  ExpectContains(ErrorOf("camera = 3\n" + std::string(kMinimal)),
                 "kiosk.toml:1:10: camera: expected a table");
}

TEST(Config, MissingRequiredKeys) {
  ExpectContains(ErrorOf("[kiosk]\nstore_id = \"s\"\n"), "kiosk.kiosk_id: missing (required)");
  ExpectContains(ErrorOf("[ui]\n"), "[kiosk]: missing");
}

TEST(Config, SyntaxErrorHasPosition) {
  std::string err = ErrorOf("[kiosk]\nkiosk_id = \"k1\nstore_id = \"s\"\n");
  ExpectContains(err, "kiosk.toml:2:");
}

TEST(Config, UnknownSectionIsRejected) {
  ExpectContains(ErrorOf(std::string(kMinimal) + "[camrea]\nenabled = true\n"),
                 "kiosk.toml:4:2: camrea: unknown key");
}

TEST(Config, CameraLinesAreChecked) {
  std::string base = std::string(kMinimal) + "[camera]\nenabled = true\nsource = \"0\"\n";
  ExpectContains(ErrorOf(base + "lines = [{ name = \"a\", p1 = [1], p2 = [2, 2] }]\n"),
                 "camera.lines[0].p1: expected an array of two numbers");
  ExpectContains(ErrorOf(base + "lines = [{ name = \"a\", p1 = [0.5, 0], p2 = [0.5, 2], "
                                "normalized = true }]\n"),
                 "normalized coordinates must be within 0..1");
  ExpectContains(ErrorOf(base + "lines = [{ name = \"a\", p1 = [1, 1], p2 = [1, 1] }]\n"),
                 "camera.lines[0].p2: must differ from p1");
  ExpectContains(ErrorOf(base + "lines = [{ name = \"a\", p1 = [0, 0], p2 = [1, 1] },"
                                " { name = \"a\", p1 = [0, 0], p2 = [2, 1] }]\n"),
                 "camera.lines[1].name: \"a\" is used by another line");
  ExpectContains(ErrorOf(base), "camera.lines: at least one counting line");
  ExpectContains(ErrorOf(base + "detector = \"yolo\"\nlines = [{ name = \"a\", p1 = [0, 0], p2 = "
                                "[1, 1] }]\n"),
                 "camera.detector: \"yolo\" is not one of mog2, hog");
}

TEST(Config, MqttCrossChecks) {
  ExpectContains(ErrorOf(std::string(kMinimal) + "[mqtt]\nuri = \"http://x\"\n"),
                 "mqtt.uri: \"http://x\" must start with tcp://");
  ExpectContains(ErrorOf(std::string(kMinimal) + "[mqtt]\ncert_file = \"c.pem\"\n"),
                 "cert_file and key_file go together");
  ExpectContains(
      ErrorOf(std::string(kMinimal) + "[mqtt]\nbackoff_min_ms = 5000\nbackoff_max_ms = 100\n"),
      "mqtt.backoff_max_ms: must not be smaller than backoff_min_ms");
}

// Every other kind of mistake an installer can make gets its own message naming the key.
TEST(Config, EveryMistakeNamesItsKey) {
  const std::string line = "lines = [{ name = \"door\", p1 = [0.5, 0], p2 = [0.5, 1] }]\n";
  struct Case {
    std::string toml;  // appended to a minimal [kiosk] section
    std::string expected;
  };
  const std::vector<Case> cases = {
      {"[camera]\nline_hysteresis = \"wide\"\n", "camera.line_hysteresis: expected a number"},
      {"[ui]\nrenderer = \"vulkan\"\n",
       "ui.renderer: \"vulkan\" is not one of auto, opengl, software"},
      {"[camera]\nline_hysteresis = 0.9\n",
       "camera.line_hysteresis: 0.900000 is out of range 0.000000..0.500000"},
      {"[camera]\nperson_heights = [[150, 46]]\n",
       "camera.person_heights: expected two [row, height] pairs"},
      {"[camera]\nperson_heights = [[150, 46], [150, 60]]\n",
       "camera.person_heights: the two rows must differ"},
      {"[camera]\nperson_heights = [[150, 0], [280, 60]]\n",
       "camera.person_heights: rows must be 0..16384 and heights 1..16384"},
      {"[camera]\nperson_heights = [[150, \"tall\"], [280, 60]]\n",
       "camera.person_heights: expected two [row, height] pairs"},
      {"[camera]\nroi = 5\n", "camera.roi: expected a table"},
      {"[camera]\nroi = { x = 0.5, y = 0, w = 0.6, h = 1 }\n",
       "camera.roi: the region must lie inside the frame"},
      {"[camera]\nlines = { name = \"door\" }\n", "camera.lines: expected an array"},
      {"[camera]\nlines = [\"door\"]\n",
       "camera.lines[0]: expected a table like { name = \"door\""},
      {"[camera]\nlines = [{ name = \"door\", p2 = [0.5, 1] }]\n",
       "camera.lines[0].p1: missing (required)"},
      {"[camera]\nlines = [{ name = \"door\", p1 = [0.5, 0], p2 = [0.5, 1], in_side = [0, 0] }]\n",
       "camera.lines[0].in_side: must be a non-zero direction"},
      {"[camera]\nenabled = true\nsource = \"\"\n" + line,
       "camera.source: required when camera.enabled = true"},
      {"[camera]\nretry_min_ms = 5000\nretry_max_ms = 1000\n",
       "camera.retry_max_ms: must not be smaller than camera.retry_min_ms"},
      {"[camera]\nstream_timeout_ms = 5\n",
       "camera.stream_timeout_ms: 5 is out of range 100..600000"},
      {"[mqtt]\ntopic_prefix = \"touchpoint/\"\n",
       "mqtt.topic_prefix: must be non-empty, without '#', '+' or a trailing '/'"},
      {"[mqtt]\ntopic_prefix = \"tp/#\"\n", "mqtt.topic_prefix:"},
      {"[mqtt]\nenabled = true\nuri = \"tcp://hub:1883\"\ncert_file = \"c.pem\"\nkey_file = "
       "\"k.pem\"\n",
       "mqtt.cert_file: a client certificate needs an ssl:// or mqtts:// uri"},
      {"[ui]\nexport_roots = [\"/media\", 3]\n", "ui.export_roots[1]: expected a string"},
  };
  for (const Case& c : cases) ExpectContains(ErrorOf(std::string(kMinimal) + c.toml), c.expected);
  ExpectContains(ErrorOf("[kiosk]\nkiosk_id = \"k 1\"\nstore_id = \"s\"\n"),
                 "kiosk.toml:2:12: kiosk.kiosk_id: \"k 1\" must be 1-64 letters, digits");
}

constexpr const char* kSurvey = R"([survey]
id = "s"
version = 2
languages = ["en", "fr"]
[[survey.questions]]
id = "q1"
type = "csat"
prompt = { en = "How?", fr = "Comment ?" }
)";

TEST(Survey, PushedDocumentParses) {
  auto s = ParseSurveyDocument(kSurvey, "push v2");
  ASSERT_TRUE(s.ok()) << s.status().message();
  EXPECT_EQ(s->version, 2);
  EXPECT_EQ(s->questions[0].prompt.at("fr"), "Comment ?");
  EXPECT_EQ(s->thank_you.at("fr"), "Thank you!");
}

TEST(Survey, MissingTranslationIsAnError) {
  std::string doc = kSurvey;
  doc.replace(doc.find(", fr = \"Comment ?\""), 18, "");
  auto s = ParseSurveyDocument(doc, "push");
  ASSERT_FALSE(s.ok());
  ExpectContains(s.status().message(),
                 "push:8:10: survey.questions[0].prompt: missing the \"fr\" translation");
}

TEST(Survey, FreeTextIsOptionalUnlessSaidOtherwise) {
  std::string doc = kSurvey;
  doc.replace(doc.find("languages"), 0, "free_text = true\n");
  const std::string text_q =
      "[[survey.questions]]\nid = \"c\"\ntype = \"text\"\nprompt = { en = \"a\", fr = \"b\" }\n";
  auto s = ParseSurveyDocument(doc + text_q, "push");
  ASSERT_TRUE(s.ok()) << s.status().message();
  EXPECT_FALSE(s->questions[0].optional) << "a csat question is required by default";
  EXPECT_TRUE(s->questions[1].optional) << "free text is never forced by default";
  auto required = ParseSurveyDocument(doc + text_q + "optional = false\n", "push");
  ASSERT_TRUE(required.ok()) << required.status().message();
  EXPECT_FALSE(required->questions[1].optional);
}

TEST(Survey, Rejections) {
  auto err = [](const std::string& extra) {
    auto s = ParseSurveyDocument(std::string(kSurvey) + extra, "push");
    return s.ok() ? std::string() : s.status().message();
  };
  ExpectContains(err("[[survey.questions]]\nid = \"q1\"\ntype = \"nps\"\nprompt = { en = \"a\", fr "
                     "= \"b\" }\n"),
                 "survey.questions[1].id: \"q1\" is used twice");
  ExpectContains(err("[[survey.questions]]\nid = \"q2\"\ntype = \"text\"\nprompt = { en = \"a\", "
                     "fr = \"b\" }\n"),
                 "free-text questions are off (privacy)");
  ExpectContains(err("[[survey.questions]]\nid = \"q2\"\ntype = \"tags\"\nprompt = { en = \"a\", "
                     "fr = \"b\" }\n"),
                 "survey.questions[1].tags: a tags question needs at least one tag");
  ExpectContains(err("[[survey.questions]]\nid = \"q2\"\ntype = \"stars\"\nprompt = { en = \"a\", "
                     "fr = \"b\" }\n"),
                 "survey.questions[1].type: \"stars\" is not one of");
  ExpectContains(err("[[survey.questions]]\nid = \"q2\"\ntype = \"nps\"\nprompt = { en = \"a\", de "
                     "= \"b\", fr = \"c\" }\n"),
                 "prompt.de: \"de\" is not one of the survey's languages");
  auto no_survey = ParseSurveyDocument("[ui]\nx=1\n", "push");
  ASSERT_FALSE(no_survey.ok());
  ExpectContains(no_survey.status().message(), "a pushed document must contain a [survey] table");
  auto no_questions = ParseSurveyDocument("[survey]\nid = \"s\"\n", "push");
  ASSERT_FALSE(no_questions.ok());
  ExpectContains(no_questions.status().message(), "a survey needs at least one question");
}

TEST(Config, LoadsFromFile) {
  testing::TempDir dir;
  std::ofstream(dir.File("k.toml")) << kMinimal;
  auto r = LoadConfig(dir.File("k.toml"));
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->source, dir.File("k.toml"));
  auto missing = LoadConfig(dir.File("nope.toml"));
  EXPECT_EQ(missing.status().code(), Status::Code::kNotFound);
}

TEST(Config, AFileLargerThanTheCapFailsFastWithoutBeingParsed) {
  // /dev/zero never ends: read at most cap + 1 bytes, then a located error.
  auto start = std::chrono::steady_clock::now();
  auto zero = LoadConfig("/dev/zero");
  ASSERT_FALSE(zero.ok());
  EXPECT_EQ(zero.status().code(), Status::Code::kInvalidArgument);
  ExpectContains(zero.status().message(), "/dev/zero:1:1: the config file is larger than 256 KiB");
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(2));

  testing::TempDir dir;
  std::string at_cap = std::string(kMinimal) + "\n";
  at_cap += std::string(kMaxConfigFileBytes - at_cap.size(), '#');  // one comment line
  std::ofstream(dir.File("full.toml")) << at_cap;
  auto full = LoadConfig(dir.File("full.toml"));
  EXPECT_TRUE(full.ok()) << full.status().message();
  std::ofstream(dir.File("over.toml")) << at_cap << "\n";
  auto over = LoadConfig(dir.File("over.toml"));
  ASSERT_FALSE(over.ok());
  ExpectContains(over.status().message(), "over.toml:1:1: the config file is larger than");
}

TEST(Config, ControlCharactersInEchoedInputAreEscaped) {
  auto r =
      ParseConfig(std::string(kMinimal) + "[mqtt]\nuri = \"bad\\u001b[2J\\u0007\"\n", "k.toml");
  ASSERT_FALSE(r.ok());
  ExpectContains(r.status().message(), "\"bad\\u001b[2J\\u0007\" must start with");
  EXPECT_EQ(r.status().message().find('\x1b'), std::string::npos);
}

TEST(Survey, ProblemsQuoteTheDocumentEscaped) {
  // A pushed document's bad value comes back in the kiosk's status and on a terminal: no
  // newline or escape sequence from it may survive.
  std::string doc = kSurvey;
  doc.replace(doc.find("\"csat\""), 6, R"("csat\u001b[2J\r\nfake: ok")");
  auto s = ParseSurveyDocument(doc, "push");
  ASSERT_FALSE(s.ok());
  std::string m = s.status().message();
  EXPECT_EQ(m.find('\x1b'), std::string::npos) << m;
  EXPECT_EQ(m.find('\n'), std::string::npos) << m;
  ExpectContains(m,
                 R"(survey.questions[0].type: "csat\u001b[2J\u000d\u000afake: ok" is not one of)");
}

}  // namespace
}  // namespace touchpoint
