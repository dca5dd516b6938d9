// The field-level half of a strict JSON decoder (used by event_decode.cc): where a problem
// stands in schema order (Rank), the path it is reported at (Path), the lowest-ranked problem
// (Problems), and FieldReader, whose readers each consume one value from the lexer and check
// it. A decoder derives from FieldReader and adds what its schema means. Not thread-safe; one
// reader per document. Inline because it sits on the hub's ingest path.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "json_lexer.h"
#include "touchpoint/core/event_json.h"
#include "touchpoint/core/input_bounds.h"

namespace touchpoint::json_fields {

using json_lexer::Kind;
using json_lexer::KindName;
using json_lexer::Lexer;
using json_lexer::Number;
using json_lexer::Span;

// Where a check stands in the schema order: one byte per nesting level, most significant first.
// For a field with rank F: F.Sub(0) duplicate key, F.Checks() its value's checks (and, for an
// object value, "expected an object"), F.Item(i) the i-th array item; an object's members are
// at Checks().Sub(1 + index) and its unknown fields at Checks().Sub(255).
class Rank {
 public:
  Rank Sub(unsigned digit) const {
    Rank r = *this;
    if (level_ < 8) r.value_ |= uint64_t{digit & 0xFF} << (56 - 8 * level_);
    ++r.level_;
    return r;
  }
  Rank Checks() const { return Sub(1); }
  Rank Item(size_t i) const { return Sub(2 + static_cast<unsigned>(std::min<size_t>(i, 250))); }
  Rank Member(size_t i) const { return Sub(1 + static_cast<unsigned>(i)); }
  Rank Unknown() const { return Sub(255); }
  uint64_t value() const { return value_; }

 private:
  uint64_t value_ = 0;
  int level_ = 0;
};

// A field path such as data.answers[2].score, kept as a chain on the stack and spelled out
// only for a message.
struct Path {
  const Path* parent = nullptr;
  std::string_view key;
  size_t index = 0;
  bool is_index = false;

  std::string ToString() const {
    std::string s = parent ? parent->ToString() : std::string();
    if (is_index) {
      s += '[';
      s += std::to_string(index);
      s += ']';
    } else {
      if (parent) s += '.';
      s += EscapeForMessage(key, 64);  // an unknown field's name comes from the input
    }
    return s;
  }
};

inline Path Key(const Path* parent, std::string_view key) { return Path{parent, key, 0, false}; }
inline Path Index(const Path& parent, size_t i) { return Path{&parent, {}, i, true}; }

class Problems {
 public:
  void Add(Rank r, const Path& p, const std::string& why) {
    if (r.value() >= best_) return;
    best_ = r.value();
    message_ = p.ToString() + ": " + why;
  }
  bool any() const { return best_ != UINT64_MAX; }
  const std::string& message() const { return message_; }

 private:
  uint64_t best_ = UINT64_MAX;
  std::string message_;
};

// The alphabetically first unknown field of an object, as the tree-based decoder reported it.
class UnknownFields {
 public:
  void Add(std::string_view key) {
    if (!has_ || key < std::string_view(key_)) key_.assign(key.data(), key.size());
    has_ = true;
  }
  bool has() const { return has_; }
  const std::string& key() const { return key_; }

 private:
  bool has_ = false;
  std::string key_;
};

template <size_t N>
using Keys = std::array<std::string_view, N>;

// Keys are short: a plain loop beats a call to memcmp.
inline bool Same(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i] != b[i]) return false;
  }
  return true;
}

template <size_t N>
int FindKey(const Keys<N>& keys, std::string_view key, size_t hint) {
  if (hint < N && (key.data() == keys[hint].data() || Same(keys[hint], key))) {
    return static_cast<int>(hint);  // usually in order (NextMember hands back keys[hint] then)
  }
  for (size_t i = 0; i < N; ++i) {
    if (Same(keys[i], key)) return static_cast<int>(i);
  }
  return -1;
}

constexpr uint32_t Bit(int i) { return uint32_t{1} << i; }

inline std::string OutOfRange(int64_t v, int64_t min, int64_t max) {
  return std::to_string(v) + " is out of range " + std::to_string(min) + ".." + std::to_string(max);
}

// Input text in a message: escaped and cut short (input_bounds.h).
inline std::string Quoted(std::string_view s) { return QuoteForMessage(s); }

class FieldReader {
 protected:
  explicit FieldReader(std::string_view text) : lex_(text) {}

  // ---- one value each: the readers below always consume exactly one value (or fail the
  // lexer) and return whether it was acceptable; if not, the problem is recorded at rank r.

  // The next value's kind, or nullopt after recording "<prefix> <kind>" and skipping it.
  bool Expect(Kind want, Rank r, const Path& p, const char* prefix) {
    if (lex_.NextIs(want)) return true;  // compact text: no call to Peek()
    Kind k;
    if (!lex_.Peek(&k)) return false;
    if (k == want) return true;
    problems_.Add(r, p, std::string(prefix) + KindName(k));
    lex_.SkipValue();
    return false;
  }

  bool ObjectStart(Rank r, const Path& p) {
    Kind k;
    if (!lex_.Peek(&k)) return false;
    if (k == Kind::kObject) return true;
    problems_.Add(r, p, "expected an object");
    lex_.SkipValue();
    return false;
  }

  bool StringView(Rank r, const Path& p, std::string_view* out, bool allow_empty = false,
                  size_t max_len = 256) {
    if (!Expect(Kind::kString, r, p, "expected a string, got ")) return false;
    if (!lex_.ReadString(out)) return false;
    if (!allow_empty && out->empty()) {
      problems_.Add(r, p, "must not be empty");
      return false;
    }
    if (out->size() > max_len) {
      problems_.Add(r, p, "longer than " + std::to_string(max_len));
      return false;
    }
    return true;
  }

