// json_lexer::Lexer's interface over simdjson's On-Demand API, so that event_decode.cc's strict
// decoder (same checks, same messages) can be measured over simdjson (touchpoint-bench codec).
// Every value is read or walked (a skipped value is validated too, as nlohmann would), a value
// to read again later (Seek) is parsed again on its own. The document is copied once into a
// padded buffer (simdjson reads up to SIMDJSON_PADDING bytes past the end) inside "[...]", so
// that a root of any kind is an array element and trailing values show as a second element.
// Not thread-safe; one lexer per document.
#pragma once

#include <simdjson.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "json_lexer.h"

namespace touchpoint::json_simd {

using json_lexer::Kind;
using json_lexer::Number;
using json_lexer::Span;
namespace od = simdjson::ondemand;

class SimdLexer {
 public:
  static constexpr int kMaxDepth = json_lexer::Lexer::kMaxDepth;

  explicit SimdLexer(std::string_view text) : base_(InUse()) {
    if (text.size() >= 3 && std::memcmp(text.data(), "\xEF\xBB\xBF", 3) == 0) {
      text.remove_prefix(3);  // as nlohmann
    }
    Open(text);
  }

  ~SimdLexer() { InUse() = base_; }
  SimdLexer(const SimdLexer&) = delete;
  SimdLexer& operator=(const SimdLexer&) = delete;

  bool failed() const { return failed_; }
  bool too_deep() const { return too_deep_; }

  bool Peek(Kind* kind) {
    if (failed_ || !Ctx().has_value) return Fail();
    od::json_type t;
    if (Ctx().value.type().get(t)) return Fail();
    switch (t) {
      case od::json_type::array:
        *kind = Kind::kArray;
        return true;
      case od::json_type::object:
        *kind = Kind::kObject;
        return true;
      case od::json_type::number:
        *kind = Kind::kNumber;
        return true;
      case od::json_type::string:
        *kind = Kind::kString;
        return true;
      case od::json_type::boolean:
        *kind = Kind::kBoolean;
        return true;
      case od::json_type::null:
        *kind = Kind::kNull;
        return true;
    }
    return Fail();
  }

  bool ReadString(std::string_view* out) {
    if (failed_ || !Ctx().has_value) return Fail();
    Ctx().has_value = false;
    if (Ctx().value.get_string().get(*out)) return Fail();
    return true;
  }

  bool ReadNumber(Number* n) {
    if (failed_ || !Ctx().has_value) return Fail();
    Context& c = Ctx();
    c.has_value = false;
    std::string_view raw = c.value.raw_json_token();
    while (!raw.empty() && IsSpace(raw.back())) raw.remove_suffix(1);
    if (raw.size() > json_lexer::Lexer::kMaxNumberChars) return Fail();
    n->text = raw;
    n->negative = !raw.empty() && raw[0] == '-';
    od::number num;
    if (c.value.get_number().get(num)) {
      // What simdjson does not convert (an integer beyond 64 bits, a double that underflows) is
      // read as nlohmann reads it: a double; one that overflows is an error.
      if (!ValidNumberSyntax(raw)) return Fail();
      n->integer = false;
      std::string copy(raw);
      errno = 0;
      n->floating = std::strtod(copy.c_str(), nullptr);
      return !std::isinf(n->floating) || Fail();
    }
    switch (num.get_number_type()) {
      case od::number_type::signed_integer: {
        int64_t v = num.get_int64();
        n->integer = true;
        n->magnitude = v < 0 ? ~static_cast<uint64_t>(v) + 1 : static_cast<uint64_t>(v);
        return true;
      }
      case od::number_type::unsigned_integer:
        n->integer = true;
        n->magnitude = num.get_uint64();
        return true;
      default:
        n->integer = false;
        n->floating = num.get_double();
        return true;
    }
  }

  bool ReadBoolean(bool* v) {
    if (failed_ || !Ctx().has_value) return Fail();
    Ctx().has_value = false;
    if (Ctx().value.get_bool().get(*v)) return Fail();
    return true;
  }

