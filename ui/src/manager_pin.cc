#include "touchpoint/ui/manager_pin.h"

#include <fcntl.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <map>
#include <sstream>

#include "touchpoint/core/data_files.h"

namespace touchpoint::ui {

namespace {

constexpr int kIterations = 100'000;
constexpr int kPinDigits = 6;

std::string Hex(const unsigned char* p, size_t n) {
  static const char* kDigits = "0123456789abcdef";
  std::string s;
  for (size_t i = 0; i < n; ++i) {
    s += kDigits[p[i] >> 4];
    s += kDigits[p[i] & 15];
  }
  return s;
}

bool ConstantTimeEqual(const std::string& a, const std::string& b) {
  if (a.size() != b.size()) return false;
  unsigned char diff = 0;
  for (size_t i = 0; i < a.size(); ++i) diff |= static_cast<unsigned char>(a[i] ^ b[i]);
  return diff == 0;
}

// A uniformly random 6-digit PIN (rejection sampling over 32-bit values).
Result<std::string> RandomPin() {
  const uint32_t kRange = 1'000'000;
  const uint32_t kLimit = UINT32_MAX - UINT32_MAX % kRange;
  for (int tries = 0; tries < 100; ++tries) {
    uint32_t v = 0;
    if (RAND_bytes(reinterpret_cast<unsigned char*>(&v), sizeof v) != 1) {
      return Status::Internal("RAND_bytes failed");
    }
    if (v >= kLimit) continue;
    std::string pin = std::to_string(v % kRange);
    return std::string(static_cast<size_t>(kPinDigits) - pin.size(), '0') + pin;
  }
  return Status::Internal("could not draw a random PIN");
}

}  // namespace

bool ManagerPin::IsValidPin(const std::string& pin) {
  return pin.size() >= 4 && pin.size() <= 8 &&
         std::all_of(pin.begin(), pin.end(), [](char c) { return c >= '0' && c <= '9'; });
}

std::string ManagerPin::HashOf(const std::string& pin) const {
  std::string salt_bytes;
  for (size_t i = 0; i + 1 < salt_hex_.size(); i += 2) {
    salt_bytes += static_cast<char>(std::stoi(salt_hex_.substr(i, 2), nullptr, 16));
  }
  unsigned char out[32];
  if (PKCS5_PBKDF2_HMAC(pin.data(), static_cast<int>(pin.size()),
                        reinterpret_cast<const unsigned char*>(salt_bytes.data()),
                        static_cast<int>(salt_bytes.size()), iterations_, EVP_sha256(), sizeof out,
                        out) != 1) {
    return "";
  }
  return Hex(out, sizeof out);
}

Result<std::unique_ptr<ManagerPin>> ManagerPin::Open(const std::string& path, const Clock& clock) {
  std::unique_ptr<ManagerPin> p(new ManagerPin(path, clock));
  std::ifstream in(path);
  if (in) {
    std::map<std::string, std::string> kv;
    std::string line;
    int line_no = 0;
    while (std::getline(in, line)) {
      ++line_no;
      if (line.empty() || line[0] == '#') continue;
      auto eq = line.find('=');
      if (eq == std::string::npos) {
        return Status::Corruption(path + ":" + std::to_string(line_no) + ": expected key=value");
      }
      kv[line.substr(0, eq)] = line.substr(eq + 1);
    }
    try {
      p->salt_hex_ = kv.at("salt");
      p->hash_hex_ = kv.at("pbkdf2_sha256");
      p->iterations_ = std::stoi(kv.at("iterations"));
      p->failures_ = kv.count("failures") ? std::stoi(kv["failures"]) : 0;
      p->lockouts_ = kv.count("lockouts") ? std::stoi(kv["lockouts"]) : 0;
      p->locked_until_ms_ = kv.count("locked_until_ms") ? std::stoll(kv["locked_until_ms"]) : 0;
    } catch (const std::exception& e) {
      return Status::Corruption(path + ": missing or bad field (" + e.what() + ")");
    }
    if (p->salt_hex_.size() < 16 || p->hash_hex_.size() != 64 || p->iterations_ < 1000) {
      return Status::Corruption(path + ": salt, hash or iterations out of range");
    }
    return p;
  }
  if (errno != ENOENT) return Status::IoError(path + ": " + std::strerror(errno));
  // First start: a fresh random PIN for this device.
  auto pin = RandomPin();
  if (!pin.ok()) return pin.status();
  unsigned char salt[16];
  if (RAND_bytes(salt, sizeof salt) != 1) return Status::Internal("RAND_bytes failed");
  p->salt_hex_ = Hex(salt, sizeof salt);
  p->iterations_ = kIterations;
  p->hash_hex_ = p->HashOf(*pin);
  if (p->hash_hex_.empty()) return Status::Internal("PBKDF2 failed");
  // The PIN itself goes only to a 0600 file for the installer (never to a log): written before
  // the hash, so that a PIN whose hash exists can always be read once.
  const std::string initial = InitialPinPath(path);
  Status st = WriteFileAtomically(initial, *pin + "\n", kPrivateFileMode);
  if (!st.ok()) return st;
  st = p->Save();
  if (!st.ok()) {
    ::unlink(initial.c_str());
    return st;
  }
  p->generated_pin_ = *pin;
  return p;
}

Status ManagerPin::Save() const {
  std::ostringstream out;
  out << "# Touchpoint manager PIN: salted PBKDF2-HMAC-SHA256 (the PIN itself is not stored)\n"
      << "salt=" << salt_hex_ << "\n"
      << "iterations=" << iterations_ << "\n"
      << "pbkdf2_sha256=" << hash_hex_ << "\n"
      << "failures=" << failures_ << "\n"
      << "lockouts=" << lockouts_ << "\n"
      << "locked_until_ms=" << locked_until_ms_ << "\n";
  std::string text = out.str();
  return WriteFileAtomically(path_, text, kPrivateFileMode);
}

int64_t ManagerPin::LockedForMs() const {
  return std::max<int64_t>(0, locked_until_ms_ - clock_.NowUtcMs());
}

ManagerPin::Check ManagerPin::Verify(const std::string& pin) {
  Check c;
  if (int64_t locked = LockedForMs(); locked > 0) {
    c.outcome = Outcome::kLockedOut;
    c.locked_for_ms = locked;
    return c;
  }
  if (IsValidPin(pin) && ConstantTimeEqual(HashOf(pin), hash_hex_)) {
    bool dirty = failures_ != 0 || lockouts_ != 0;
    failures_ = lockouts_ = 0;
    locked_until_ms_ = 0;
    if (dirty) (void)Save();
    c.outcome = Outcome::kOk;
    c.tries_left = kTriesBeforeLockout;
    return c;
  }
  ++failures_;
  if (failures_ >= kTriesBeforeLockout) {
    int64_t delay = kFirstLockoutMs;
    for (int i = 0; i < lockouts_ && delay < kMaxLockoutMs; ++i) delay *= 2;
    delay = std::min(delay, kMaxLockoutMs);
    ++lockouts_;
    failures_ = 0;
    locked_until_ms_ = clock_.NowUtcMs() + delay;
    c.outcome = Outcome::kLockedOut;
    c.locked_for_ms = delay;
  } else {
    c.outcome = Outcome::kWrong;
    c.tries_left = kTriesBeforeLockout - failures_;
  }
  (void)Save();  // the count survives a restart
  return c;
}

Status ManagerPin::Change(const std::string& new_pin) {
  if (!IsValidPin(new_pin)) return Status::InvalidArgument("a PIN has 4 to 8 digits");
  unsigned char salt[16];
  if (RAND_bytes(salt, sizeof salt) != 1) return Status::Internal("RAND_bytes failed");
  std::string old_salt = salt_hex_, old_hash = hash_hex_;
  salt_hex_ = Hex(salt, sizeof salt);
  iterations_ = kIterations;
  hash_hex_ = HashOf(new_pin);
  Status st = hash_hex_.empty() ? Status::Internal("PBKDF2 failed") : Save();
  if (!st.ok()) {
    salt_hex_ = old_salt;
    hash_hex_ = old_hash;
    return st;
  }
  // The first PIN is no longer valid: its note goes.
  if (::unlink(InitialPinPath(path_).c_str()) != 0 && errno != ENOENT) {
    return Status::IoError(InitialPinPath(path_) +
                           ": PIN changed, but the old note stays: " + std::strerror(errno));
  }
  return Status::Ok();
}

}  // namespace touchpoint::ui
