#include "web_auth.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <algorithm>
#include <cstdio>
#include <sstream>

namespace touchpoint::hub::web {

namespace {

std::string Hex(const unsigned char* p, size_t n) {
  static const char* kDigits = "0123456789abcdef";
  std::string out(n * 2, '0');
  for (size_t i = 0; i < n; ++i) {
    out[2 * i] = kDigits[p[i] >> 4];
    out[2 * i + 1] = kDigits[p[i] & 15];
  }
  return out;
}

std::optional<std::vector<unsigned char>> Unhex(const std::string& s) {
  if (s.size() % 2 != 0) return std::nullopt;
  std::vector<unsigned char> out(s.size() / 2);
  for (size_t i = 0; i < out.size(); ++i) {
    unsigned v = 0;
    if (std::sscanf(s.c_str() + 2 * i, "%2x", &v) != 1) return std::nullopt;
    out[i] = static_cast<unsigned char>(v);
  }
  return out;
}

std::vector<unsigned char> Pbkdf2(const std::string& password, const unsigned char* salt,
                                  size_t salt_len, int iterations) {
  std::vector<unsigned char> out(32);
  PKCS5_PBKDF2_HMAC(password.data(), static_cast<int>(password.size()), salt,
                    static_cast<int>(salt_len), iterations, EVP_sha256(),
                    static_cast<int>(out.size()), out.data());
  return out;
}

std::string JoinRegions(const std::vector<std::string>& r) {
  std::string out;
  for (const std::string& s : r) out += (out.empty() ? "" : ",") + s;
  return out;
}

bool ValidUserName(const std::string& u) {
  if (u.empty() || u.size() > 64) return false;
  return std::all_of(u.begin(), u.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-' || c == '.' || c == '@';
  });
}

}  // namespace

std::vector<std::string> SplitList(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream in(s);
  std::string part;
  while (std::getline(in, part, ',')) {
    if (!part.empty()) out.push_back(part);
  }
  return out;
}

std::string RandomHex(size_t n) {
  std::vector<unsigned char> b(n);
  if (RAND_bytes(b.data(), static_cast<int>(n)) != 1) {
    // No randomness: refuse to make guessable secrets.
    std::fprintf(stderr, "hub: web: RAND_bytes failed\n");
    std::abort();
  }
  return Hex(b.data(), n);
}

std::string HashPassword(const std::string& password, int iterations) {
  unsigned char salt[16];
  if (RAND_bytes(salt, sizeof salt) != 1) std::abort();
  auto h = Pbkdf2(password, salt, sizeof salt, iterations);
  return "pbkdf2-sha256$" + std::to_string(iterations) + "$" + Hex(salt, sizeof salt) + "$" +
         Hex(h.data(), h.size());
}

bool VerifyPassword(const std::string& password, const std::string& stored) {
  // pbkdf2-sha256$<iterations>$<salt>$<hash>
  std::vector<std::string> parts;
  std::stringstream in(stored);
  std::string part;
  while (std::getline(in, part, '$')) parts.push_back(part);
  if (parts.size() != 4 || parts[0] != "pbkdf2-sha256") return false;
  int iterations = 0;
  try {
    iterations = std::stoi(parts[1]);
  } catch (...) {
    return false;
  }
  auto salt = Unhex(parts[2]);
  auto want = Unhex(parts[3]);
  if (iterations < 1 || !salt || !want || want->size() != 32) return false;
  auto got = Pbkdf2(password, salt->data(), salt->size(), iterations);
  return CRYPTO_memcmp(got.data(), want->data(), got.size()) == 0;
}

std::optional<ApiError> CheckNewUser(const User& u, const std::string& password,
                                     const std::vector<std::string>& known_regions) {
  if (!ValidUserName(u.user)) {
    return BadRequest("user: 1 to 64 characters of A-Z a-z 0-9 _ - . @");
  }
  if (password.size() < 10) return BadRequest("password: at least 10 characters");
  if (password.size() > 1024) return BadRequest("password: at most 1024 characters");
  if (u.role != "admin" && u.role != "analyst" && u.role != "regional") {
    return BadRequest("role: one of admin, analyst, regional (" + u.role + ")");
  }
  if (u.role == "regional" && u.regions.empty()) {
    return BadRequest("regions: a regional user needs at least one region");
  }
  if (u.role != "regional" && !u.regions.empty()) {
    return BadRequest("regions: only regional users have regions");
  }
  for (const std::string& r : u.regions) {
    if (std::find(known_regions.begin(), known_regions.end(), r) == known_regions.end()) {
      return BadRequest("regions: unknown region (" + r + ")");
    }
  }
  return std::nullopt;
}

