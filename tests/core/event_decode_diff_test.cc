// Differential test of the strict event decoder against a reference JSON parser (nlohmann):
// many event texts, mutated from valid ones with a fixed seed (byte flips, truncations,
// duplicated keys, \u escapes, numbers at the edges, deep nesting, whitespace), and for each:
//   - DecodeEvent accepts  => nlohmann parses it, and the decoded event re-encodes to the same
//                             JSON value (times compared as instants: "…T10:00:00Z" and
//                             "…T10:00:00.000Z" are one time; "compacted_seqs":[] is the same
//                             as no compacted_seqs, which is how the encoder writes it);
//   - nlohmann rejects it  => DecodeEvent rejects it as "event: not valid JSON";
//   - DecodeEvent says "not valid JSON" => nlohmann rejects it too (the decoder refuses no JSON
//                             as malformed; only its depth and size limits come first).
// And DecodeEventInto, into one Event kept across all texts, decides each exactly as
// DecodeEvent does (same message, same event).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <vector>

#include "sample_events.h"
#include "touchpoint/core/event_json.h"

namespace touchpoint {
namespace {

using json = nlohmann::json;

// Equal JSON values, except that two strings that are the same RFC 3339 instant are equal.
bool SameValue(const json& a, const json& b) {
  if (a.is_object() && b.is_object()) {
    if (a.size() != b.size()) return false;
    for (auto it = a.begin(); it != a.end(); ++it) {
      auto other = b.find(it.key());
      if (other == b.end() || !SameValue(it.value(), *other)) return false;
    }
    return true;
  }
  if (a.is_array() && b.is_array()) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i) {
      if (!SameValue(a[i], b[i])) return false;
    }
    return true;
  }
  if (a.is_string() && b.is_string() && a != b) {
    auto ta = ParseUtcMs(a.get<std::string>());
    return ta && ta == ParseUtcMs(b.get<std::string>());
  }
  return a == b;
}

// Edits that keep the text close to an event, so that many mutants are still valid JSON and
// reach the decoder's field checks, and the rest fail in every way JSON can.
class Mutator {
 public:
  explicit Mutator(uint32_t seed) : rng_(seed) {}

  std::string Mutate(std::string s) {
    for (size_t edits = Pick(3) == 0 ? 2 + Pick(2) : 1; edits > 0; --edits) {
      switch (Pick(9)) {
        case 0:  // a random byte
          if (!s.empty()) s[Pick(s.size())] = static_cast<char>(Pick(256));
          break;
        case 1:  // truncation
          s.resize(Pick(s.size() + 1));
          break;
        case 2:
          DuplicateKey(&s);
          break;
        case 3:
          Escape(&s);
          break;
        case 4:
          EdgeNumber(&s);
          break;
        case 5:
          Nest(&s);
          break;
        case 6: {  // whitespace (JSON's and not)
          static const char* kSpaces[] = {" ", "\n", "\r\n", "\t", "\v", "\f", "\xc2\xa0"};
          s.insert(Pick(s.size() + 1), kSpaces[Pick(std::size(kSpaces))]);
          break;
        }
        case 7: {  // a token from JSON's grammar, anywhere
          static const char* kTokens[] = {"\"",   "\\",   "{",     "}",    "[",  "]",  ",", ":",
                                          "null", "true", "false", "\"\"", "{}", "[]", "0", "-"};
          s.insert(Pick(s.size() + 1), kTokens[Pick(std::size(kTokens))]);
          break;
        }
        default:  // delete a few bytes
          if (!s.empty()) s.erase(Pick(s.size()), 1 + Pick(6));
      }
    }
    return s;
  }

 private:
  size_t Pick(size_t n) { return std::uniform_int_distribution<size_t>(0, n - 1)(rng_); }

  // The start of a random "key": member, or npos.
  size_t RandomKey(const std::string& s) {
    std::vector<size_t> keys;
    for (size_t i = s.find("\":"); i != std::string::npos; i = s.find("\":", i + 1)) {
      size_t open = s.rfind('"', i - 1);
      if (open != std::string::npos) keys.push_back(open);
    }
    return keys.empty() ? std::string::npos : keys[Pick(keys.size())];
  }

