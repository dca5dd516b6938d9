#include "touchpoint/core/sqlite.h"

#include <sqlite3.h>

#include <limits>

namespace touchpoint::sql {

Status FromSqlite(int rc, std::string_view what, sqlite3* db) {
  std::string msg(what);
  msg += ": ";
  msg += (db != nullptr) ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  switch (rc & 0xff) {
    case SQLITE_OK:
    case SQLITE_DONE:
    case SQLITE_ROW:
      return Status::Ok();
    case SQLITE_FULL:
      return Status::DiskFull(msg);
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return Status::Corruption(msg);
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return Status::Busy(msg);
    case SQLITE_IOERR:
    case SQLITE_CANTOPEN:
    case SQLITE_READONLY:
    case SQLITE_PERM:
      return Status::IoError(msg);
    case SQLITE_CONSTRAINT:
    case SQLITE_MISMATCH:
    case SQLITE_RANGE:
    case SQLITE_TOOBIG:
      return Status::InvalidArgument(msg);
    default:
      return Status::Internal(msg);
  }
}

Result<std::unique_ptr<Database>> Database::Open(const std::string& path, Mode mode,
                                                 int busy_timeout_ms) {
  sqlite3* db = nullptr;
  int flags = SQLITE_OPEN_NOMUTEX;
  flags |=
      mode == Mode::kReadOnly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
  int rc = sqlite3_open_v2(path.c_str(), &db, flags, nullptr);
  if (rc != SQLITE_OK) {
    Status s = FromSqlite(rc, "open " + path, db);
    sqlite3_close(db);
    return s;
  }
  rc = sqlite3_extended_result_codes(db, 1);
  if (rc == SQLITE_OK) rc = sqlite3_busy_timeout(db, busy_timeout_ms);
  if (rc != SQLITE_OK) {
    Status s = FromSqlite(rc, "configure connection to " + path, db);
    sqlite3_close(db);
    return s;
  }
  return std::unique_ptr<Database>(new Database(db, path));
}

// sqlite3_close_v2 only fails for a misuse (an invalid handle); unfinalized statements make it
// defer the close, which is what we want.
Database::~Database() { (void)sqlite3_close_v2(db_); }

Status Database::Exec(std::string_view sql) {
  std::string text(sql);
  char* err = nullptr;
  int rc = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &err);
  if (rc != SQLITE_OK) {
    std::string what = path_ + ": " + text.substr(0, 60);
    Status s = FromSqlite(rc, what, db_);
    sqlite3_free(err);
    return s;
  }
  return Status::Ok();
}

Result<Statement> Database::Prepare(std::string_view sql) {
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v2(db_, sql.data(), static_cast<int>(sql.size()), &stmt, nullptr);
  if (rc != SQLITE_OK) {
    return FromSqlite(rc, path_ + ": prepare " + std::string(sql.substr(0, 60)), db_);
  }
  return Statement(stmt, this);
}

Result<Statement*> Database::PrepareOnce(std::optional<Statement>* slot, std::string_view sql) {
  if (*slot) {
    (*slot)->Reset();
  } else {
    auto st = Prepare(sql);
    if (!st.ok()) return st.status();
    slot->emplace(std::move(st.value()));
  }
  return &**slot;
}

Result<std::optional<int64_t>> Database::QueryInt(std::string_view sql) {
  auto stmt = Prepare(sql);
  if (!stmt.ok()) return stmt.status();
  auto row = stmt->Step();
  if (!row.ok()) return row.status();
  if (!*row || stmt->ColumnIsNull(0)) return std::optional<int64_t>();
  return std::optional<int64_t>(stmt->ColumnInt(0));
}

Result<std::string> Database::QueryText(std::string_view sql) {
  auto stmt = Prepare(sql);
  if (!stmt.ok()) return stmt.status();
  auto row = stmt->Step();
  if (!row.ok()) return row.status();
  if (!*row) return std::string();
  return stmt->ColumnText(0);
}

Result<bool> Database::HasColumn(std::string_view table, std::string_view column) {
  auto stmt = Prepare("SELECT COUNT(*) FROM pragma_table_info(?1) WHERE name = ?2");
  if (!stmt.ok()) return stmt.status();
  stmt->Bind(1, table).Bind(2, column);
  auto row = stmt->Step();
  if (!row.ok()) return row.status();
  return *row && stmt->ColumnInt(0) > 0;
}

