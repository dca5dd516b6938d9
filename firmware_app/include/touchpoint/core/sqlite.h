// A thin RAII layer over sqlite3 for touchpoint's stores (kiosk event store, hub store).
// Every sqlite3_* result is checked and turned into a Status that names the operation.
// A Database is used by one thread at a time; make one per thread.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>

#include "touchpoint/core/status.h"

struct sqlite3;
struct sqlite3_stmt;

namespace touchpoint::sql {

class Statement;

class Database {
 public:
  enum class Mode { kReadWriteCreate, kReadOnly };
  // Opens the file. busy_timeout_ms applies to every statement.
  static Result<std::unique_ptr<Database>> Open(const std::string& path, Mode mode,
                                                int busy_timeout_ms = 5000);
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  // Runs one or more statements that return no rows.
  Status Exec(std::string_view sql);
  // A prepared statement; errors name the SQL.
  Result<Statement> Prepare(std::string_view sql);
  // The statement kept in `slot`: prepared there on first use, reset (and unbound) after.
  Result<Statement*> PrepareOnce(std::optional<Statement>* slot, std::string_view sql);
  // Single integer result of a query (e.g. "PRAGMA user_version"); nullopt if no row.
  Result<std::optional<int64_t>> QueryInt(std::string_view sql);
  Result<std::string> QueryText(std::string_view sql);
  // Whether `table` exists and has a column named `column` (schema migrations).
  Result<bool> HasColumn(std::string_view table, std::string_view column);

  int64_t LastInsertRowId() const;
  int Changes() const;
  // Explicit rollback that never fails loudly (used after an error).
  void RollbackQuietly();

  sqlite3* handle() const { return db_; }
  const std::string& path() const { return path_; }
  // Status for the connection's last error, with context.
  Status LastError(std::string_view what) const;

 private:
  Database(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}
  sqlite3* db_;
  std::string path_;
};

// A prepared statement. Bind indexes start at 1, column indexes at 0. Bind* return *this for
// chaining; the first failing bind (bad index, too big, out of memory) is remembered and the
// next Step()/Run() returns it without executing, so a statement never runs half bound.
class Statement {
 public:
  Statement(Statement&& other) noexcept;
  Statement& operator=(Statement&& other) noexcept;
  ~Statement();

  Statement& Bind(int index, int64_t value);
  Statement& Bind(int index, std::string_view text);
  Statement& BindNull(int index);
  Statement& BindDouble(int index, double value);

  // Advances: true = a row is ready, false = done. Errors are Statuses.
  Result<bool> Step();
  // Step() until done, for statements without rows.
  Status Run();
  // Step() through every row, calling on_row() at each (it reads the columns). on_row may
  // return void or a Status; the first error, SQLite's or on_row's, stops and is returned.
  template <class OnRow>
  Status ForEachRow(OnRow&& on_row) {
    while (true) {
      Result<bool> row = Step();
      if (!row.ok()) return row.status();
      if (!*row) return Status::Ok();
      if constexpr (std::is_void_v<std::invoke_result_t<OnRow&>>) {
        on_row();
      } else if (Status s = on_row(); !s.ok()) {
        return s;
      }
    }
  }
  // Resets for another execution and clears bindings (and a remembered bind error).
  void Reset();

  int64_t ColumnInt(int col) const;
  double ColumnDouble(int col) const;
  std::string ColumnText(int col) const;
  std::string_view ColumnTextView(int col) const;  // valid until the next Step/Reset
  bool ColumnIsNull(int col) const;

 private:
  friend class Database;
  Statement(sqlite3_stmt* stmt, Database* db) : stmt_(stmt), db_(db) {}
  void CheckBind(int rc, int index);
  std::string What() const;  // "<path>: <start of the SQL>" for error messages
  sqlite3_stmt* stmt_ = nullptr;
  Database* db_ = nullptr;
  int bind_rc_ = 0;  // SQLITE_OK, or the first failed bind's result since the last Reset()
  int bind_index_ = 0;
};

// Maps an SQLite result code to a Status (SQLITE_FULL -> kDiskFull, SQLITE_CORRUPT/NOTADB ->
// kCorruption, SQLITE_BUSY/LOCKED -> kBusy, SQLITE_IOERR -> kIoError, ...).
Status FromSqlite(int rc, std::string_view what, sqlite3* db);

}  // namespace touchpoint::sql
