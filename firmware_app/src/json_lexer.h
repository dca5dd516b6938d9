// A strict JSON reader over a string_view for hand-written decoders (event_decode.cc): no tree,
// values are read one at a time in input order. Accepts exactly RFC 8259 JSON as nlohmann::json
// does (UTF-8 checked, \u escapes and surrogate pairs decoded, no comments or trailing commas),
// plus a depth limit. A syntax error is sticky: every later call fails and failed() says so.
// Not thread-safe; one reader per document.
#pragma once

#include <algorithm>
#include <array>
#include <bit>
#include <charconv>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace touchpoint::json_lexer {

enum class Kind { kNull, kBoolean, kNumber, kString, kArray, kObject };

// The names nlohmann::json::type_name() uses, which the decoder's messages keep.
inline const char* KindName(Kind k) {
  switch (k) {
    case Kind::kNull:
      return "null";
    case Kind::kBoolean:
      return "boolean";
    case Kind::kNumber:
      return "number";
    case Kind::kString:
      return "string";
    case Kind::kArray:
      return "array";
    case Kind::kObject:
      return "object";
  }
  return "?";
}

// A number token. `integer` as nlohmann classifies it: no fraction or exponent and it fits
// int64 (negative) or uint64 (otherwise); anything else is a floating-point number, which must
// be finite as a double (nlohmann rejects 1e400 as a parse error).
struct Number {
  std::string_view text;
  bool integer = false;
  bool negative = false;
  uint64_t magnitude = 0;  // |value| when integer
  double floating = 0;     // value when not integer

  double AsDouble() const {
    if (!integer) return floating;
    if (!negative) return static_cast<double>(magnitude);
    return static_cast<double>(static_cast<int64_t>(~magnitude + 1));  // -0 is 0, as nlohmann
  }
};

// A value's bytes in the document, to read it again later (see Lexer::Seek).
struct Span {
  const char* begin = nullptr;
  const char* end = nullptr;
  bool empty() const { return begin == nullptr; }
};

class Lexer {
 public:
  static constexpr int kMaxDepth = 32;
  // Longer number tokens are a syntax error: no event field needs one, and converting a
  // megabyte of digits to a double is not linear in every C library.
  static constexpr size_t kMaxNumberChars = 1024;

  explicit Lexer(std::string_view text) : p_(text.data()), end_(text.data() + text.size()) {
    if (text.size() >= 3 && std::memcmp(p_, "\xEF\xBB\xBF", 3) == 0) p_ += 3;  // as nlohmann
  }

  bool failed() const { return failed_; }
  bool too_deep() const { return too_deep_; }

  // Kind of the next value (whitespace skipped); false (failed) if no value can start here.
  bool Peek(Kind* kind) {
    SkipWs();
    if (p_ == end_) return Fail();
    switch (*p_) {
      case '"':
        *kind = Kind::kString;
        return true;
      case '{':
        *kind = Kind::kObject;
        return true;
      case '[':
        *kind = Kind::kArray;
        return true;
      case 't':
      case 'f':
        *kind = Kind::kBoolean;
        return true;
      case 'n':
        *kind = Kind::kNull;
        return true;
      default:
        if (*p_ == '-' || (*p_ >= '0' && *p_ <= '9')) {
          *kind = Kind::kNumber;
          return true;
        }
        return Fail();
    }
  }

  // True when the next byte starts a value of kind `want` (string, number or boolean), with no
  // whitespace before it: Peek()'s answer at a glance for compact text. False says nothing.
  bool NextIs(Kind want) const {
    if (p_ == end_) return false;
    char c = *p_;
    switch (want) {
      case Kind::kString:
        return c == '"';
      case Kind::kNumber:
        return c == '-' || (c >= '0' && c <= '9');
      case Kind::kBoolean:
        return c == 't' || c == 'f';
      default:
        return false;
    }
  }

  // The next value must be a string. *out views the decoded text: into the document when it
  // has no escapes, else into a buffer that the next string read overwrites.
  bool ReadString(std::string_view* out) {
    SkipWs();
    if (p_ == end_ || *p_ != '"') return Fail();
    const char* start = ++p_;
    // The common case, a plain string (no escape, no non-ASCII byte), inline where called and
    // with a local cursor (the compiler keeps it in a register; p_ is a member that every char
    // access might alias).
    const char* p = SkipPlain8(start, end_);
    while (p < end_ && !kSpecial[static_cast<unsigned char>(*p)]) ++p;
    if (p < end_ && *p == '"') {
      *out = std::string_view(start, static_cast<size_t>(p - start));
      p_ = p + 1;
      return true;
    }
    p_ = p;
    return ReadStringSlow(start, out);
  }