  // Copies a `"key":value` member (scalar values) right after itself, or a value replaced.
  void DuplicateKey(std::string* s) {
    size_t k = RandomKey(*s);
    if (k == std::string::npos) return;
    size_t end = s->find_first_of(",}", k);
    if (end == std::string::npos) return;
    std::string member = s->substr(k, end - k);
    if (Pick(2)) {
      size_t colon = member.find("\":");
      static const char* kValues[] = {"1", "\"x\"", "null", "[]", "{}", "true"};
      member = member.substr(0, colon + 2) + kValues[Pick(std::size(kValues))];
    }
    s->insert(end, "," + member);
  }

  // Replaces one character of a string with a \u escape (valid, surrogates, lone halves, bad).
  void Escape(std::string* s) {
    static const char* kEscapes[] = {"\\u0061", "\\u00e9", "\\u20AC", "\\ud83d\\ude00", "\\ud83d",
                                     "\\ude00", "\\u0000", "\\u001f", "\\ud83d\\u0041", "\\uZZZZ",
                                     "\\u12",   "\\/",     "\\b",     "\\x41",          "\\'",
                                     "\\U0041"};
    size_t q = s->find('"', Pick(s->size() + 1));
    if (q == std::string::npos || q + 1 >= s->size()) return;
    s->replace(q + 1, Pick(2), kEscapes[Pick(std::size(kEscapes))]);
  }

  // Replaces a number with one at the edge of what JSON, int64 and double hold.
  void EdgeNumber(std::string* s) {
    static const char* kNumbers[] = {"0",
                                     "-0",
                                     "1",
                                     "-1",
                                     "9223372036854775807",
                                     "9223372036854775808",
                                     "-9223372036854775808",
                                     "-9223372036854775809",
                                     "18446744073709551615",
                                     "18446744073709551616",
                                     "1e308",
                                     "1e309",
                                     "-1e309",
                                     "1e-400",
                                     "4.9e-324",
                                     "1.0",
                                     "1e2",
                                     "1E+2",
                                     "01",
                                     "1.",
                                     ".1",
                                     "+1",
                                     "0x1",
                                     "1e",
                                     "NaN",
                                     "1_0",
                                     "2147483648",
                                     "-2147483649",
                                     "4294967296",
                                     "86400",
                                     "86401",
                                     "840",
                                     "841"};
    std::vector<std::pair<size_t, size_t>> numbers;
    for (size_t i = 0; i < s->size();) {
      char c = (*s)[i];
      if ((c >= '0' && c <= '9') || c == '-') {
        size_t j = i;
        while (j < s->size() &&
               std::string_view("0123456789+-.eE").find((*s)[j]) != std::string_view::npos) {
          ++j;
        }
        if (i > 0 && (*s)[i - 1] == ':') numbers.emplace_back(i, j - i);
        i = j;
      } else {
        ++i;
      }
    }
    if (numbers.empty()) return;
    auto [pos, len] = numbers[Pick(numbers.size())];
    s->replace(pos, len, kNumbers[Pick(std::size(kNumbers))]);
  }

  // An unknown member holding arrays/objects nested 28..36 deep (the decoder's limit is 32).
  void Nest(std::string* s) {
    size_t k = RandomKey(*s);
    if (k == std::string::npos) return;
    size_t depth = 28 + Pick(9);
    std::string v;
    for (size_t i = 0; i < depth; ++i) v += Pick(2) ? "[" : "{\"a\":";
    v += "1";
    for (size_t i = v.size(); i-- > 0;) {
      if (v[i] == '[') v += ']';
      if (v[i] == '{') v += '}';
    }
    s->insert(k, "\"deep\":" + v + ",");
  }

  std::mt19937 rng_;
};

