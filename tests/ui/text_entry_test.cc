#include "text_entry.h"

#include <gtest/gtest.h>

#include <set>

namespace touchpoint::ui {
namespace {

TEST(TextEntryTest, CountsCharactersNotBytes) {
  EXPECT_EQ(CharCount(""), 0);
  EXPECT_EQ(CharCount("abc"), 3);
  EXPECT_EQ(CharCount("café"), 4);
  EXPECT_EQ(CharCount("Straße €"), 8);
  EXPECT_EQ(CharCount("\xC3"), 1) << "a broken byte still counts once";
}

TEST(TextEntryTest, BackspaceErasesOneWholeCharacter) {
  std::string s = "café";
  EraseLastChar(&s);
  EXPECT_EQ(s, "caf");
  s = "a€";
  EraseLastChar(&s);
  EXPECT_EQ(s, "a");
  s = "e\xCC\x81";  // e + COMBINING ACUTE ACCENT: one character on screen
  EraseLastChar(&s);
  EXPECT_EQ(s, "");
  s = "ab\xC3";  // a truncated sequence goes byte by byte
  EraseLastChar(&s);
  EXPECT_EQ(s, "ab");
  s = "";
  EraseLastChar(&s);
  EXPECT_EQ(s, "");
}

TEST(TextEntryTest, AppendStopsAtTheLimitOnACharacterBoundary) {
  std::string s = "abc";
  EXPECT_TRUE(AppendText(&s, "dé", 5));
  EXPECT_EQ(s, "abcdé");
  EXPECT_FALSE(AppendText(&s, "x", 5));
  EXPECT_EQ(s, "abcdé");
  s = "abcd";
  EXPECT_FALSE(AppendText(&s, "ßüx", 5));
  EXPECT_EQ(s, "abcdß") << "multi-byte characters are never cut";
  EXPECT_EQ(CharCount(s), 5);
}

TEST(TextEntryTest, AppendDropsControlsAndBrokenInput) {
  std::string s;
  EXPECT_TRUE(AppendText(&s,
                         "a\nb\tc\x7F\xC2\x85"
                         "d\xEF\xBF\xBD"
                         "e\xC3(\xED\xA0\x80"
                         "f",
                         280));
  EXPECT_EQ(s, "abcde(f");
}

TEST(TextEntryTest, TrimsAsciiAndUnicodeSpaces) {
  EXPECT_EQ(TrimWhitespace("  hello world \t\n"), "hello world");
  EXPECT_EQ(TrimWhitespace("\xC2\xA0"
                           "café\xE2\x80\x83"),
            "café");  // NBSP, EM SPACE
  EXPECT_EQ(TrimWhitespace("   "), "");
  EXPECT_EQ(TrimWhitespace(""), "");
}

TEST(TextEntryTest, UpperCaseOfKeys) {
  EXPECT_EQ(UpperCaseKey("a"), "A");
  EXPECT_EQ(UpperCaseKey("ä"), "Ä");
  EXPECT_EQ(UpperCaseKey("é"), "É");
  EXPECT_EQ(UpperCaseKey("œ"), "Œ");
  EXPECT_EQ(UpperCaseKey("ÿ"), "Ÿ");
  EXPECT_EQ(UpperCaseKey("ł"), "Ł");
  EXPECT_EQ(UpperCaseKey("ß"), "ß");
  EXPECT_EQ(UpperCaseKey("1"), "1");
  EXPECT_EQ(UpperCaseKey("¿"), "¿");
}

// The code points of `utf8`, each as its own string.
std::vector<std::string> Split(const std::string& utf8) {
  std::vector<std::string> out;
  for (size_t i = 0; i < utf8.size();) {
    size_t len = 1;
    auto b = static_cast<unsigned char>(utf8[i]);
    if (b >= 0xF0) {
      len = 4;
    } else if (b >= 0xE0) {
      len = 3;
    } else if (b >= 0xC0) {
      len = 2;
    }
    out.push_back(utf8.substr(i, len));
    i += len;
  }
  return out;
}

// UpperCaseKey of every character of `lower`, one at a time.
std::string UpperEach(const std::string& lower) {
  std::string out;
  for (const std::string& ch : Split(lower)) out += UpperCaseKey(ch);
  return out;
}

TEST(TextEntryTest, UpperCaseOfCyrillicAndGreekKeys) {
  EXPECT_EQ(UpperEach("абвгдеёжзийклмнопрстуфхцчшщъыьэюя"), "АБВГДЕЁЖЗИЙКЛМНОПРСТУФХЦЧШЩЪЫЬЭЮЯ");
  EXPECT_EQ(UpperEach("іїєґѝў"), "ІЇЄҐЍЎ");
  EXPECT_EQ(UpperEach("αβγδεζηθικλμνξοπρστυφχψω"), "ΑΒΓΔΕΖΗΘΙΚΛΜΝΞΟΠΡΣΤΥΦΧΨΩ");
  EXPECT_EQ(UpperCaseKey("ς"), "Σ") << "final sigma has no capital of its own";
  EXPECT_EQ(UpperEach("άέήίόύώ"), "ΆΈΉΊΌΎΏ") << "the tonos stays on a capital";
  EXPECT_EQ(UpperEach("ϊϋ"), "ΪΫ");
  EXPECT_EQ(UpperEach("ΐΰ"), "ΪΫ") << "no precomposed capital: all caps drops the tonos";
  EXPECT_EQ(UpperEach("АΩ;'"), "АΩ;'") << "capitals and punctuation stay";
}

TEST(TextEntryTest, EncodesUtf8) {
  EXPECT_EQ(EncodeUtf8('a'), "a");
  EXPECT_EQ(EncodeUtf8(0xE9), "é");
  EXPECT_EQ(EncodeUtf8(0x20AC), "€");
  EXPECT_EQ(EncodeUtf8(0xD800), "");
}

TEST(KeyboardTest, EveryLayerIsTenUnitsWideWithUniqueTargets) {
  for (const char* lang : {"en", "de", "fr-CH", "es", "it", "nl", "pt", "sv", "pl", "xx"}) {
    for (KeyboardLayer layer :
         {KeyboardLayer::kLetters, KeyboardLayer::kSymbols, KeyboardLayer::kAccents}) {
      auto rows = KeyboardRows(lang, layer);
      ASSERT_EQ(rows.size(), 5u) << lang;
      std::set<std::string> targets;
      int backspaces = 0;
      for (const KeyRow& row : rows) {
        float units = 0;
        for (const KeyDef& k : row) {
          units += k.width;
          EXPECT_TRUE(targets.insert(KeyTarget(k)).second) << lang << " " << KeyTarget(k);
          backspaces += k.kind == KeyDef::kBackspace;
        }
        EXPECT_LE(units, 10.0f + 1e-4f) << lang;
      }
      EXPECT_EQ(backspaces, 1) << lang;
      EXPECT_TRUE(targets.count("kb:space")) << lang;
    }
  }
}

TEST(KeyboardTest, LanguageLayoutsAndAccents) {
  auto has = [](const std::string& lang, KeyboardLayer layer, const std::string& target) {
    for (const KeyRow& row : KeyboardRows(lang, layer)) {
      for (const KeyDef& k : row) {
        if (KeyTarget(k) == target) return true;
      }
    }
    return false;
  };
  EXPECT_EQ(KeyboardRows("de", KeyboardLayer::kLetters)[1][5].text, "z") << "QWERTZ";
  EXPECT_EQ(KeyboardRows("fr", KeyboardLayer::kLetters)[1][0].text, "a") << "AZERTY";
  EXPECT_EQ(KeyboardRows("en", KeyboardLayer::kLetters)[1][5].text, "y") << "QWERTY";
  for (const char* t : {"kb:ä", "kb:ö", "kb:ü", "kb:ß"}) EXPECT_TRUE(has("de-AT", {}, t)) << t;
  for (const char* t : {"kb:é", "kb:è", "kb:à", "kb:ç"}) EXPECT_TRUE(has("fr", {}, t)) << t;
  EXPECT_TRUE(has("es", KeyboardLayer::kLetters, "kb:ñ"));
  EXPECT_TRUE(has("en", KeyboardLayer::kAccents, "kb:ñ"));
  EXPECT_TRUE(has("en", KeyboardLayer::kSymbols, "kb:7"));
  EXPECT_TRUE(has("en", KeyboardLayer::kSymbols, "kb:abc"));
  EXPECT_FALSE(has("en", KeyboardLayer::kSymbols, "kb:shift"));
}

TEST(KeyboardTest, ShiftCapitalisesTheFirstLetterAndLocks) {
  std::string text;
  KeyboardState kb = KeyboardState::For(text);
  EXPECT_EQ(kb.shift, ShiftState::kOnce) << "an empty answer starts with a capital";
  auto press = [&](const char* ch) { return PressKey(KeyDef{KeyDef::kChar, ch}, &kb, &text); };
  EXPECT_TRUE(press("g"));
  EXPECT_TRUE(press("u"));
  EXPECT_EQ(text, "Gu");
  PressKey(KeyDef{KeyDef::kShift, ""}, &kb, &text);
  PressKey(KeyDef{KeyDef::kShift, ""}, &kb, &text);
  EXPECT_EQ(kb.shift, ShiftState::kLocked);
  press("t");
  press("ü");
  EXPECT_EQ(text, "GuTÜ");
  PressKey(KeyDef{KeyDef::kShift, ""}, &kb, &text);
  EXPECT_EQ(kb.shift, ShiftState::kOff);
  press("1");
  EXPECT_EQ(text, "GuTÜ1");
}

TEST(KeyboardTest, SentencesBackspaceLayersAndTheLimit) {
  std::string text = "Ok";
  KeyboardState kb = KeyboardState::For(text);
  EXPECT_EQ(kb.shift, ShiftState::kOff);
  PressKey(KeyDef{KeyDef::kChar, "."}, &kb, &text);
  PressKey(KeyDef{KeyDef::kSpace, ""}, &kb, &text);
  EXPECT_EQ(kb.shift, ShiftState::kOnce) << "a new sentence";
  PressKey(KeyDef{KeyDef::kChar, "n"}, &kb, &text);
  EXPECT_EQ(text, "Ok. N");
  // The accents layer gives one letter, then the letters come back.
  PressKey(KeyDef{KeyDef::kLayer, "", KeyboardLayer::kAccents}, &kb, &text);
  EXPECT_EQ(kb.layer, KeyboardLayer::kAccents);
  PressKey(KeyDef{KeyDef::kChar, "é"}, &kb, &text);
  EXPECT_EQ(text, "Ok. Né");
  EXPECT_EQ(kb.layer, KeyboardLayer::kLetters);
  EXPECT_TRUE(PressKey(KeyDef{KeyDef::kBackspace, ""}, &kb, &text));
  EXPECT_EQ(text, "Ok. N");
  // A physical keyboard's text is literal.
  EXPECT_TRUE(PressKey(KeyDef{KeyDef::kText, "ein"}, &kb, &text));
  EXPECT_EQ(text, "Ok. Nein");
  // The limit holds for every key.
  std::string full(kMaxAnswerChars, 'x');
  KeyboardState k2;
  EXPECT_FALSE(PressKey(KeyDef{KeyDef::kChar, "a"}, &k2, &full));
  EXPECT_FALSE(PressKey(KeyDef{KeyDef::kSpace, ""}, &k2, &full));
  EXPECT_FALSE(PressKey(KeyDef{KeyDef::kText, "ab"}, &k2, &full));
  EXPECT_EQ(static_cast<int>(full.size()), kMaxAnswerChars);
  EXPECT_TRUE(PressKey(KeyDef{KeyDef::kBackspace, ""}, &k2, &full));
  EXPECT_TRUE(PressKey(KeyDef{KeyDef::kChar, "ö"}, &k2, &full));
  EXPECT_EQ(CharCount(full), kMaxAnswerChars);
  // Erasing everything brings the capital back.
  std::string one = "a";
  KeyboardState k3;
  PressKey(KeyDef{KeyDef::kBackspace, ""}, &k3, &one);
  EXPECT_EQ(k3.shift, ShiftState::kOnce);
}

}  // namespace
}  // namespace touchpoint::ui