std::unique_ptr<Auth> Auth::Open(std::unique_ptr<sql::Database> db) {
  std::unique_ptr<Auth> a(new Auth(std::move(db)));
  auto n = a->CountUsersLocked();
  if (n.ok() && *n == 0) a->setup_token_ = RandomHex(24);
  return a;
}

ApiResult<int64_t> Auth::CountUsersLocked() {
  auto n = db_->QueryInt("SELECT COUNT(*) FROM web_users");
  if (!n.ok()) return ServerError("users: " + n.status().ToString());
  return n->value_or(0);
}

std::string Auth::SetupToken() {
  std::lock_guard<std::mutex> lock(mu_);
  return setup_token_;
}

ApiResult<Session> Auth::NewSessionLocked(const User& u, int64_t now_ms) {
  if (sessions_.size() >= kMaxSessions) {
    auto oldest = std::min_element(sessions_.begin(), sessions_.end(), [](auto& a, auto& b) {
      return a.second.last_seen_ms < b.second.last_seen_ms;
    });
    sessions_.erase(oldest);
  }
  Session s;
  s.token = RandomHex(32);
  s.csrf = RandomHex(32);
  s.user = u;
  s.created_ms = s.last_seen_ms = now_ms;
  sessions_[s.token] = s;
  return s;
}

ApiResult<bool> Auth::InsertUserLocked(const User& u, const std::string& hash, int64_t now_ms) {
  auto st = db_->Prepare(
      "INSERT OR IGNORE INTO web_users(user, password_hash, role, regions, created_ms) "
      "VALUES(?1, ?2, ?3, ?4, ?5)");
  if (!st.ok()) return ServerError("users: " + st.status().ToString());
  st->Bind(1, u.user).Bind(2, hash).Bind(3, u.role).Bind(4, JoinRegions(u.regions)).Bind(5, now_ms);
  if (Status s = st->Run(); !s.ok()) return ServerError("users: " + s.ToString());
  return db_->Changes() > 0;
}

ApiResult<Session> Auth::Setup(const std::string& token, const User& admin,
                               const std::string& password, int64_t now_ms) {
  if (auto e = CheckNewUser(admin, password, {})) return *e;
  std::string hash = HashPassword(password);
  std::lock_guard<std::mutex> lock(mu_);
  auto n = CountUsersLocked();
  if (!n.ok()) return n.error();
  if (*n > 0 || setup_token_.empty()) {
    setup_token_.clear();
    return Forbidden("setup: already done (a user exists)");
  }
  if (token.size() != setup_token_.size() ||
      CRYPTO_memcmp(token.data(), setup_token_.data(), token.size()) != 0) {
    return Forbidden("setup: wrong token");
  }
  auto inserted = InsertUserLocked(admin, hash, now_ms);
  if (!inserted.ok()) return inserted.error();
  if (!*inserted) return Forbidden("setup: already done (a user exists)");
  setup_token_.clear();
  return NewSessionLocked(admin, now_ms);
}

bool Auth::RateLimitedLocked(const std::string& key, int limit, int64_t now_ms) {
  auto it = failures_.find(key);
  if (it == failures_.end()) return false;
  while (!it->second.empty() && it->second.front() <= now_ms - kFailureWindowMs) {
    it->second.pop_front();
  }
  if (it->second.empty()) {
    failures_.erase(it);
    return false;
  }
  return static_cast<int>(it->second.size()) >= limit;
}

void Auth::FailedLocked(const std::string& key, int64_t now_ms) {
  if (failures_.size() >= 10000 && !failures_.count(key)) {
    failures_.erase(failures_.begin());  // bounded: an attacker cycling names forgets some
  }
  auto& d = failures_[key];
  d.push_back(now_ms);
  while (d.size() > 64) d.pop_front();
}

