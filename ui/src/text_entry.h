// Typing the shopper's free-text answer: UTF-8 aware editing with a character limit, and the
// on-screen keyboard's layouts and state (which layer, shift). Pure functions and plain values,
// no ImGui: the keyboard drawn in screen_text_question.cc and a physical keyboard both edit
// through PressKey. UI thread only (no shared state).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace touchpoint::ui {

// The longest free-text answer, in characters (Unicode code points).
inline constexpr int kMaxAnswerChars = 280;

// Number of code points in `s` (UTF-8; each invalid byte counts as one).
int CharCount(std::string_view s);
// The UTF-8 encoding of a code point ("" for surrogates and values above U+10FFFF).
std::string EncodeUtf8(uint32_t code_point);
// Appends the characters of `utf8` while `*text` holds fewer than `max_chars`. Control
// characters, line breaks, invalid UTF-8, U+FFFD and unpaired surrogates are dropped. Returns
// false if something had to be left out because of the limit.
bool AppendText(std::string* text, std::string_view utf8, int max_chars);
// Removes the last character the shopper sees: one code point plus the combining marks that
// follow it ("e" + U+0301 goes in one press). No-op on "".
void EraseLastChar(std::string* text);
// Without leading and trailing white space (ASCII, no-break and the Unicode spaces).
std::string TrimWhitespace(std::string_view s);
// The upper-case form of one key's character: Latin (a-z, Latin-1, Extended-A: œ, ÿ, ł),
// Cyrillic (я -> Я, ё -> Ё, ї -> Ї, ґ -> Ґ) and Greek (ά -> Ά, ϊ -> Ϊ, final ς -> Σ; ΐ and ΰ,
// which have no capital of their own, become Ϊ and Ϋ: Greek capitals drop the tonos). Others
// unchanged (ß, ¿, digits).
std::string UpperCaseKey(std::string_view ch);

// ---- the on-screen keyboard ----

enum class KeyboardLayer { kLetters, kSymbols, kAccents };
enum class ShiftState { kOff, kOnce, kLocked };  // kOnce: the next letter only

struct KeyDef {
  // kScript: between a non-Latin language's own letters and Latin (QWERTY) letters.
  enum Kind { kChar, kText, kSpace, kBackspace, kShift, kLayer, kScript } kind = kChar;
  std::string text;  // kChar: lower-case character; kText: literal text (a physical keyboard)
  KeyboardLayer to = KeyboardLayer::kLetters;  // kLayer
  float width = 1.0f;                          // in key units; a row is 10 units wide
};
using KeyRow = std::vector<KeyDef>;

// Whether `language` ("ru", "el-GR", ...) is written in a script of its own that the keyboard
// has letters for (Cyrillic: ru, uk, bg; Greek: el), so it also offers a Latin layout.
bool HasNativeScript(const std::string& language);

// The five rows of `layer` for a language ("de", "fr-CH", ...): letters follow the language's
// usual layout (QWERTZ for German, AZERTY for French, ЙЦУКЕН for Russian and Ukrainian,
// Bulgarian phonetic, Greek, QWERTY otherwise) under a row of that language's accented or extra
// letters; the last row switches layers and has space and punctuation. For a language with a
// native script the last row also has the script key, and `latin` shows QWERTY letters instead
// of the language's own.
std::vector<KeyRow> KeyboardRows(const std::string& language, KeyboardLayer layer,
                                 bool latin = false);
// The probe target of a key: "kb:a", "kb:é", "kb:space", "kb:backspace", "kb:shift",
// "kb:123", "kb:abc" (back to the letters, whichever script), "kb:accents", "kb:script".
std::string KeyTarget(const KeyDef& key);

struct KeyboardState {
  KeyboardLayer layer = KeyboardLayer::kLetters;
  ShiftState shift = ShiftState::kOff;
  bool latin = false;     // a native-script language's letters layer shows QWERTY (HasNativeScript)
  double last_key_s = 0;  // Frame::time_s of the last key press: the caret blinks from there
  // The state for a text question shown with `text` typed so far: letters, and a capital
  // first letter when nothing is typed yet.
  static KeyboardState For(std::string_view text);
};

// What a key shows: a character key its character (upper case under shift), a layer key where it
// goes ("123", "àé", and "ABC" or the native script's "АБВ" / "ΑΒΓ" for the letters), the script
// key the script it switches to; "" for keys drawn as icons (shift, backspace, space).
std::string KeyLabel(const KeyDef& key, const std::string& language, const KeyboardState& state);

// True when `text` ends a sentence and a space follows ("Thanks. "): the next letter is a
// capital.
bool EndsSentence(std::string_view text);

// Applies one key press to the text and the keyboard: a letter is upper-case under shift (a
// one-time shift then ends), a character from the accents layer returns to the letters,
// backspace erases one character, shift goes off -> once -> locked -> off, the script key flips
// between native and Latin letters (and shows the letters), the first letter of the text and of
// a sentence are capitals. Returns whether the text changed.
bool PressKey(const KeyDef& key, KeyboardState* state, std::string* text,
              int max_chars = kMaxAnswerChars);

}  // namespace touchpoint::ui