  bool ReadNull() {
    if (failed_ || !Ctx().has_value) return Fail();
    Ctx().has_value = false;
    bool is_null = false;
    if (Ctx().value.is_null().get(is_null) || !is_null) return Fail();
    return true;
  }

  bool BeginObject() {
    if (failed_ || !Ctx().has_value) return Fail();
    Context& c = Ctx();
    c.has_value = false;
    od::object o;
    if (c.value.get_object().get(o)) return Fail();
    Frame f;
    f.is_object = true;
    if (o.begin().get(f.obj) || o.end().get(f.obj_end)) return Fail();
    return Push(std::move(f));
  }

  bool NextMember(bool* first, std::string_view* key) {
    if (failed_ || Ctx().frames.empty() || !Ctx().frames.back().is_object) return Fail();
    Context& c = Ctx();
    Frame& f = c.frames.back();
    if (!*first) ++f.obj;
    *first = false;
    if (!(f.obj != f.obj_end)) return Pop();
    od::field field;
    if ((*f.obj).get(field)) return Fail();
    if (field.unescaped_key().get(*key)) return Fail();
    c.value = field.value();
    c.has_value = true;
    return true;
  }

  bool BeginArray() {
    if (failed_ || !Ctx().has_value) return Fail();
    Context& c = Ctx();
    c.has_value = false;
    od::array a;
    if (c.value.get_array().get(a)) return Fail();
    Frame f;
    if (a.begin().get(f.arr) || a.end().get(f.arr_end)) return Fail();
    return Push(std::move(f));
  }

  bool NextElement(bool* first) {
    if (failed_ || Ctx().frames.empty() || Ctx().frames.back().is_object) return Fail();
    Context& c = Ctx();
    Frame& f = c.frames.back();
    if (!*first) ++f.arr;
    *first = false;
    if (!(f.arr != f.arr_end)) return Pop();
    if ((*f.arr).get(c.value)) return Fail();
    c.has_value = true;
    return true;
  }

  // Reads (and so validates) the next value whole.
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

  // The next value's text, validated, to read again with Seek(); consumes it.
  Span SkipToSpan() {
    Kind k;
    if (!Peek(&k)) return Span{};
    Context& c = Ctx();
    std::string_view raw;
    if (k == Kind::kObject) {
      od::object o;
      if (c.value.get_object().get(o) || o.raw_json().get(raw)) return Fail(), Span{};
    } else if (k == Kind::kArray) {
      od::array a;
      if (c.value.get_array().get(a) || a.raw_json().get(raw)) return Fail(), Span{};
    } else {
      raw = c.value.raw_json_token();
    }
    c.has_value = false;
    // Objects and arrays were skipped unchecked: read the copy whole once.
    Span s{raw.data(), raw.data() + raw.size()};
    Span saved = Seek(s);
    bool ok = SkipValue();
    Resume(saved);
    if (!ok) return Fail(), Span{};
    return s;
  }

  // Reads `s` (from SkipToSpan) next, on its own parser, until Resume().
  // Returns what Resume() needs.
  Span Seek(Span s) {
    if (failed_) return Span{};
    int depth = std::max(0, static_cast<int>(Ctx().frames.size()) - 1 + Ctx().depth_base);
    Open(std::string_view(s.begin, static_cast<size_t>(s.end - s.begin)));
    contexts_.back()->depth_base = depth;
    return Span{s.begin, s.end};  // non-empty: a context to leave
  }
  void Resume(Span saved) {
    if (!saved.empty() && contexts_.size() > 1) {
      contexts_.pop_back();
      InUse() = base_ + contexts_.size();
    }
  }

  // True when only whitespace is left (the root value was read whole and nothing follows).
  bool AtEnd() {
    if (failed_) return false;
    Context& c = Ctx();
    if (c.has_value || c.frames.size() != 1) return false;
    Frame& f = c.frames.back();
    ++f.arr;
    if (f.arr != f.arr_end) return false;  // a second value after the root
    c.frames.pop_back();
    const char* at = nullptr;
    return c.doc.current_location().get(at) != simdjson::SUCCESS;  // nothing after the ']'
  }
  void ExpectEnd() {
    if (!AtEnd()) Fail();
  }

