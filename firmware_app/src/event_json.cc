// Wire format v2 (docs/events.md); an event whose schema_version is 1 is written as v1. Decoding is
// strict: every problem names the field path.
#include "touchpoint/core/event_json.h"

#include <chrono>
#include <cstdio>
#include <ctime>

namespace touchpoint {

// ---- time -------------------------------------------------------------------------------------

std::string FormatUtcMs(int64_t ms) {
  int64_t secs = ms / 1000;
  int64_t frac = ms % 1000;
  if (frac < 0) {
    frac += 1000;
    secs -= 1;
  }
  time_t t = static_cast<time_t>(secs);
  struct tm tm {};
  gmtime_r(&t, &tm);
  char buf[96];
  snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
           tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(frac));
  return buf;
}

namespace {

bool Digits(std::string_view text, size_t pos, size_t n, int* out) {
  int v = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    if (text[i] < '0' || text[i] > '9') return false;
    v = v * 10 + (text[i] - '0');
  }
  *out = v;
  return true;
}

// The UTC ms of "YYYY-MM-DDTHH" (the first 13 characters of `text`, which has at least 20), or
// nullopt if it is not a valid date and hour.
std::optional<int64_t> HourStartMs(std::string_view text) {
  int y, mo, d, h;
  if (!Digits(text, 0, 4, &y) || text[4] != '-' || !Digits(text, 5, 2, &mo) || text[7] != '-' ||
      !Digits(text, 8, 2, &d) || text[10] != 'T' || !Digits(text, 11, 2, &h)) {
    return std::nullopt;
  }
  if (h > 23) return std::nullopt;
  // std::chrono's civil calendar (as the hub's calendar.h): no February 30th, no timegm().
  const std::chrono::year_month_day date{std::chrono::year(y),
                                         std::chrono::month(static_cast<unsigned>(mo)),
                                         std::chrono::day(static_cast<unsigned>(d))};
  if (!date.ok()) return std::nullopt;
  const int64_t days = std::chrono::sys_days(date).time_since_epoch().count();
  return (days * 86400 + h * 3600) * 1000;
}

}  // namespace

std::optional<int64_t> ParseUtcMs(std::string_view text) {
  // YYYY-MM-DDTHH:MM:SS[.fff]Z
  if (text.size() < 20 || text.back() != 'Z') return std::nullopt;
  // The events of one batch mostly fall in a few hours: the date and hour part, validated and
  // converted once, is remembered per thread (the hub's decoders read it on several threads).
  constexpr size_t kHourChars = 13;
  struct HourCache {
    char key[kHourChars] = {};
    int64_t start_ms = -1;  // -1: empty
  };
  thread_local HourCache cache;
  int64_t hour_ms;
  if (cache.start_ms != -1 &&
      std::string_view(cache.key, kHourChars) == text.substr(0, kHourChars)) {
    hour_ms = cache.start_ms;
  } else {
    auto start = HourStartMs(text);
    if (!start) return std::nullopt;
    hour_ms = *start;
    text.copy(cache.key, kHourChars);
    cache.start_ms = hour_ms;
  }
  int mi, s;
  if (text[13] != ':' || !Digits(text, 14, 2, &mi) || text[16] != ':' || !Digits(text, 17, 2, &s)) {
    return std::nullopt;
  }
  int ms = 0;
  size_t pos = 19;
  if (text[pos] == '.') {
    size_t start = ++pos;
    int scale = 100;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
      if (pos - start < 3) ms += (text[pos] - '0') * scale;
      scale /= 10;
      ++pos;
    }
    if (pos == start) return std::nullopt;
  }
  if (pos != text.size() - 1) return std::nullopt;
  if (mi > 59 || s > 60) return std::nullopt;
  // A leap second may not roll over midnight (the hour is 23 then). Only second 60 can: the
  // hour of day (two 64-bit divisions, most of this function's time) is worked out for it alone.
  if (s == 60) {
    int64_t hour_of_day = (hour_ms / 1000) % 86400 / 3600;
    if (hour_of_day < 0) hour_of_day += 24;
    if (hour_of_day * 3600 + mi * 60 + s >= 86400) return std::nullopt;
  }
  return hour_ms + (mi * 60 + s) * int64_t{1000} + ms;
}

// ---- encoding ---------------------------------------------------------------------------------
// Hand-written: events are encoded on the store's writer thread for every append, and building
// a JSON tree first costs several times more than appending to one string.