  // ReadString() past a plain string's fast path: p_ is at the first special byte (or the end)
  // of the string that starts at `start`. Out of line so that the fast path is inlined.
  [[gnu::noinline]] bool ReadStringSlow(const char* start, std::string_view* out) {
    const char* p = p_;
    while (p < end_) {
      p = SkipPlain8(p, end_);
      while (p < end_ && !kSpecial[static_cast<unsigned char>(*p)]) ++p;
      if (p == end_) break;
      auto c = static_cast<unsigned char>(*p);
      if (c == '"') {
        *out = std::string_view(start, static_cast<size_t>(p - start));
        p_ = p + 1;
        return true;
      }
      if (c == '\\') break;
      if (c < 0x20) return Fail();
      p_ = p;
      if (!SkipUtf8()) return Fail();  // c >= 0x80
      p = p_;
    }
    p_ = p;
    if (p_ == end_) return Fail();
    buf_.assign(start, p_);
    while (p_ < end_) {
      auto c = static_cast<unsigned char>(*p_);
      if (c == '"') {
        ++p_;
        *out = buf_;
        return true;
      }
      if (c == '\\') {
        if (!Escape()) return Fail();
      } else if (c < 0x20) {
        return Fail();
      } else if (c >= 0x80) {
        const char* s = p_;
        if (!SkipUtf8()) return Fail();
        buf_.append(s, p_);
      } else {
        buf_.push_back(static_cast<char>(c));
        ++p_;
      }
    }
    return Fail();
  }

  bool ReadNumber(Number* n) {
    SkipWs();
    // The common case inline: a non-negative integer of at most 19 digits (below 2^64, so no
    // overflow check), no fraction or exponent. Anything else goes to ReadNumberSlow().
    if (const char* s = p_; s != end_ && *s >= '0' && *s <= '9') {
      const char* p = s + 1;
      uint64_t mag = static_cast<uint64_t>(*s - '0');
      if (mag != 0) {
        while (p < end_ && *p >= '0' && *p <= '9' && p - s < 19) {
          mag = mag * 10 + static_cast<uint64_t>(*p - '0');
          ++p;
        }
      }
      if (p == end_ || !(*p == '.' || *p == 'e' || *p == 'E' || (*p >= '0' && *p <= '9'))) {
        n->text = std::string_view(s, static_cast<size_t>(p - s));
        n->negative = false;
        n->integer = true;
        n->magnitude = mag;
        p_ = p;
        return true;
      }
    }
    return ReadNumberSlow(n);
  }

  // ReadNumber() for any other number (negative, longer, with a fraction or an exponent), and for
  // what is not one; p_ is at its first byte. Out of line so that the common case is inlined.
  [[gnu::noinline]] bool ReadNumberSlow(Number* n) {
    const char* s = p_;
    n->negative = false;
    if (p_ < end_ && *p_ == '-') {
      n->negative = true;
      ++p_;
    }
    if (p_ == end_) return Fail();
    uint64_t mag = 0;
    bool overflow = false;
    if (*p_ == '0') {
      ++p_;
    } else if (*p_ >= '1' && *p_ <= '9') {
      while (p_ < end_ && *p_ >= '0' && *p_ <= '9') {
        auto d = static_cast<uint64_t>(*p_ - '0');
        if (mag > (UINT64_MAX - d) / 10) {
          overflow = true;
        } else {
          mag = mag * 10 + d;
        }
        ++p_;
      }
    } else {
      return Fail();
    }
    bool integer = true;
    if (p_ < end_ && *p_ == '.') {
      ++p_;
      if (!Digits()) return Fail();
      integer = false;
    }
    if (p_ < end_ && (*p_ == 'e' || *p_ == 'E')) {
      ++p_;
      if (p_ < end_ && (*p_ == '+' || *p_ == '-')) ++p_;
      if (!Digits()) return Fail();
      integer = false;
    }
    if (static_cast<size_t>(p_ - s) > kMaxNumberChars) return Fail();
    if (overflow || (n->negative && mag > uint64_t{1} << 63)) integer = false;
    n->text = std::string_view(s, static_cast<size_t>(p_ - s));
    n->integer = integer;
    n->magnitude = mag;
    if (!integer) {
      auto res = std::from_chars(s, p_, n->floating);
      if (res.ec == std::errc::result_out_of_range) {
        // from_chars leaves the value alone when it does not fit: overflow is an error,
        // underflow rounds to zero as strtod does.
        if (MagnitudeExponent(n->text) > 0) return Fail();
        n->floating = n->negative ? -0.0 : 0.0;
      } else if (res.ec != std::errc()) {
        return Fail();
      }
    }
    return true;
  }