  bool String(Rank r, const Path& p, std::string* out, bool allow_empty = false,
              size_t max_len = 256) {
    std::string_view s;
    if (!StringView(r, p, &s, allow_empty, max_len)) return false;
    out->assign(s.data(), s.size());
    return true;
  }

  // Any integer that fits int64.
  bool IntValue(Rank r, const Path& p, int64_t* out) {
    if (!Expect(Kind::kNumber, r, p, "expected an integer, got ")) return false;
    Number n;
    if (!lex_.ReadNumber(&n)) return false;
    if (!n.integer) {
      problems_.Add(r, p, "expected an integer, got number");
      return false;
    }
    if (!n.negative && n.magnitude > static_cast<uint64_t>(INT64_MAX)) {
      problems_.Add(r, p, "out of range");
      return false;
    }
    *out = n.negative ? static_cast<int64_t>(~n.magnitude + 1) : static_cast<int64_t>(n.magnitude);
    return true;
  }

  bool Int(Rank r, const Path& p, int64_t min, int64_t max, int64_t* out) {
    int64_t v;
    if (!IntValue(r, p, &v)) return false;
    if (v < min || v > max) {
      problems_.Add(r, p, OutOfRange(v, min, max));
      return false;
    }
    *out = v;
    return true;
  }

  template <class T>
  bool IntAs(Rank r, const Path& p, int64_t min, int64_t max, T* out) {
    int64_t v;
    if (!Int(r, p, min, max, &v)) return false;
    *out = static_cast<T>(v);
    return true;
  }

  bool Double(Rank r, const Path& p, double min, double max, double* out) {
    if (!Expect(Kind::kNumber, r, p, "expected a number, got ")) return false;
    Number n;
    if (!lex_.ReadNumber(&n)) return false;
    double d = n.AsDouble();
    if (d < min || d > max) {
      problems_.Add(r, p, "out of range");
      return false;
    }
    *out = d;
    return true;
  }

  bool Boolean(Rank r, const Path& p, bool* out) {
    if (!Expect(Kind::kBoolean, r, p, "expected true or false, got ")) return false;
    return lex_.ReadBoolean(out);
  }

  bool Time(Rank r, const Path& p, int64_t* out) {
    std::string_view s;
    if (!StringView(r, p, &s)) return false;
    auto t = ParseUtcMs(s);
    if (!t) {
      problems_.Add(r, p, Quoted(s) + " is not an RFC 3339 UTC time like 2026-01-31T12:00:00.000Z");
      return false;
    }
    *out = *t;
    return true;
  }

  // ---- containers

  // The members of the object that is the next value (ObjectStart() checked it is one).
  // on_field(index, rank, path) reads the value of each known field; unknown fields are
  // collected, duplicates reported. Returns the bit set of the fields seen.
  template <size_t N, class OnField>
  uint32_t Members(Rank base, const Path* path, const Keys<N>& keys, UnknownFields* unknown,
                   OnField&& on_field) {
    static_assert(N <= 32);
    uint32_t seen = 0;
    if (!lex_.BeginObject()) return seen;
    bool first = true;
    std::string_view key;
    size_t hint = 0;
    while (lex_.NextMember(&first, &key, hint < N ? keys[hint] : std::string_view())) {
      // NextMember() hands back keys[hint] itself when the text holds it (the usual case).
      int i = hint < N && key.data() == keys[hint].data() ? static_cast<int>(hint)
                                                          : FindKey(keys, key, hint);
      if (i < 0) {
        unknown->Add(key);
        lex_.SkipValue();
        continue;
      }
      hint = static_cast<size_t>(i) + 1;
      Path p = Key(path, keys[static_cast<size_t>(i)]);
      Rank r = base.Member(static_cast<size_t>(i));
      if (seen & Bit(i)) {
        problems_.Add(r, p, "duplicate field");
        lex_.SkipValue();
        continue;
      }
      seen |= Bit(i);
      on_field(i, r, p);
    }
    return seen;
  }

  template <size_t N>
  void Missing(Rank base, const Path* path, const Keys<N>& keys, uint32_t seen, uint32_t required) {
    uint32_t missing = required & ~seen;
    for (size_t i = 0; missing != 0 && i < N; ++i) {
      if (missing & Bit(static_cast<int>(i))) {
        problems_.Add(base.Member(i).Checks(), Key(path, keys[i]), "missing");
        return;  // the first in schema order outranks the rest
      }
    }
  }

  void ReportUnknown(Rank base, const Path* path, const UnknownFields& unknown) {
    if (unknown.has()) problems_.Add(base.Unknown(), Key(path, unknown.key()), "unknown field");
  }

  // An array of at most max_items values; on_item(i, rank, path) reads each.
  template <class OnItem>
  void Items(Rank r, const Path& p, size_t max_items, const char* not_array, OnItem&& on_item) {
    Kind k;
    if (!lex_.Peek(&k)) return;
    if (k != Kind::kArray) {
      problems_.Add(r.Checks(), p,
                    not_array ? std::string(not_array)
                              : std::string("expected an array, got ") + KindName(k));
      lex_.SkipValue();
      return;
    }
    lex_.BeginArray();
    bool first = true;
    size_t i = 0;
    while (lex_.NextElement(&first)) {
      if (i >= max_items) {
        if (i == max_items) {
          problems_.Add(r.Checks(), p, "more than " + std::to_string(max_items) + " items");
        }
        lex_.SkipValue();
      } else {
        on_item(i, r.Item(i), Index(p, i));
      }
      ++i;
    }
  }

  Lexer lex_;
  Problems problems_;
};

}  // namespace touchpoint::json_fields
