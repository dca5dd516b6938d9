#include "text_entry.h"

#include <algorithm>
#include <cctype>

namespace touchpoint::ui {

namespace {

// Decodes the code point starting at s[i]. False (and *len = 1) for invalid UTF-8: a stray or
// missing continuation byte, an overlong form, a surrogate or a value above U+10FFFF.
bool Decode(std::string_view s, size_t i, uint32_t* cp, size_t* len) {
  *len = 1;
  auto b = static_cast<unsigned char>(s[i]);
  if (b < 0x80) {
    *cp = b;
    return true;
  }
  size_t n = b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : b >= 0xC0 ? 2 : 0;
  if (n == 0 || b > 0xF4 || i + n > s.size()) return false;
  uint32_t v = b & (0x7F >> n);
  for (size_t k = 1; k < n; ++k) {
    auto c = static_cast<unsigned char>(s[i + k]);
    if ((c & 0xC0) != 0x80) return false;
    v = (v << 6) | (c & 0x3F);
  }
  static const uint32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
  if (v < kMin[n] || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF)) return false;
  *cp = v;
  *len = n;
  return true;
}

// Start of the last code point of non-empty `s` (its last byte if that is not valid UTF-8).
size_t LastStart(std::string_view s) {
  size_t end = s.size();
  for (size_t back = 1; back <= 4 && back <= end; ++back) {
    size_t i = end - back;
    if ((static_cast<unsigned char>(s[i]) & 0xC0) == 0x80) continue;
    uint32_t cp;
    size_t len;
    if (Decode(s, i, &cp, &len) && i + len == end) return i;
    break;
  }
  return end - 1;
}

bool IsCombining(uint32_t cp) {
  return (cp >= 0x0300 && cp <= 0x036F) || (cp >= 0x1AB0 && cp <= 0x1AFF) ||
         (cp >= 0x1DC0 && cp <= 0x1DFF) || (cp >= 0x20D0 && cp <= 0x20FF) ||
         (cp >= 0xFE20 && cp <= 0xFE2F);
}

bool IsSpace(uint32_t cp) {
  return (cp >= 0x09 && cp <= 0x0D) || cp == 0x20 || cp == 0x85 || cp == 0xA0 || cp == 0x1680 ||
         (cp >= 0x2000 && cp <= 0x200B) || cp == 0x2028 || cp == 0x2029 || cp == 0x202F ||
         cp == 0x205F || cp == 0x3000 || cp == 0xFEFF;
}

// Characters a typed answer never holds: controls (C0, DEL, C1), line/paragraph separators,
// the byte-order mark and the replacement character (what a broken input decodes to).
bool IsDropped(uint32_t cp) {
  return cp < 0x20 || (cp >= 0x7F && cp <= 0x9F) || cp == 0x2028 || cp == 0x2029 || cp == 0xFEFF ||
         cp == 0xFFFD;
}

uint32_t ToUpper(uint32_t cp) {
  if (cp >= 'a' && cp <= 'z') return cp - 0x20;
  if (cp >= 0xE0 && cp <= 0xFE && cp != 0xF7) return cp - 0x20;  // Latin-1: à..þ
  if (cp == 0xFF) return 0x178;                                  // ÿ
  // Latin Extended-A pairs: upper case at the even (or odd) code point before the lower case.
  if ((cp >= 0x100 && cp <= 0x137) || (cp >= 0x14A && cp <= 0x177)) return cp % 2 ? cp - 1 : cp;
  if ((cp >= 0x139 && cp <= 0x148) || (cp >= 0x179 && cp <= 0x17E)) return cp % 2 ? cp : cp - 1;
  // Greek: the base letters (final ς has no capital of its own: Σ), then the tonos and
  // dialytika vowels, which sit elsewhere in the block. ΐ and ΰ have no precomposed capital;
  // they only occur inside words, so their capitals appear only in all-caps text, which Greek
  // writes without the tonos: Ϊ and Ϋ.
  if (cp == 0x3C2) return 0x3A3;                     // ς -> Σ
  if (cp >= 0x3B1 && cp <= 0x3CB) return cp - 0x20;  // α..ω, ϊ ϋ
  if (cp == 0x3AC) return 0x386;                     // ά
  if (cp >= 0x3AD && cp <= 0x3AF) return cp - 0x25;  // έ ή ί
  if (cp == 0x3CC) return 0x38C;                     // ό
  if (cp == 0x3CD || cp == 0x3CE) return cp - 0x3F;  // ύ ώ
  if (cp == 0x390) return 0x3AA;                     // ΐ -> Ϊ
  if (cp == 0x3B0) return 0x3AB;                     // ΰ -> Ϋ
  // Cyrillic: а..я, then ѐ..џ (ё, є, і, ї, ў, ...), then pairs (ґ, ...).
  if (cp >= 0x430 && cp <= 0x44F) return cp - 0x20;
  if (cp >= 0x450 && cp <= 0x45F) return cp - 0x50;
  if ((cp >= 0x460 && cp <= 0x481) || (cp >= 0x48A && cp <= 0x4BF) ||
      (cp >= 0x4D0 && cp <= 0x52F)) {
    return cp % 2 ? cp - 1 : cp;
  }
  if (cp >= 0x4C1 && cp <= 0x4CE) return cp % 2 ? cp : cp - 1;
  if (cp == 0x4CF) return 0x4C0;
  return cp;
}

std::vector<KeyDef> Chars(std::string_view spaced, float width = 1.0f) {
  std::vector<KeyDef> keys;
  size_t i = 0;
  while (i < spaced.size()) {
    size_t j = spaced.find(' ', i);
    if (j == std::string_view::npos) j = spaced.size();
    if (j > i) keys.push_back(KeyDef{KeyDef::kChar, std::string(spaced.substr(i, j - i))});
    i = j + 1;
  }
  for (KeyDef& k : keys) k.width = width;
  return keys;
}

KeyDef Special(KeyDef::Kind kind, float width, KeyboardLayer to = KeyboardLayer::kLetters) {
  return KeyDef{kind, "", to, width};
}

std::string BaseLanguage(const std::string& language) {
  std::string base = language.substr(0, language.find('-'));
  std::transform(base.begin(), base.end(), base.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return base;
}

// The letters of a language written in its own script: the extra row above them and three rows
// of letters (the last between shift and backspace). Rows of more than ten keys get narrower keys.
struct NativeLayout {
  const char* extra;
  const char* rows[3];
  const char* letters_label;  // the layer key back to these letters
};

// Russian and Ukrainian: ЙЦУКЕН as on phones (11/11/9 keys); the keys a desktop keyboard has
// beyond those (ru: ё top left, ъ after х; uk: ґ top left, ї after х, the apostrophe) are in the
// extra row. Bulgarian: the traditional phonetic layout (я в е р т ъ on q w e r t y, the letters
// QWERTY has no key for, ш щ ю ч, and ѝ in the extra row). Greek: the standard Greek layout
// (; ς ε ρ τ υ θ ι ο π), the vowels with tonos and dialytika in the extra row.
const NativeLayout* NativeLayoutOf(const std::string& base) {
  static const NativeLayout kRussian = {
      "ё ъ", {"й ц у к е н г ш щ з х", "ф ы в а п р о л д ж э", "я ч с м и т ь б ю"}, "АБВ"};
  static const NativeLayout kUkrainian = {
      "ї ґ '", {"й ц у к е н г ш щ з х", "ф і в а п р о л д ж є", "я ч с м и т ь б ю"}, "АБВ"};
  static const NativeLayout kBulgarian = {
      "ш щ ю ч ѝ", {"я в е р т ъ у и о п", "а с д ф г х й к л", "з ь ц ж б н м"}, "АБВ"};
  static const NativeLayout kGreek = {"ά έ ή ί ό ύ ώ ϊ ϋ ΐ ΰ",
                                      {"; ς ε ρ τ υ θ ι ο π", "α σ δ φ γ η ξ κ λ", "ζ χ ψ ω β ν μ"},
                                      "ΑΒΓ"};
  if (base == "ru") return &kRussian;
  if (base == "uk") return &kUkrainian;
  if (base == "bg") return &kBulgarian;
  if (base == "el") return &kGreek;
  return nullptr;
}

// The accented letters a language needs most, one row above the letters.
const char* AccentRow(const std::string& base) {
  if (base == "de") return "ä ö ü ß";
  if (base == "fr") return "é è ê ë à â ç ù ô î";
  if (base == "es") return "á é í ó ú ñ ü ¿ ¡";
  if (base == "it") return "à è é ì ò ù";
  if (base == "nl") return "é è ë ï ó ü";
  if (base == "pt") return "á â ã à ç é ê í ó õ";
  if (base == "sv" || base == "fi") return "å ä ö é";
  if (base == "da" || base == "nb" || base == "no" || base == "nn") return "æ ø å é";
  if (base == "pl") return "ą ć ę ł ń ó ś ź ż";
  return "é è à ç ä ö ü ß ñ";
}

}  // namespace

int CharCount(std::string_view s) {
  int n = 0;
  for (size_t i = 0; i < s.size(); ++n) {
    uint32_t cp;
    size_t len;
    Decode(s, i, &cp, &len);
    i += len;
  }
  return n;
}

std::string EncodeUtf8(uint32_t cp) {
  std::string out;
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    if (cp >= 0xD800 && cp <= 0xDFFF) return "";
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp <= 0x10FFFF) {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
  return out;
}

bool AppendText(std::string* text, std::string_view utf8, int max_chars) {
  int count = CharCount(*text);
  for (size_t i = 0; i < utf8.size();) {
    uint32_t cp;
    size_t len;
    bool ok = Decode(utf8, i, &cp, &len);
    if (ok && !IsDropped(cp)) {
      if (count >= max_chars) return false;
      text->append(utf8.substr(i, len));
      ++count;
    }
    i += len;
  }
  return true;
}

void EraseLastChar(std::string* text) {
  while (!text->empty()) {
    size_t start = LastStart(*text);
    uint32_t cp = 0;
    size_t len;
    bool ok = Decode(*text, start, &cp, &len);
    text->resize(start);
    if (!ok || !IsCombining(cp)) return;  // a mark goes with the character before it
  }
}

std::string TrimWhitespace(std::string_view s) {
  size_t begin = 0;
  while (begin < s.size()) {
    uint32_t cp;
    size_t len;
    if (!Decode(s, begin, &cp, &len) || !IsSpace(cp)) break;
    begin += len;
  }
  size_t end = s.size();
  while (end > begin) {
    size_t start = LastStart(s.substr(0, end));
    uint32_t cp;
    size_t len;
    if (!Decode(s, start, &cp, &len) || !IsSpace(cp)) break;
    end = start;
  }
  return std::string(s.substr(begin, end - begin));
}

std::string UpperCaseKey(std::string_view ch) {
  if (ch.empty()) return "";
  uint32_t cp;
  size_t len;
  if (!Decode(ch, 0, &cp, &len)) return std::string(ch);
  return EncodeUtf8(ToUpper(cp)) + std::string(ch.substr(len));
}

bool HasNativeScript(const std::string& language) {
  return NativeLayoutOf(BaseLanguage(language)) != nullptr;
}

std::vector<KeyRow> KeyboardRows(const std::string& language, KeyboardLayer layer, bool latin) {
  std::vector<KeyRow> rows;
  auto letters_row3 = [](std::string_view chars, float side, float width = 1.0f) {
    KeyRow row;
    row.push_back(Special(KeyDef::kShift, side));
    for (KeyDef& k : Chars(chars, width)) row.push_back(k);
    row.push_back(Special(KeyDef::kBackspace, side));
    return row;
  };
  // A full row lines up with the letters under it (or is as narrow as they are); a short one
  // gets wider keys.
  auto extra_row = [](std::string_view chars) {
    KeyRow row = Chars(chars);
    float n = static_cast<float>(std::max<size_t>(1, row.size()));
    float w = row.size() >= 7 ? std::min(1.0f, 10.0f / n) : std::min(1.5f, 10.0f / n);
    for (KeyDef& k : row) k.width = w;
    return row;
  };
  std::string base = BaseLanguage(language);
  const NativeLayout* native = NativeLayoutOf(base);
  switch (layer) {
    case KeyboardLayer::kLetters: {
      if (native != nullptr && !latin) {
        rows.push_back(extra_row(native->extra));
        // Letters as wide as the widest row allows; shift and backspace share what is left.
        size_t most = 10;
        for (const char* r : native->rows) most = std::max(most, Chars(r).size());
        float w = 10.0f / static_cast<float>(most);
        rows.push_back(Chars(native->rows[0], w));
        rows.push_back(Chars(native->rows[1], w));
        size_t n3 = Chars(native->rows[2]).size();
        float side = std::min(1.5f, (10.0f - w * static_cast<float>(n3)) * 0.5f);
        rows.push_back(letters_row3(native->rows[2], side, w));
        break;
      }
      if (native != nullptr) base = "";  // Latin letters for a native-script language: QWERTY
      rows.push_back(extra_row(AccentRow(base)));
      if (base == "de") {
        rows.push_back(Chars("q w e r t z u i o p"));
        rows.push_back(Chars("a s d f g h j k l"));
        rows.push_back(letters_row3("y x c v b n m", 1.5f));
      } else if (base == "fr") {
        rows.push_back(Chars("a z e r t y u i o p"));
        rows.push_back(Chars("q s d f g h j k l m"));
        rows.push_back(letters_row3("w x c v b n '", 1.5f));
      } else {
        rows.push_back(Chars("q w e r t y u i o p"));
        rows.push_back(Chars("a s d f g h j k l"));
        rows.push_back(letters_row3("z x c v b n m", 1.5f));
      }
      break;
    }
    case KeyboardLayer::kSymbols: {
      rows.push_back(Chars("1 2 3 4 5 6 7 8 9 0"));
      rows.push_back(Chars("- / : ; ( ) € & @ \""));
      rows.push_back(Chars("! ' % + = # * _ $ £"));
      KeyRow row3 = Chars("° ~ § < > [ ] ^");
      row3.push_back(Special(KeyDef::kBackspace, 2.0f));
      rows.push_back(row3);
      break;
    }
    case KeyboardLayer::kAccents:
      rows.push_back(Chars("á à â ä ã å æ ç é è"));
      rows.push_back(Chars("ê ë í ì î ï ñ ó ò ô"));
      rows.push_back(Chars("ö õ ø œ ú ù û ü ý ÿ"));
      rows.push_back(letters_row3("ß ¿ ¡ « » – …", 1.5f));
      break;
  }
  KeyRow bottom;
  bottom.push_back(layer == KeyboardLayer::kSymbols
                       ? Special(KeyDef::kLayer, 1.5f, KeyboardLayer::kLetters)
                       : Special(KeyDef::kLayer, 1.5f, KeyboardLayer::kSymbols));
  bottom.push_back(layer == KeyboardLayer::kAccents
                       ? Special(KeyDef::kLayer, 1.5f, KeyboardLayer::kLetters)
                       : Special(KeyDef::kLayer, 1.5f, KeyboardLayer::kAccents));
  // A native-script language has the script key on every layer, in the same place; space
  // gives up the unit.
  if (native != nullptr) bottom.push_back(Special(KeyDef::kScript, 1.0f));
  bottom.push_back(Chars(",")[0]);
  bottom.push_back(Special(KeyDef::kSpace, native != nullptr ? 3.0f : 4.0f));
  bottom.push_back(Chars(".")[0]);
  bottom.push_back(Chars("?")[0]);
  rows.push_back(bottom);
  return rows;
}

std::string KeyTarget(const KeyDef& key) {
  switch (key.kind) {
    case KeyDef::kChar:
      return "kb:" + key.text;
    case KeyDef::kText:
      return "kb:text";
    case KeyDef::kSpace:
      return "kb:space";
    case KeyDef::kBackspace:
      return "kb:backspace";
    case KeyDef::kShift:
      return "kb:shift";
    case KeyDef::kLayer:
      return key.to == KeyboardLayer::kLetters   ? "kb:abc"
             : key.to == KeyboardLayer::kSymbols ? "kb:123"
                                                 : "kb:accents";
    case KeyDef::kScript:
      return "kb:script";
  }
  return "kb:?";
}

std::string KeyLabel(const KeyDef& key, const std::string& language, const KeyboardState& state) {
  const NativeLayout* native = NativeLayoutOf(BaseLanguage(language));
  std::string native_label = native != nullptr ? native->letters_label : "ABC";
  switch (key.kind) {
    case KeyDef::kChar:
      return state.shift != ShiftState::kOff ? UpperCaseKey(key.text) : key.text;
    case KeyDef::kLayer:
      return key.to == KeyboardLayer::kLetters   ? (state.latin ? "ABC" : native_label)
             : key.to == KeyboardLayer::kSymbols ? "123"
                                                 : "àé";
    case KeyDef::kScript:
      return state.latin ? native_label : "ABC";
    case KeyDef::kText:
    case KeyDef::kSpace:
    case KeyDef::kBackspace:
    case KeyDef::kShift:
      break;
  }
  return "";
}

bool EndsSentence(std::string_view text) {
  if (text.size() < 2 || text.back() != ' ') return false;
  char end = text[text.size() - 2];
  return end == '.' || end == '!' || end == '?';
}

KeyboardState KeyboardState::For(std::string_view text) {
  KeyboardState s;
  s.shift = TrimWhitespace(text).empty() ? ShiftState::kOnce : ShiftState::kOff;
  return s;
}

bool PressKey(const KeyDef& key, KeyboardState* state, std::string* text, int max_chars) {
  switch (key.kind) {
    case KeyDef::kShift:
      state->shift = state->shift == ShiftState::kOff    ? ShiftState::kOnce
                     : state->shift == ShiftState::kOnce ? ShiftState::kLocked
                                                         : ShiftState::kOff;
      return false;
    case KeyDef::kLayer:
      state->layer = key.to;
      return false;
    case KeyDef::kScript:
      state->latin = !state->latin;
      state->layer = KeyboardLayer::kLetters;
      return false;
    case KeyDef::kBackspace:
      if (text->empty()) return false;
      EraseLastChar(text);
      if (text->empty() && state->shift == ShiftState::kOff) state->shift = ShiftState::kOnce;
      return true;
    case KeyDef::kText: {
      size_t before = text->size();
      AppendText(text, key.text, max_chars);
      return text->size() != before;
    }
    case KeyDef::kSpace: {
      size_t before = text->size();
      AppendText(text, " ", max_chars);
      if (text->size() == before) return false;
      // A new sentence starts with a capital.
      if (state->shift == ShiftState::kOff && EndsSentence(*text)) state->shift = ShiftState::kOnce;
      return true;
    }
    case KeyDef::kChar: {
      std::string ch = key.text;
      std::string upper = UpperCaseKey(ch);
      bool letter = upper != ch;
      if (letter && state->shift != ShiftState::kOff) ch = upper;
      size_t before = text->size();
      AppendText(text, ch, max_chars);
      if (text->size() == before) return false;
      if (letter && state->shift == ShiftState::kOnce) state->shift = ShiftState::kOff;
      if (state->layer == KeyboardLayer::kAccents) state->layer = KeyboardLayer::kLetters;
      return true;
    }
  }
  return false;
}

}  // namespace touchpoint::ui
