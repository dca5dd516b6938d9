// The store manager's PIN: generated per device on first start (no default PIN exists), kept
// only as a salted PBKDF2-HMAC-SHA256 hash in a 0600 file, with a lockout that grows after
// every 5 wrong tries. Not thread-safe: the UI thread owns it.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "touchpoint/core/clock.h"
#include "touchpoint/core/status.h"

namespace touchpoint::ui {

class ManagerPin {
 public:
  static constexpr int kTriesBeforeLockout = 5;
  static constexpr int64_t kFirstLockoutMs = 30'000;   // doubles with each lockout...
  static constexpr int64_t kMaxLockoutMs = 3'600'000;  // ...up to an hour

  // Opens the PIN file at `path`, or creates it with a fresh random 6-digit PIN (its folder
  // must exist). A new PIN is written, for the installer, to InitialPinPath(path) (0600, the
  // only place the PIN itself is ever written; never logged) and that file is removed by
  // Change(). `clock` must outlive the object.
  static Result<std::unique_ptr<ManagerPin>> Open(const std::string& path, const Clock& clock);

  // "<path>.initial": where a newly made PIN is written.
  static std::string InitialPinPath(const std::string& path) { return path + ".initial"; }

  // The PIN made by this Open() when the file was created; empty otherwise (tests).
  const std::string& generated_pin() const { return generated_pin_; }

  enum class Outcome { kOk, kWrong, kLockedOut };
  struct Check {
    Outcome outcome = Outcome::kWrong;
    int tries_left = 0;         // before the next lockout
    int64_t locked_for_ms = 0;  // > 0 while locked out
  };
  // Checks a PIN. While locked out every attempt is refused without being checked. The failure
  // count and lockout survive restarts (they are stored in the file).
  Check Verify(const std::string& pin);
  // How long the lockout still lasts (0 if none).
  int64_t LockedForMs() const;
  // Replaces the PIN (4..8 digits).
  Status Change(const std::string& new_pin);

  static bool IsValidPin(const std::string& pin);

 private:
  ManagerPin(std::string path, const Clock& clock) : path_(std::move(path)), clock_(clock) {}
  Status Save() const;
  std::string HashOf(const std::string& pin) const;

  std::string path_;
  const Clock& clock_;
  std::string salt_hex_, hash_hex_;
  int iterations_ = 0;
  int failures_ = 0;             // wrong tries since the last success or lockout
  int lockouts_ = 0;             // lockouts since the last success
  int64_t locked_until_ms_ = 0;  // UTC
  std::string generated_pin_;
};

}  // namespace touchpoint::ui