  bool ReadBoolean(bool* v) {
    SkipWs();
    if (Literal("true")) {
      *v = true;
      return true;
    }
    if (Literal("false")) {
      *v = false;
      return true;
    }
    return Fail();
  }

  bool ReadNull() {
    SkipWs();
    return Literal("null") || Fail();
  }

  // Objects: BeginObject(), then NextMember() until it returns false (at '}' or on failure).
  // After a true NextMember() the caller must read or skip exactly one value.
  bool BeginObject() { return Open('{'); }
  // `expected` (optional; plain ASCII without quote or backslash) is the key the caller expects
  // next: when the text holds exactly that key, *key is `expected` itself (a decoder's keys
  // usually come in schema order, and comparing bytes is cheaper than reading a string).
  bool NextMember(bool* first, std::string_view* key, std::string_view expected = {}) {
    // Compact text holding the expected key (`,"key":`, or `"key":` first) is taken in one go;
    // anything else (whitespace, another key, the end) goes the general way below.
    if (size_t n = expected.size(); n != 0 && p_ != end_ && (*first || *p_ == ',')) {
      const char* p = *first ? p_ : p_ + 1;
      if (static_cast<size_t>(end_ - p) > n + 2 && p[0] == '"' && p[n + 1] == '"' &&
          p[n + 2] == ':' && std::memcmp(p + 1, expected.data(), n) == 0) {
        *first = false;
        *key = expected;
        p_ = p + n + 3;
        return true;
      }
    }
    return NextMemberSlow(first, key, expected);
  }

  // NextMember() past its fast path, out of line so that the fast path is inlined where called.
  [[gnu::noinline]] bool NextMemberSlow(bool* first, std::string_view* key,
                                        std::string_view expected) {
    SkipWs();
    if (p_ == end_) return Fail();
    if (*p_ == '}') return Close();
    if (!*first) {
      if (*p_ != ',') return Fail();
      ++p_;
    }
    *first = false;
    SkipWs();
    size_t n = expected.size();
    if (n != 0 && static_cast<size_t>(end_ - p_) > n + 1 && p_[0] == '"' && p_[n + 1] == '"' &&
        std::memcmp(p_ + 1, expected.data(), n) == 0) {
      *key = expected;
      p_ += n + 2;
    } else if (!ReadString(key)) {
      return false;
    }
    SkipWs();
    if (p_ == end_ || *p_ != ':') return Fail();
    ++p_;
    return true;
  }

  // Arrays: BeginArray(), then NextElement() until false; after true read or skip one value.
  bool BeginArray() { return Open('['); }
  bool NextElement(bool* first) {
    SkipWs();
    if (p_ == end_) return Fail();
    if (*p_ == ']') return Close();
    if (!*first) {
      if (*p_ != ',') return Fail();
      ++p_;
    }
    *first = false;
    return true;
  }

  bool SkipValue() {
    Kind k;
    if (!Peek(&k)) return false;
    switch (k) {
      case Kind::kString: {
        std::string_view s;
        return ReadString(&s);
      }
      case Kind::kNumber: {
        Number n;
        return ReadNumber(&n);
      }
      case Kind::kBoolean: {
        bool b;
        return ReadBoolean(&b);
      }
      case Kind::kNull:
        return ReadNull();
      case Kind::kArray: {
        if (!BeginArray()) return false;
        bool first = true;
        while (NextElement(&first)) {
          if (!SkipValue()) return false;
        }
        return !failed_;
      }
      case Kind::kObject: {
        if (!BeginObject()) return false;
        bool first = true;
        std::string_view key;
        while (NextMember(&first, &key)) {
          if (!SkipValue()) return false;
        }
        return !failed_;
      }
    }
    return Fail();
  }