namespace {

class JsonWriter {
 public:
  explicit JsonWriter(std::string* out) : out_(*out) {}

  JsonWriter& Key(std::string_view k) {
    Comma();
    out_ += '"';
    out_ += k;
    out_ += "\":";
    first_ = true;  // the value follows without a comma
    pending_value_ = true;
    return *this;
  }
  void Str(std::string_view v) {
    Comma();
    out_ += '"';
    for (char c : v) {
      switch (c) {
        case '"':
          out_ += "\\\"";
          break;
        case '\\':
          out_ += "\\\\";
          break;
        case '\n':
          out_ += "\\n";
          break;
        case '\r':
          out_ += "\\r";
          break;
        case '\t':
          out_ += "\\t";
          break;
        case '\b':
          out_ += "\\b";
          break;
        case '\f':
          out_ += "\\f";
          break;
        default:
          if (static_cast<unsigned char>(c) < 0x20) {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(c));
            out_ += buf;
          } else {
            out_ += c;
          }
      }
    }
    out_ += '"';
  }
  void Int(int64_t v) {
    Comma();
    out_ += std::to_string(v);
  }
  void UInt(uint64_t v) {
    Comma();
    out_ += std::to_string(v);
  }
  void Bool(bool v) {
    Comma();
    out_ += v ? "true" : "false";
  }
  void Null() {
    Comma();
    out_ += "null";
  }
  void Double(double v) {
    Comma();
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.6g", v);
    out_ += buf;
    if (std::string_view(buf).find_first_of(".eEn") == std::string_view::npos) out_ += ".0";
  }
  void BeginObject() { Open('{'); }
  void EndObject() { Close('}'); }
  void BeginArray() { Open('['); }
  void EndArray() { Close(']'); }

  JsonWriter& S(std::string_view k, std::string_view v) {
    Key(k).Str(v);
    return *this;
  }
  JsonWriter& I(std::string_view k, int64_t v) {
    Key(k).Int(v);
    return *this;
  }
  JsonWriter& B(std::string_view k, bool v) {
    Key(k).Bool(v);
    return *this;
  }

 private:
  void Comma() {
    if (pending_value_) {
      pending_value_ = false;
      first_ = false;
      return;
    }
    if (!first_) out_ += ',';
    first_ = false;
  }
  void Open(char c) {
    Comma();
    out_ += c;
    first_ = true;
  }
  void Close(char c) {
    out_ += c;
    first_ = false;
  }
  std::string& out_;
  bool first_ = true;
  bool pending_value_ = false;
};

void WriteAnswers(JsonWriter& w, const std::vector<Answer>& answers) {
  w.Key("answers").BeginArray();
  for (const auto& a : answers) {
    w.BeginObject();
    w.S("question_id", a.question_id).S("type", QuestionTypeName(a.type));
    if (a.score) w.I("score", *a.score);
    if (a.type == QuestionType::kTags) {
      w.Key("tags").BeginArray();
      for (const auto& t : a.tags) w.Str(t);
      w.EndArray();
    }
    if (a.type == QuestionType::kText) w.S("text", a.text);
    w.EndObject();
  }
  w.EndArray();
}

void WriteContext(JsonWriter& w, const std::optional<FeedbackContext>& c) {
  if (!c) {
    w.Key("context").Null();
    return;
  }
  w.Key("context").BeginObject();
  w.I("occupancy_at_start", c->occupancy_at_start).I("visitors_in_15min", c->visitors_in_15min);
  if (c->people_at_kiosk) {
    w.I("people_at_kiosk", *c->people_at_kiosk);
  } else {
    w.Key("people_at_kiosk").Null();
  }
  w.EndObject();
}

void WriteOptionalDouble(JsonWriter& w, std::string_view key, const std::optional<double>& v) {
  if (v) {
    w.Key(key).Double(*v);
  } else {
    w.Key(key).Null();
  }
}

