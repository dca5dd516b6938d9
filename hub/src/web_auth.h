// Private: the web app's users, passwords and sessions (docs/hub-api.md "Auth").
//
// Users live in the hub database (`web_users`, schema version 5) with a salted slow hash
// (PBKDF2-HMAC-SHA256, kPbkdf2Iterations, 16-byte random salt, from OpenSSL). Sessions and the
// setup token are kept in memory only: a restart logs everyone out, and a new setup token is
// made while no user exists. Failed logins are rate-limited per user name and per client address.
//
// Threads: every method may be called from any thread (one mutex; the slow hash runs outside it).
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "touchpoint/core/sqlite.h"
#include "web_api_error.h"

namespace touchpoint::hub::web {

inline constexpr int kPbkdf2Iterations = 200000;
inline constexpr int64_t kSessionIdleMs = 12LL * 3600 * 1000;  // unused this long: logged out
inline constexpr int64_t kSessionMaxMs = 7LL * 24 * 3600 * 1000;
inline constexpr size_t kMaxSessions = 10000;  // the oldest go first
inline constexpr int kMaxFailuresPerUser = 5;  // within kFailureWindowMs
inline constexpr int kMaxFailuresPerClient = 20;
inline constexpr int64_t kFailureWindowMs = 15LL * 60 * 1000;

struct User {
  std::string user;
  std::string role;                  // "admin", "analyst" or "regional"
  std::vector<std::string> regions;  // regional only
};

struct Session {
  std::string token;  // the tp_session cookie
  std::string csrf;   // the X-CSRF-Token every state-changing request carries
  User user;
  int64_t created_ms = 0, last_seen_ms = 0;
};

// "pbkdf2-sha256$<iterations>$<salt hex>$<hash hex>" for a password.
std::string HashPassword(const std::string& password, int iterations = kPbkdf2Iterations);
bool VerifyPassword(const std::string& password, const std::string& stored);
// n random bytes (OpenSSL RAND_bytes) as lower-case hex.
std::string RandomHex(size_t n);

class Auth {
 public:
  // Opens its own connection to the hub database (the schema is the store's: open the store
  // first). Makes a setup token when no user exists.
  static std::unique_ptr<Auth> Open(std::unique_ptr<sql::Database> db);

  // The setup token while no user exists (empty once one does).
  std::string SetupToken();
  ApiResult<Session> Setup(const std::string& token, const User& admin, const std::string& password,
                           int64_t now_ms);
  // 401 on a wrong user or password (one message for both), 429 while rate-limited.
  ApiResult<Session> Login(const std::string& user, const std::string& password,
                           const std::string& client, int64_t now_ms);
  // The live session of a cookie value (refreshes its idle time), or nullopt.
  std::optional<Session> Find(const std::string& token, int64_t now_ms);
  void Logout(const std::string& token);

  ApiResult<std::vector<User>> Users();
  // `known_regions`: the configured regions (a regional user's must be among them).
  ApiResult<User> AddUser(const User& u, const std::string& password,
                          const std::vector<std::string>& known_regions, int64_t now_ms);
  // Also ends the user's sessions. 404 when there is no such user; 400 for the last admin.
  ApiResult<bool> DeleteUser(const std::string& user);

 private:
  explicit Auth(std::unique_ptr<sql::Database> db) : db_(std::move(db)) {}
  ApiResult<int64_t> CountUsersLocked();
  ApiResult<Session> NewSessionLocked(const User& u, int64_t now_ms);
  bool RateLimitedLocked(const std::string& key, int limit, int64_t now_ms);
  void FailedLocked(const std::string& key, int64_t now_ms);
  ApiResult<bool> InsertUserLocked(const User& u, const std::string& hash, int64_t now_ms);

  std::mutex mu_;
  std::unique_ptr<sql::Database> db_;
  std::string setup_token_;
  std::map<std::string, Session> sessions_;
  std::map<std::string, std::deque<int64_t>> failures_;  // "user:<name>" / "client:<addr>"
};

// Checks a new user's fields (name, role, regions, password); the message names the field.
std::optional<ApiError> CheckNewUser(const User& u, const std::string& password,
                                     const std::vector<std::string>& known_regions);

// "a,,b" -> {"a", "b"}: a comma list (query parameters, a user's regions as stored).
std::vector<std::string> SplitList(const std::string& s);

}  // namespace touchpoint::hub::web