  // Skips the next value and returns where it was, for Seek() once its meaning is known.
  Span SkipToSpan() {
    SkipWs();
    Span s{p_, nullptr};
    if (!SkipValue()) return Span{};
    s.end = p_;
    return s;
  }

  // Reads `s` (a value this lexer skipped before) next; returns the position to Resume().
  Span Seek(Span s) {
    Span saved{p_, end_};
    if (!failed_) {
      p_ = s.begin;
      end_ = s.end;
    }
    return saved;
  }
  void Resume(Span saved) {
    end_ = saved.end;
    p_ = failed_ ? end_ : saved.begin;
  }

  // True when only whitespace is left.
  bool AtEnd() {
    SkipWs();
    return p_ == end_;
  }
  // Fails unless only whitespace is left.
  void ExpectEnd() {
    if (!AtEnd()) Fail();
  }

 private:
  // Bytes a string scan must look at: quote, backslash, control characters, non-ASCII.
  static constexpr auto kSpecial = [] {
    std::array<bool, 256> t{};
    for (int c = 0; c < 0x20; ++c) t[static_cast<size_t>(c)] = true;
    for (int c = 0x80; c < 0x100; ++c) t[static_cast<size_t>(c)] = true;
    t['"'] = t['\\'] = true;
    return t;
  }();

  // Skips from p 8 bytes at a time while none of them is special (kSpecial): most of an event's
  // bytes are plain string content. Bit tricks on a 64-bit word ("has a zero byte", "has a byte
  // less than n"); a false alarm only stops the fast path, the byte loop then decides.
  static const char* SkipPlain8(const char* p, const char* end) {
    constexpr uint64_t kOnes = 0x0101010101010101ull, kHigh = 0x8080808080808080ull;
    while (end - p >= 8) {
      uint64_t v;
      std::memcpy(&v, p, 8);
      uint64_t quote = v ^ (kOnes * '"'), backslash = v ^ (kOnes * '\\');
      uint64_t special = ((quote - kOnes) & ~quote) | ((backslash - kOnes) & ~backslash) |
                         ((v - kOnes * 0x20) & ~v) | v;
      if (special & kHigh) {
        // The lowest flagged byte is a special one (a false alarm only ever sits above a true
        // one): step onto it, so that the byte loop after this starts where the string ends.
        if constexpr (std::endian::native == std::endian::little) {
          p += std::countr_zero(special & kHigh) / 8;
        }
        return p;
      }
      p += 8;
    }
    return p;
  }

  bool Fail() {
    failed_ = true;
    p_ = end_;
    return false;
  }

  void SkipWs() {
    while (p_ < end_ && (*p_ == ' ' || *p_ == '\n' || *p_ == '\r' || *p_ == '\t')) ++p_;
  }

  bool Open(char c) {
    SkipWs();
    if (p_ == end_ || *p_ != c) return Fail();
    if (++depth_ > kMaxDepth) {
      too_deep_ = true;
      return Fail();
    }
    ++p_;
    return true;
  }
  bool Close() {
    ++p_;
    --depth_;
    return false;
  }

  bool Literal(std::string_view word) {
    if (static_cast<size_t>(end_ - p_) < word.size() ||
        std::memcmp(p_, word.data(), word.size()) != 0) {
      return false;
    }
    p_ += word.size();
    return true;
  }

  // Decimal exponent of a number token's first significant digit (digits before the point,
  // leading zeros after it, plus the exponent part); INT64_MIN for zero.
  static int64_t MagnitudeExponent(std::string_view t) {
    size_t i = t[0] == '-' ? 1 : 0;
    size_t int_start = i;
    while (i < t.size() && t[i] >= '0' && t[i] <= '9') ++i;
    bool found = false;
    int64_t lead = 0;
    for (size_t j = int_start; j < i && !found; ++j) {
      if (t[j] != '0') {
        found = true;
        lead = static_cast<int64_t>(i - j) - 1;
      }
    }
    if (i < t.size() && t[i] == '.') {
      size_t frac_start = ++i;
      for (; i < t.size() && t[i] >= '0' && t[i] <= '9'; ++i) {
        if (!found && t[i] != '0') {
          found = true;
          lead = -static_cast<int64_t>(i - frac_start) - 1;
        }
      }
    }
    int64_t exp = 0;
    if (i < t.size() && (t[i] == 'e' || t[i] == 'E')) {
      ++i;
      bool neg = i < t.size() && t[i] == '-';
      if (i < t.size() && (t[i] == '-' || t[i] == '+')) ++i;
      for (; i < t.size(); ++i) exp = std::min<int64_t>(exp * 10 + (t[i] - '0'), 1000000);
      if (neg) exp = -exp;
    }
    return found ? lead + exp : INT64_MIN;
  }