struct PayloadWriter {
  JsonWriter& w;
  int version;
  void operator()(const FeedbackPayload& p) const {
    w.S("survey_id", p.survey_id).I("survey_version", p.survey_version).S("language", p.language);
    w.I("duration_ms", p.duration_ms);
    WriteAnswers(w, p.answers);
    w.B("suspect", p.suspect);
    if (p.suspect) w.S("suspect_reason", p.suspect_reason);
    if (version >= 2) WriteContext(w, p.context);
  }
  void operator()(const FeedbackAbandonedPayload& p) const {
    w.S("survey_id", p.survey_id).I("survey_version", p.survey_version).S("language", p.language);
    w.I("duration_ms", p.duration_ms).I("questions_total", p.questions_total);
    w.I("questions_answered", p.questions_answered).S("last_question_id", p.last_question_id);
    WriteAnswers(w, p.answers);
    if (version >= 2) WriteContext(w, p.context);
  }
  void operator()(const FootfallPayload& p) const {
    w.S("interval_start", FormatUtcMs(p.interval_start_ms)).I("interval_s", p.interval_s);
    w.Key("lines").BeginArray();
    for (const auto& l : p.lines) {
      w.BeginObject();
      w.S("line", l.line).I("in", l.in).I("out", l.out);
      w.EndObject();
    }
    w.EndArray();
    w.I("occupancy_min", p.occupancy_min).I("occupancy_max", p.occupancy_max);
    w.I("occupancy_end", p.occupancy_end);
    if (!p.compacted_seqs.empty()) {
      w.Key("compacted_seqs").BeginArray();
      for (uint64_t s : p.compacted_seqs) w.UInt(s);
      w.EndArray();
    }
    if (version < 2) return;
    w.Key("zones").BeginArray();
    for (const ZoneStats& z : p.zones) {
      w.BeginObject();
      w.S("id", z.id).I("visits", z.visits).I("occupancy_max", z.occupancy_max);
      w.Key("occupancy_mean").Double(z.occupancy_mean);
      WriteOptionalDouble(w, "dwell_mean_s", z.dwell_mean_s);
      WriteOptionalDouble(w, "dwell_p90_s", z.dwell_p90_s);
      w.I("dwell_n", z.dwell_n);
      w.Key("dwell_hist").BeginArray();
      for (int64_t c : z.dwell_hist) w.Int(c);
      w.EndArray();
      w.EndObject();
    }
    w.EndArray();
  }
  void operator()(const CoveragePayload& p) const {
    w.S("source", p.source).S("start", FormatUtcMs(p.start_ms)).S("end", FormatUtcMs(p.end_ms));
    w.S("reason", p.reason);
  }
  void operator()(const StatusPayload& p) const {
    w.S("software_version", p.software_version).S("config_version", p.config_version);
    w.I("uptime_s", p.uptime_s).I("queue_depth", p.queue_depth);
    w.I("oldest_pending_age_s", p.oldest_pending_age_s);
    if (p.last_hub_ack_ms) {
      w.S("last_hub_ack", FormatUtcMs(*p.last_hub_ack_ms));
    } else {
      w.Key("last_hub_ack").Null();
    }
    w.S("camera_state", p.camera_state);
    w.Key("camera_fps").Double(p.camera_fps);
    w.I("db_bytes", p.db_bytes).I("disk_budget_bytes", p.disk_budget_bytes);
    w.I("feedback_lost", p.feedback_lost).I("events_lost", p.events_lost);
    w.I("events_pruned", p.events_pruned).I("footfall_compacted", p.footfall_compacted);
    w.Key("problems").BeginArray();
    for (const auto& s : p.problems) w.Str(s);
    w.EndArray();
    if (version < 2) return;
    if (!p.camera_person_size) {
      w.Key("camera_person_size").Null();
      return;
    }
    w.Key("camera_person_size").BeginObject();
    w.S("source", p.camera_person_size->source);
    w.Key("height_top_px").Double(p.camera_person_size->height_top_px);
    w.Key("height_bottom_px").Double(p.camera_person_size->height_bottom_px);
    w.EndObject();
  }
};

}  // namespace

std::string EncodeEvent(const Event& e) {
  std::string out;
  out.reserve(512);
  JsonWriter w(&out);
  w.BeginObject();
  w.I("schema_version", e.schema_version).S("id", e.id).S("type", EventTypeName(e.type()));
  w.S("kiosk_id", e.kiosk_id).S("store_id", e.store_id).S("touchpoint", e.touchpoint);
  w.S("journey_stage", e.journey_stage);
  w.Key("seq").UInt(e.seq);
  w.I("boot_count", e.boot_count).S("time", FormatUtcMs(e.time_ms));
  w.I("utc_offset_min", e.utc_offset_min).B("clock_synced", e.clock_synced);
  w.Key("data").BeginObject();
  std::visit(PayloadWriter{w, e.schema_version}, e.payload);
  w.EndObject();
  w.EndObject();
  return out;
}

// Decoding: event_decode.cc.

}  // namespace touchpoint
