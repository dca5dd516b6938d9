#include "toml_reader.h"

#include "touchpoint/core/input_bounds.h"

namespace touchpoint::config {

// Messages quote keys and values of the document: one problem stays one line, and no control
// character from the input reaches a terminal or the kiosk's status.
constexpr size_t kMaxProblemChars = 1024;

void Problems::Add(const toml::source_region& where, const std::string& message) {
  lines_.push_back(file_ + ":" + std::to_string(where.begin.line) + ":" +
                   std::to_string(where.begin.column) + ": " +
                   EscapeForMessage(message, kMaxProblemChars));
}

void Problems::AddGlobal(const std::string& message) {
  lines_.push_back(file_ + ": " + EscapeForMessage(message, kMaxProblemChars));
}

std::string Problems::Joined() const {
  std::string out;
  for (const auto& l : lines_) {
    if (!out.empty()) out += "\n";
    out += l;
  }
  return out;
}

bool IsIdentifier(const std::string& s) {
  if (s.empty() || s.size() > 64) return false;
  for (char c : s) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_';
    if (!ok) return false;
  }
  return true;
}

const toml::node* TableReader::Find(const char* key) {
  seen_.insert(key);
  return table_.get(key);
}

void TableReader::Error(const char* key, const std::string& message) {
  const toml::node* n = table_.get(key);
  problems_->Add(n ? n->source() : table_.source(), KeyPath(key) + ": " + message);
}

void TableReader::ErrorAt(const toml::node& node, const std::string& message) {
  problems_->Add(node.source(), message);
}

void TableReader::String(const char* key, std::string* out) {
  const toml::node* n = Find(key);
  if (!n) return;
  if (auto v = n->value<std::string>(); v && n->is_string()) {
    *out = *v;
  } else {
    Error(key, "expected a string");
  }
}

void TableReader::Identifier(const char* key, std::string* out, bool required) {
  const toml::node* n = table_.get(key);
  if (!n) {
    if (required) problems_->Add(table_.source(), KeyPath(key) + ": missing (required)");
    seen_.insert(key);
    return;
  }
  std::string value;
  String(key, &value);
  if (!n->is_string()) return;
  if (!IsIdentifier(value)) {
    Error(key, "\"" + value + "\" must be 1-64 letters, digits, '-' or '_'");
    return;
  }
  *out = value;
}

void TableReader::Int(const char* key, int64_t* out, int64_t min, int64_t max) {
  const toml::node* n = Find(key);
  if (!n) return;
  if (!n->is_integer()) {
    Error(key, "expected an integer");
    return;
  }
  int64_t v = *n->value<int64_t>();
  if (v < min || v > max) {
    Error(key, std::to_string(v) + " is out of range " + std::to_string(min) + ".." +
                   std::to_string(max));
    return;
  }
  *out = v;
}

void TableReader::Int(const char* key, int32_t* out, int64_t min, int64_t max) {
  int64_t v = *out;
  Int(key, &v, min, max);
  *out = static_cast<int32_t>(v);
}

void TableReader::Real(const char* key, double* out, double min, double max) {
  const toml::node* n = Find(key);
  if (!n) return;
  if (!n->is_number()) {
    Error(key, "expected a number");
    return;
  }
  double v = *n->value<double>();
  if (!(v >= min && v <= max)) {
    Error(key, std::to_string(v) + " is out of range " + std::to_string(min) + ".." +
                   std::to_string(max));
    return;
  }
  *out = v;
}

void TableReader::Bool(const char* key, bool* out) {
  const toml::node* n = Find(key);
  if (!n) return;
  if (!n->is_boolean()) {
    Error(key, "expected true or false");
    return;
  }
  *out = *n->value<bool>();
}

void TableReader::StringArray(const char* key, std::vector<std::string>* out) {
  const toml::array* arr = Array(key);
  if (!arr) return;
  std::vector<std::string> values;
  for (size_t i = 0; i < arr->size(); ++i) {
    const toml::node& n = *arr->get(i);
    if (!n.is_string()) {
      ErrorAt(n, KeyPath(key) + "[" + std::to_string(i) + "]: expected a string");
      return;
    }
    values.push_back(*n.value<std::string>());
  }
  *out = std::move(values);
}

const toml::table* TableReader::Table(const char* key) {
  const toml::node* n = Find(key);
  if (!n) return nullptr;
  if (!n->is_table()) {
    Error(key, "expected a table");
    return nullptr;
  }
  return n->as_table();
}

const toml::array* TableReader::Array(const char* key) {
  const toml::node* n = Find(key);
  if (!n) return nullptr;
  if (!n->is_array()) {
    Error(key, "expected an array");
    return nullptr;
  }
  return n->as_array();
}

void TableReader::RejectUnknown() {
  for (const auto& entry : table_) {
    std::string key(entry.first.str());
    if (!seen_.count(key))
      problems_->Add(entry.first.source(), KeyPath(key.c_str()) + ": unknown key");
  }
}

}  // namespace touchpoint::config