int64_t Database::LastInsertRowId() const { return sqlite3_last_insert_rowid(db_); }
int Database::Changes() const { return sqlite3_changes(db_); }

void Database::RollbackQuietly() {
  // After an error SQLite may already have rolled the transaction back (SQLITE_FULL, IOERR):
  // then autocommit is on again and there is nothing to do. A failing ROLLBACK leaves nothing
  // committed either, so its result is deliberately ignored (the caller reports the first error).
  if (!sqlite3_get_autocommit(db_)) {
    (void)sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
  }
}

Status Database::LastError(std::string_view what) const {
  return FromSqlite(sqlite3_extended_errcode(db_), std::string(path_) + ": " + std::string(what),
                    db_);
}

Statement::Statement(Statement&& other) noexcept
    : stmt_(other.stmt_), db_(other.db_), bind_rc_(other.bind_rc_), bind_index_(other.bind_index_) {
  other.stmt_ = nullptr;
}

Statement& Statement::operator=(Statement&& other) noexcept {
  if (this != &other) {
    sqlite3_finalize(stmt_);
    stmt_ = other.stmt_;
    db_ = other.db_;
    bind_rc_ = other.bind_rc_;
    bind_index_ = other.bind_index_;
    other.stmt_ = nullptr;
  }
  return *this;
}

Statement::~Statement() { sqlite3_finalize(stmt_); }

void Statement::CheckBind(int rc, int index) {
  if (rc != SQLITE_OK && bind_rc_ == SQLITE_OK) {
    bind_rc_ = rc;
    bind_index_ = index;
  }
}

Statement& Statement::Bind(int index, int64_t value) {
  CheckBind(sqlite3_bind_int64(stmt_, index, value), index);
  return *this;
}

Statement& Statement::Bind(int index, std::string_view text) {
  if (text.size() > static_cast<size_t>(std::numeric_limits<int>::max())) {
    CheckBind(SQLITE_TOOBIG, index);
    return *this;
  }
  CheckBind(
      sqlite3_bind_text(stmt_, index, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT),
      index);
  return *this;
}

Statement& Statement::BindNull(int index) {
  CheckBind(sqlite3_bind_null(stmt_, index), index);
  return *this;
}

Statement& Statement::BindDouble(int index, double value) {
  CheckBind(sqlite3_bind_double(stmt_, index, value), index);
  return *this;
}

std::string Statement::What() const {
  const char* sql = sqlite3_sql(stmt_);
  return db_->path() + ": " + std::string(sql ? sql : "").substr(0, 60);
}

Result<bool> Statement::Step() {
  if (bind_rc_ != SQLITE_OK) {
    // A failed bind would run the statement with a NULL (or the previous value) in its place:
    // refuse to step instead, naming the parameter.
    return FromSqlite(bind_rc_, What() + ": bind parameter " + std::to_string(bind_index_),
                      nullptr);
  }
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  Status s = FromSqlite(rc, What(), db_->handle());
  (void)sqlite3_reset(stmt_);  // returns the same error again
  return s;
}

Status Statement::Run() {
  while (true) {
    auto r = Step();
    if (!r.ok()) return r.status();
    if (!*r) break;
  }
  // After SQLITE_DONE a reset cannot fail (it reports the last step's result, which was ok).
  (void)sqlite3_reset(stmt_);
  return Status::Ok();
}

void Statement::Reset() {
  // sqlite3_reset returns the error of the last step, already reported by Step();
  // sqlite3_clear_bindings always returns SQLITE_OK.
  (void)sqlite3_reset(stmt_);
  (void)sqlite3_clear_bindings(stmt_);
  bind_rc_ = SQLITE_OK;
  bind_index_ = 0;
}

int64_t Statement::ColumnInt(int col) const { return sqlite3_column_int64(stmt_, col); }
double Statement::ColumnDouble(int col) const { return sqlite3_column_double(stmt_, col); }

std::string Statement::ColumnText(int col) const { return std::string(ColumnTextView(col)); }

std::string_view Statement::ColumnTextView(int col) const {
  const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, col));
  if (p == nullptr) return {};
  return std::string_view(p, static_cast<size_t>(sqlite3_column_bytes(stmt_, col)));
}

bool Statement::ColumnIsNull(int col) const {
  return sqlite3_column_type(stmt_, col) == SQLITE_NULL;
}

}  // namespace touchpoint::sql