TEST(EventDecodeDifferential, AcceptsExactlyWhatTheReferenceParserAccepts) {
  std::vector<std::string> bases;
  for (const Event& e : samples::AllTypes()) {
    std::string text = EncodeEvent(e);
    bases.push_back(text);
    bases.push_back(json::parse(text).dump(2));  // whitespace, sorted keys
  }
  Mutator mutator(20261130);
  int accepted = 0, not_json = 0, field_errors = 0, too_deep = 0;
  constexpr int kTexts = 30000;
  Event reused;
  for (int i = 0; i < kTexts; ++i) {
    std::string text = mutator.Mutate(bases[static_cast<size_t>(i) % bases.size()]);
    json reference = json::parse(text, nullptr, /*allow_exceptions=*/false);
    bool reference_ok = !reference.is_discarded();
    auto decoded = DecodeEvent(text);
    // DecodeEventInto one Event kept across every text (the hub's decode threads do so, also
    // after refused and partly decoded texts) decides the same and decodes the same event.
    Status into = DecodeEventInto(text, &reused);
    ASSERT_EQ(into.ok(), decoded.ok()) << text;
    if (!into.ok()) {
      ASSERT_EQ(into.message(), decoded.status().message()) << text;
    } else {
      ASSERT_EQ(EncodeEvent(reused), EncodeEvent(*decoded)) << text;
    }
    if (decoded.ok()) {
      ++accepted;
      ASSERT_TRUE(reference_ok) << "accepted what nlohmann rejects: " << text;
      if (auto d = reference.find("data"); d != reference.end() && d->is_object()) {
        if (auto c = d->find("compacted_seqs"); c != d->end() && c->empty()) d->erase(c);
      }
      std::string again = EncodeEvent(*decoded);
      ASSERT_TRUE(SameValue(reference, json::parse(again)))
          << "decoded to another value:\n  text: " << text << "\n  re-encoded: " << again;
      continue;
    }
    const std::string why = decoded.status().message();
    ASSERT_FALSE(why.empty());
    if (why.find("nested deeper than") != std::string::npos) {
      ++too_deep;
      continue;
    }
    if (why == "event: not valid JSON") {
      ++not_json;
      ASSERT_FALSE(reference_ok) << "called valid JSON malformed: " << text;
    } else {
      ++field_errors;
      ASSERT_TRUE(reference_ok) << "nlohmann rejects it, the decoder said \"" << why
                                << "\": " << text;
    }
  }
  // Every kind of outcome is reached often enough to mean something.
  EXPECT_GT(accepted, 1000);  // e.g. whitespace, escapes, numbers in range
  EXPECT_GT(not_json, 5000);
  EXPECT_GT(field_errors, 3000);
  EXPECT_GT(too_deep, 100);
  std::printf("differential: %d texts: %d accepted, %d not JSON, %d field errors, %d too deep\n",
              kTexts, accepted, not_json, field_errors, too_deep);
}

// The id check (word at a time in the decoder) against the rule spelled out byte by byte: each of
// the 36 places holding each byte at an edge of what is allowed or just past it, and a two-byte
// UTF-8 character (36 bytes, not ASCII) at every place.
TEST(EventDecodeDifferential, IdIsALowerCaseUuidAtEveryPlace) {
  Event e = samples::AllTypes().front();
  e.id = "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b";
  const std::string text = EncodeEvent(e);
  const size_t at = text.find(e.id);
  ASSERT_NE(at, std::string::npos);
  ASSERT_TRUE(DecodeEvent(text).ok());
  auto refused_for_id = [](const std::string& t) {
    auto d = DecodeEvent(t);
    return !d.ok() && d.status().message().rfind("id: ", 0) == 0;
  };
  for (size_t i = 0; i < 36; ++i) {
    bool dash_place = i == 8 || i == 13 || i == 18 || i == 23;
    for (char c : std::string("/09:`afgAFG-,.z \x7f")) {
      std::string t = text;
      t[at + i] = c;
      bool hex = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
      if (dash_place ? c == '-' : hex) {
        EXPECT_TRUE(DecodeEvent(t).ok()) << t;
      } else {
        EXPECT_TRUE(refused_for_id(t)) << t;
      }
    }
    if (i + 1 < 36) {
      std::string t = text;
      t.replace(at + i, 2, "\xc3\xa9");
      EXPECT_TRUE(refused_for_id(t)) << t;
    }
  }
}

}  // namespace
}  // namespace touchpoint