 private:
  struct Frame {
    bool is_object = false;
    od::object_iterator obj, obj_end;
    od::array_iterator arr, arr_end;
  };
  struct Context {
    od::parser parser;
    std::string buf;  // "[" text "]" + padding
    od::document doc;
    std::vector<Frame> frames;
    od::value value;
    bool has_value = false;
    int depth_base = 0;
  };

  // Contexts (each a parser with its buffers) are kept per thread and reused: allocating a
  // parser costs more than parsing an event.
  static std::vector<std::unique_ptr<Context>>& Pool() {
    thread_local std::vector<std::unique_ptr<Context>> pool;
    return pool;
  }
  static size_t& InUse() {
    thread_local size_t in_use = 0;
    return in_use;
  }

  Context& Ctx() { return *contexts_.back(); }

  static bool IsSpace(char c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; }

  // RFC 8259 number grammar (for the integers simdjson does not convert).
  static bool ValidNumberSyntax(std::string_view t) {
    size_t i = 0;
    if (i < t.size() && t[i] == '-') ++i;
    if (i >= t.size()) return false;
    if (t[i] == '0') {
      ++i;
    } else if (t[i] >= '1' && t[i] <= '9') {
      while (i < t.size() && t[i] >= '0' && t[i] <= '9') ++i;
    } else {
      return false;
    }
    auto digits = [&] {
      size_t s = i;
      while (i < t.size() && t[i] >= '0' && t[i] <= '9') ++i;
      return i > s;
    };
    if (i < t.size() && t[i] == '.') {
      ++i;
      if (!digits()) return false;
    }
    if (i < t.size() && (t[i] == 'e' || t[i] == 'E')) {
      ++i;
      if (i < t.size() && (t[i] == '+' || t[i] == '-')) ++i;
      if (!digits()) return false;
    }
    return i == t.size();
  }

  // A new context reading `text` as the only element of an array.
  void Open(std::string_view text) {
    size_t slot = base_ + contexts_.size();
    auto& pool = Pool();
    if (pool.size() <= slot) pool.resize(slot + 1);
    if (!pool[slot]) pool[slot] = std::make_unique<Context>();
    InUse() = slot + 1;
    Context* c = pool[slot].get();
    c->frames.clear();
    c->has_value = false;
    c->depth_base = 0;
    c->buf.clear();
    c->buf.push_back('[');
    c->buf.append(text);
    c->buf.push_back(']');
    size_t len = c->buf.size();
    c->buf.append(simdjson::SIMDJSON_PADDING, '\0');
    contexts_.push_back(c);
    Context& ctx = Ctx();
    od::array root;
    if (ctx.parser.iterate(ctx.buf.data(), len, ctx.buf.size()).get(ctx.doc) ||
        ctx.doc.get_array().get(root)) {
      Fail();
      return;
    }
    Frame f;
    if (root.begin().get(f.arr) || root.end().get(f.arr_end)) {
      Fail();
      return;
    }
    ctx.frames.push_back(std::move(f));
    if (!(ctx.frames.back().arr != ctx.frames.back().arr_end) ||
        (*ctx.frames.back().arr).get(ctx.value)) {
      Fail();
      return;
    }
    ctx.has_value = true;
  }

  bool Push(Frame f) {
    Context& c = Ctx();
    // The wrapping array is frame 0 of each context and not counted.
    if (static_cast<int>(c.frames.size()) + c.depth_base > kMaxDepth) {
      too_deep_ = true;
      return Fail();
    }
    c.frames.push_back(std::move(f));
    return true;
  }

  bool Pop() {
    Ctx().frames.pop_back();
    return false;
  }

  bool Fail() {
    failed_ = true;
    return false;
  }

  size_t base_;                     // first pool slot of this lexer
  std::vector<Context*> contexts_;  // the document, then what Seek() reads
  bool failed_ = false;
  bool too_deep_ = false;
};

}  // namespace touchpoint::json_simd