  bool Digits() {
    const char* s = p_;
    while (p_ < end_ && *p_ >= '0' && *p_ <= '9') ++p_;
    return p_ != s;
  }

  // One well-formed UTF-8 sequence (RFC 3629) starting at a byte >= 0x80.
  bool SkipUtf8() {
    auto c = static_cast<unsigned char>(*p_);
    int n;
    unsigned char lo = 0x80, hi = 0xBF;
    if (c >= 0xC2 && c <= 0xDF) {
      n = 1;
    } else if (c >= 0xE0 && c <= 0xEF) {
      n = 2;
      if (c == 0xE0) lo = 0xA0;
      if (c == 0xED) hi = 0x9F;
    } else if (c >= 0xF0 && c <= 0xF4) {
      n = 3;
      if (c == 0xF0) lo = 0x90;
      if (c == 0xF4) hi = 0x8F;
    } else {
      return false;
    }
    if (end_ - p_ <= n) return false;
    auto c1 = static_cast<unsigned char>(p_[1]);
    if (c1 < lo || c1 > hi) return false;
    for (int i = 2; i <= n; ++i) {
      auto ci = static_cast<unsigned char>(p_[i]);
      if (ci < 0x80 || ci > 0xBF) return false;
    }
    p_ += n + 1;
    return true;
  }

  bool Hex4(uint32_t* out) {
    if (end_ - p_ < 4) return false;
    uint32_t v = 0;
    for (int i = 0; i < 4; ++i) {
      char c = p_[i];
      uint32_t d;
      if (c >= '0' && c <= '9') {
        d = static_cast<uint32_t>(c - '0');
      } else if (c >= 'a' && c <= 'f') {
        d = static_cast<uint32_t>(c - 'a' + 10);
      } else if (c >= 'A' && c <= 'F') {
        d = static_cast<uint32_t>(c - 'A' + 10);
      } else {
        return false;
      }
      v = v * 16 + d;
    }
    p_ += 4;
    *out = v;
    return true;
  }

  // At a backslash: appends the escaped character (UTF-8) to buf_.
  bool Escape() {
    if (end_ - p_ < 2) return false;
    char c = p_[1];
    p_ += 2;
    switch (c) {
      case '"':
      case '\\':
      case '/':
        buf_.push_back(c);
        return true;
      case 'b':
        buf_.push_back('\b');
        return true;
      case 'f':
        buf_.push_back('\f');
        return true;
      case 'n':
        buf_.push_back('\n');
        return true;
      case 'r':
        buf_.push_back('\r');
        return true;
      case 't':
        buf_.push_back('\t');
        return true;
      case 'u':
        break;
      default:
        return false;
    }
    uint32_t cp;
    if (!Hex4(&cp)) return false;
    if (cp >= 0xDC00 && cp <= 0xDFFF) return false;  // a low surrogate on its own
    if (cp >= 0xD800 && cp <= 0xDBFF) {
      uint32_t low;
      if (end_ - p_ < 2 || p_[0] != '\\' || p_[1] != 'u') return false;
      p_ += 2;
      if (!Hex4(&low) || low < 0xDC00 || low > 0xDFFF) return false;
      cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
    }
    AppendUtf8(cp);
    return true;
  }

  void AppendUtf8(uint32_t cp) {
    if (cp < 0x80) {
      buf_.push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
      buf_.push_back(static_cast<char>(0xC0 | (cp >> 6)));
      buf_.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
      buf_.push_back(static_cast<char>(0xE0 | (cp >> 12)));
      buf_.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
      buf_.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else {
      buf_.push_back(static_cast<char>(0xF0 | (cp >> 18)));
      buf_.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
      buf_.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
      buf_.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    }
  }

  const char* p_;
  const char* end_;
  int depth_ = 0;
  bool failed_ = false;
  bool too_deep_ = false;
  std::string buf_;  // decoded text of the last string with escapes
};

}  // namespace touchpoint::json_lexer
