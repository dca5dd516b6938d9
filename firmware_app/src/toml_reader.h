// Private: reads TOML tables into config structs, collecting every problem as
// "FILE:LINE:COL: key.path: message" (unknown keys, wrong types, out-of-range values).
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include <toml++/toml.h>

#include "touchpoint/core/status.h"

namespace touchpoint::config {

class Problems {
 public:
  explicit Problems(std::string file) : file_(std::move(file)) {}
  void Add(const toml::source_region& where, const std::string& message);
  void AddGlobal(const std::string& message);
  bool empty() const { return lines_.empty(); }
  std::string Joined() const;
  const std::string& file() const { return file_; }

 private:
  std::string file_;
  std::vector<std::string> lines_;
};

class TableReader {
 public:
  // `path` is the dotted name used in messages ("camera", "camera.lines[0]").
  TableReader(const toml::table& table, std::string path, Problems* problems)
      : table_(table), path_(std::move(path)), problems_(problems) {}

  void String(const char* key, std::string* out);
  // Non-empty, letters/digits/'-'/'_', at most 64 chars.
  void Identifier(const char* key, std::string* out, bool required);
  void Int(const char* key, int32_t* out, int64_t min, int64_t max);
  void Int(const char* key, int64_t* out, int64_t min, int64_t max);
  void Real(const char* key, double* out, double min, double max);
  void Bool(const char* key, bool* out);
  void StringArray(const char* key, std::vector<std::string>* out);
  const toml::table* Table(const char* key);
  const toml::array* Array(const char* key);
  void MarkSeen(const char* key) { seen_.insert(key); }
  // Reports every key this reader was not asked about.
  void RejectUnknown();

  void Error(const char* key, const std::string& message);
  void ErrorAt(const toml::node& node, const std::string& message);
  std::string KeyPath(const char* key) const { return path_.empty() ? key : path_ + "." + key; }
  const toml::table& table() const { return table_; }
  Problems* problems() const { return problems_; }

 private:
  const toml::node* Find(const char* key);
  const toml::table& table_;
  std::string path_;
  Problems* problems_;
  std::set<std::string> seen_;
};

bool IsIdentifier(const std::string& s);

}  // namespace touchpoint::config
