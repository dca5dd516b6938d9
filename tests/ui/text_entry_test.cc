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
  for (const char* lang : {"en", "de", "fr-CH", "es", "it", "nl", "pt", "sv", "pl", "xx", "ru",
                           "uk-UA", "bg", "el-GR"}) {
    for (int i = 0; i < 6; ++i) {
      KeyboardLayer layer = static_cast<KeyboardLayer>(i % 3);
      bool latin = i >= 3;
      auto rows = KeyboardRows(lang, layer, latin);
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
        EXPECT_LE(units, 10.0f + 1e-4f) << lang << " latin " << latin;
      }
      EXPECT_EQ(backspaces, 1) << lang;
      EXPECT_TRUE(targets.count("kb:space")) << lang;
      EXPECT_EQ(targets.count("kb:script"), HasNativeScript(lang) ? 1u : 0u) << lang;
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

// ---- Cyrillic and Greek ----

// Taps the key with probe target `target` on the layer the keyboard shows for `lang`, as the
// screen would: fails if that layer has no such key.
::testing::AssertionResult Tap(const std::string& lang, KeyboardState* kb, std::string* text,
                               const std::string& target) {
  for (const KeyRow& row : KeyboardRows(lang, kb->layer, kb->latin)) {
    for (const KeyDef& k : row) {
      if (KeyTarget(k) == target) {
        PressKey(k, kb, text);
        return ::testing::AssertionSuccess();
      }
    }
  }
  return ::testing::AssertionFailure()
         << target << " is not on " << lang << " layer " << static_cast<int>(kb->layer)
         << (kb->latin ? " (latin)" : "");
}

// Types `keys` (lower case) key by key: a space is kb:space, anything else kb:<character>.
::testing::AssertionResult Type(const std::string& lang, KeyboardState* kb, std::string* text,
                                const std::string& keys) {
  for (const std::string& ch : Split(keys)) {
    auto r = Tap(lang, kb, text, ch == " " ? "kb:space" : "kb:" + ch);
    if (!r) return r;
  }
  return ::testing::AssertionSuccess();
}

// The characters of the letters layer (native script) of `lang`.
std::set<std::string> LetterKeys(const std::string& lang) {
  std::set<std::string> out;
  for (const KeyRow& row : KeyboardRows(lang, KeyboardLayer::kLetters)) {
    for (const KeyDef& k : row) {
      if (k.kind == KeyDef::kChar) out.insert(k.text);
    }
  }
  return out;
}

// The characters of one row of the letters layer, left to right.
std::string RowText(const std::string& lang, size_t row) {
  auto rows = KeyboardRows(lang, KeyboardLayer::kLetters);
  std::string out;
  for (const KeyDef& k : rows[row]) out += k.text;
  return out;
}

// Every letter of `alphabet` has a key on the letters layer, and none of `absent` has.
void ExpectAlphabet(const std::string& lang, const std::string& alphabet,
                    const std::string& absent) {
  std::set<std::string> keys = LetterKeys(lang);
  for (const std::string& ch : Split(alphabet)) EXPECT_TRUE(keys.count(ch)) << lang << " " << ch;
  for (const std::string& ch : Split(absent)) EXPECT_FALSE(keys.count(ch)) << lang << " " << ch;
}

TEST(KeyboardTest, RussianIsJcukenWithYoInTheExtraRow) {
  auto rows = KeyboardRows("ru", KeyboardLayer::kLetters);
  ASSERT_EQ(rows.size(), 5u);
  EXPECT_EQ(rows[1][0].text, "й");
  EXPECT_EQ(rows[1][5].text, "н") << "ЙЦУКЕН";
  EXPECT_EQ(rows[2][0].text, "ф");
  EXPECT_EQ(rows[3][1].text, "я") << "after shift";
  EXPECT_EQ(rows[0][0].text, "ё");
  ExpectAlphabet("ru", "абвгдеёжзийклмнопрстуфхцчшщъыьэюя", "іїєґqw");
  // A pangram with every letter: the first is a capital, the rest as typed.
  std::string text;
  KeyboardState kb = KeyboardState::For(text);
  ASSERT_TRUE(Type("ru", &kb, &text, "съешь же ещё этих мягких французских булок, да выпей чаю. "));
  EXPECT_EQ(kb.shift, ShiftState::kOnce) << "a new sentence";
  ASSERT_TRUE(Type("ru", &kb, &text, "всё"));
  EXPECT_EQ(text, "Съешь же ещё этих мягких французских булок, да выпей чаю. Всё");
  // Caps lock.
  ASSERT_TRUE(Tap("ru", &kb, &text, "kb:space"));
  ASSERT_TRUE(Tap("ru", &kb, &text, "kb:shift"));
  ASSERT_TRUE(Tap("ru", &kb, &text, "kb:shift"));
  EXPECT_EQ(kb.shift, ShiftState::kLocked);
  ASSERT_TRUE(Type("ru", &kb, &text, "ёж"));
  EXPECT_EQ(text.substr(text.size() - 5), " ЁЖ");
  EXPECT_EQ(KeyLabel(rows[0][0], "ru", kb), "Ё") << "keys show capitals under shift";
}

TEST(KeyboardTest, UkrainianHasItsOwnLettersAndTheApostrophe) {
  auto rows = KeyboardRows("uk-UA", KeyboardLayer::kLetters);
  EXPECT_EQ(rows[1][0].text, "й");
  EXPECT_EQ(rows[2][1].text, "і") << "і where Russian has ы";
  EXPECT_EQ(rows[2][10].text, "є") << "є where Russian has э";
  ExpectAlphabet("uk", "абвгґдеєжзиіїйклмнопрстуфхцчшщьюя'", "ыэъё");
  std::string text;
  KeyboardState kb = KeyboardState::For(text);
  ASSERT_TRUE(Type("uk", &kb, &text, "чуєш їх, доцю, га? кумедна ж ти, прощайся без ґольфів"));
  ASSERT_TRUE(Tap("uk", &kb, &text, "kb:123"));
  ASSERT_TRUE(Tap("uk", &kb, &text, "kb:!"));
  ASSERT_TRUE(Tap("uk", &kb, &text, "kb:abc"));
  ASSERT_TRUE(Type("uk", &kb, &text, " п'ять"));
  EXPECT_EQ(text, "Чуєш їх, доцю, га? Кумедна ж ти, прощайся без ґольфів! П'ять");
  kb.shift = ShiftState::kLocked;
  ASSERT_TRUE(Type("uk", &kb, &text, " їжак ґанок"));
  EXPECT_EQ(text, "Чуєш їх, доцю, га? Кумедна ж ти, прощайся без ґольфів! П'ять ЇЖАК ҐАНОК");
}

TEST(KeyboardTest, BulgarianIsPhonetic) {
  EXPECT_EQ(RowText("bg", 1), "явертъуиоп") << "я в е р т ъ on q w e r t y";
  ExpectAlphabet("bg", "абвгдежзийклмнопрстуфхцчшщъьюяѝ", "ыэё");
  std::string text;
  KeyboardState kb = KeyboardState::For(text);
  ASSERT_TRUE(Type("bg", &kb, &text, "ах, чудна българска земьо, полюшвай цъфтящи жита. ѝ"));
  EXPECT_EQ(text, "Ах, чудна българска земьо, полюшвай цъфтящи жита. Ѝ");
}

TEST(KeyboardTest, GreekHasAccentedVowelsAndFinalSigma) {
  EXPECT_EQ(RowText("el-GR", 1), ";ςερτυθιοπ");
  ExpectAlphabet("el", "αβγδεζηθικλμνξοπρσςτυφχψωάέήίόύώϊϋΐΰ", "qа");
  std::string text;
  KeyboardState kb = KeyboardState::For(text);
  ASSERT_TRUE(Type("el", &kb, &text, "ξεσκεπάζω την ψυχοφθόρα βδελυγμία. ένας"));
  EXPECT_EQ(text, "Ξεσκεπάζω την ψυχοφθόρα βδελυγμία. Ένας")
      << "a sentence starting with an accented vowel keeps the tonos";
  text.clear();
  kb = KeyboardState::For(text);
  ASSERT_TRUE(Type("el", &kb, &text, "ύψος"));
  EXPECT_EQ(text, "Ύψος");
  kb.shift = ShiftState::kLocked;
  ASSERT_TRUE(Type("el", &kb, &text, " πρωτεΐνη ς ϋ"));
  EXPECT_EQ(text, "Ύψος ΠΡΩΤΕΪΝΗ Σ Ϋ");
  // Backspace takes one Greek letter (two bytes) at a time.
  ASSERT_TRUE(Tap("el", &kb, &text, "kb:backspace"));
  ASSERT_TRUE(Tap("el", &kb, &text, "kb:backspace"));
  EXPECT_EQ(text, "Ύψος ΠΡΩΤΕΪΝΗ Σ");
}

TEST(KeyboardTest, RegionsFallBackToTheLanguage) {
  auto targets = [](const std::string& lang) {
    std::vector<std::string> out;
    for (const KeyRow& row : KeyboardRows(lang, KeyboardLayer::kLetters)) {
      for (const KeyDef& k : row) out.push_back(KeyTarget(k));
    }
    return out;
  };
  EXPECT_EQ(targets("ru-RU"), targets("ru"));
  EXPECT_EQ(targets("uk-UA"), targets("uk"));
  EXPECT_EQ(targets("bg-BG"), targets("bg"));
  EXPECT_EQ(targets("EL-gr"), targets("el"));
  EXPECT_NE(targets("ru"), targets("uk"));
  EXPECT_NE(targets("ru"), targets("en"));
  EXPECT_TRUE(HasNativeScript("el-GR"));
  EXPECT_FALSE(HasNativeScript("en"));
  EXPECT_FALSE(HasNativeScript("de-AT"));
}

TEST(KeyboardTest, TheScriptKeySwitchesToLatinLettersAndBack) {
  std::string text;
  KeyboardState kb = KeyboardState::For(text);
  KeyDef script{KeyDef::kScript, ""};
  KeyDef letters{KeyDef::kLayer, "", KeyboardLayer::kLetters};
  EXPECT_EQ(KeyLabel(script, "ru", kb), "ABC");
  EXPECT_EQ(KeyLabel(letters, "ru", kb), "АБВ");
  EXPECT_EQ(KeyLabel(letters, "el", kb), "ΑΒΓ");
  EXPECT_EQ(KeyLabel(letters, "de", kb), "ABC");
  ASSERT_TRUE(Type("ru", &kb, &text, "мой "));
  ASSERT_TRUE(Tap("ru", &kb, &text, "kb:script"));
  EXPECT_TRUE(kb.latin);
  EXPECT_EQ(KeyLabel(script, "ru", kb), "АБВ");
  EXPECT_EQ(KeyboardRows("ru", KeyboardLayer::kLetters, true)[1][5].text, "y") << "QWERTY";
  ASSERT_TRUE(Tap("ru", &kb, &text, "kb:shift"));
  ASSERT_TRUE(Type("ru", &kb, &text, "iphone"));
  EXPECT_FALSE(Tap("ru", &kb, &text, "kb:й")) << "no Cyrillic on the Latin letters";
  // Digits and back: the letters are still Latin.
  ASSERT_TRUE(Tap("ru", &kb, &text, "kb:space"));
  ASSERT_TRUE(Tap("ru", &kb, &text, "kb:123"));
  ASSERT_TRUE(Type("ru", &kb, &text, "15"));
  ASSERT_TRUE(Tap("ru", &kb, &text, "kb:abc"));
  ASSERT_TRUE(Type("ru", &kb, &text, " pro"));
  // The script key works from any layer and shows the letters.
  ASSERT_TRUE(Tap("ru", &kb, &text, "kb:accents"));
  ASSERT_TRUE(Tap("ru", &kb, &text, "kb:script"));
  EXPECT_FALSE(kb.latin);
  EXPECT_EQ(kb.layer, KeyboardLayer::kLetters);
  ASSERT_TRUE(Type("ru", &kb, &text, " хорош"));
  EXPECT_EQ(text, "Мой Iphone 15 pro хорош");
  // The Latin accents and the accents layer are there too.
  ASSERT_TRUE(Tap("ru", &kb, &text, "kb:script"));
  ASSERT_TRUE(Type("ru", &kb, &text, " é"));
  ASSERT_TRUE(Tap("ru", &kb, &text, "kb:accents"));
  ASSERT_TRUE(Tap("ru", &kb, &text, "kb:ø"));
  EXPECT_EQ(text, "Мой Iphone 15 pro хорош éø");
}

TEST(KeyboardTest, TheLimitCountsCyrillicAndGreekCharactersNotBytes) {
  for (const char* lang : {"ru", "uk", "bg", "el"}) {
    std::string letter = lang == std::string("el") ? "ώ" : "ж";
    std::string text;
    for (int i = 0; i < kMaxAnswerChars - 1; ++i) text += letter;
    ASSERT_EQ(text.size(), 2u * (kMaxAnswerChars - 1)) << "two bytes each";
    KeyboardState kb = KeyboardState::For(text);
    ASSERT_TRUE(Type(lang, &kb, &text, letter)) << lang;
    EXPECT_EQ(CharCount(text), kMaxAnswerChars) << lang << ": the 280th character fits";
    std::string before = text;
    ASSERT_TRUE(Type(lang, &kb, &text, letter + " "));
    EXPECT_EQ(text, before) << lang << ": nothing past the limit";
    ASSERT_TRUE(Tap(lang, &kb, &text, "kb:backspace"));
    EXPECT_EQ(CharCount(text), kMaxAnswerChars - 1) << lang;
    EXPECT_EQ(text.size(), 2u * (kMaxAnswerChars - 1)) << lang << ": one whole letter erased";
  }
}

}  // namespace
}  // namespace touchpoint::ui