ApiResult<Session> Auth::Login(const std::string& user, const std::string& password,
                               const std::string& client, int64_t now_ms) {
  const std::string user_key = "user:" + user, client_key = "client:" + client;
  std::string stored;
  User u;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (RateLimitedLocked(user_key, kMaxFailuresPerUser, now_ms) ||
        RateLimitedLocked(client_key, kMaxFailuresPerClient, now_ms)) {
      return TooMany("login: too many failed attempts; try again in 15 minutes");
    }
    auto st = db_->Prepare("SELECT password_hash, role, regions FROM web_users WHERE user = ?1");
    if (!st.ok()) return ServerError("users: " + st.status().ToString());
    st->Bind(1, user);
    auto row = st->Step();
    if (!row.ok()) return ServerError("users: " + row.status().ToString());
    if (*row) {
      stored = st->ColumnText(0);
      u = User{user, st->ColumnText(1), SplitList(st->ColumnText(2))};
    }
  }
  // An unknown user costs the same hash as a known one.
  static const std::string kDummy = HashPassword("not a password");
  bool good = VerifyPassword(password, stored.empty() ? kDummy : stored) && !stored.empty();
  std::lock_guard<std::mutex> lock(mu_);
  if (!good) {
    FailedLocked(user_key, now_ms);
    FailedLocked(client_key, now_ms);
    return Unauthorized("login: wrong user or password");
  }
  return NewSessionLocked(u, now_ms);
}

std::optional<Session> Auth::Find(const std::string& token, int64_t now_ms) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = sessions_.find(token);
  if (it == sessions_.end()) return std::nullopt;
  if (now_ms - it->second.last_seen_ms > kSessionIdleMs ||
      now_ms - it->second.created_ms > kSessionMaxMs) {
    sessions_.erase(it);
    return std::nullopt;
  }
  it->second.last_seen_ms = now_ms;
  return it->second;
}

void Auth::Logout(const std::string& token) {
  std::lock_guard<std::mutex> lock(mu_);
  sessions_.erase(token);
}

ApiResult<std::vector<User>> Auth::Users() {
  std::lock_guard<std::mutex> lock(mu_);
  auto st = db_->Prepare("SELECT user, role, regions FROM web_users ORDER BY user");
  if (!st.ok()) return ServerError("users: " + st.status().ToString());
  std::vector<User> out;
  Status s = st->ForEachRow([&] {
    out.push_back(User{st->ColumnText(0), st->ColumnText(1), SplitList(st->ColumnText(2))});
  });
  if (!s.ok()) return ServerError("users: " + s.ToString());
  return out;
}

ApiResult<User> Auth::AddUser(const User& u, const std::string& password,
                              const std::vector<std::string>& known_regions, int64_t now_ms) {
  if (auto e = CheckNewUser(u, password, known_regions)) return *e;
  std::string hash = HashPassword(password);
  std::lock_guard<std::mutex> lock(mu_);
  auto inserted = InsertUserLocked(u, hash, now_ms);
  if (!inserted.ok()) return inserted.error();
  if (!*inserted) return ApiError{409, "user: " + u.user + " already exists"};
  return u;
}

ApiResult<bool> Auth::DeleteUser(const std::string& user) {
  std::lock_guard<std::mutex> lock(mu_);
  {
    auto admins =
        db_->Prepare("SELECT COUNT(*), SUM(user = ?1) FROM web_users WHERE role = 'admin'");
    if (!admins.ok()) return ServerError("users: " + admins.status().ToString());
    admins->Bind(1, user);
    auto row = admins->Step();
    if (!row.ok()) return ServerError("users: " + row.status().ToString());
    if (admins->ColumnInt(0) == 1 && admins->ColumnInt(1) == 1) {
      return BadRequest("user: " + user + " is the last admin");
    }
  }
  auto st = db_->Prepare("DELETE FROM web_users WHERE user = ?1");
  if (!st.ok()) return ServerError("users: " + st.status().ToString());
  st->Bind(1, user);
  if (Status s = st->Run(); !s.ok()) return ServerError("users: " + s.ToString());
  if (db_->Changes() == 0) return NotFoundError("user: no user " + user);
  for (auto it = sessions_.begin(); it != sessions_.end();) {
    it = it->second.user.user == user ? sessions_.erase(it) : std::next(it);
  }
  return true;
}

}  // namespace touchpoint::hub::web
