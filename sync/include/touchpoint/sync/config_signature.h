// Signed config pushes (docs/sync.md "Downlink (config)"): central signs a survey document for
// one kiosk; the kiosk verifies it against central's public key before it parses the TOML.
//
// The retained payload on <prefix>/<store>/<kiosk>/config is a JSON envelope
//
//   {"v":1,"alg":"ed25519"|"ecdsa-p256-sha256","signed":"<base64>","sig":"<base64>"}
//
// where `signed` holds the exact signed bytes:
//
//   touchpoint-config-push/v1\n
//   target <store>/<kiosk>\n
//   issued <UTC time, e.g. 2026-11-30T13:40:00.000Z>\n
//   \n
//   <the TOML document>
//
// `sig` is Ed25519 over those bytes, or ECDSA P-256 over their SHA-256 (DER). The context line
// keeps a signature from being reused for anything else; `target` binds the kiosk (a push for
// kiosk A is refused by B); `issued` orders pushes (an older one than the applied one is a
// replay or a downgrade and is refused).
//
// Used by the kiosk (VerifyConfigPush) and by touchpoint-hub config sign/push (SignConfigPush).
// Thread-safe: ConfigKey is immutable after loading and may be shared between threads.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "touchpoint/core/status.h"

struct evp_pkey_st;

namespace touchpoint::sync {

// A pushed payload larger than this is refused before anything is parsed.
inline constexpr size_t kMaxConfigPushBytes = 256 * 1024;
inline constexpr char kConfigPushContext[] = "touchpoint-config-push/v1";

// An Ed25519 or ECDSA P-256 key (public, or private for signing). Other key types are refused
// when loading.
class ConfigKey {
 public:
  // A PEM public key ("BEGIN PUBLIC KEY") or a PEM certificate (its public key). Files larger
  // than 64 KiB are refused.
  static Result<ConfigKey> LoadPublic(const std::string& path);
  // A PEM private key (PKCS#8 "BEGIN PRIVATE KEY" or "BEGIN EC PRIVATE KEY"), unencrypted.
  static Result<ConfigKey> LoadPrivate(const std::string& path);
  static Result<ConfigKey> PublicFromPem(std::string_view pem, const std::string& name);
  static Result<ConfigKey> PrivateFromPem(std::string_view pem, const std::string& name);

  // "ed25519" or "ecdsa-p256-sha256".
  const std::string& alg() const { return alg_; }
  evp_pkey_st* get() const { return key_.get(); }

 private:
  static Result<ConfigKey> Wrap(evp_pkey_st* key, const std::string& name);
  std::shared_ptr<evp_pkey_st> key_;
  std::string alg_;
};

struct ConfigPush {
  std::string store, kiosk;  // the target kiosk
  int64_t issued_ms = 0;     // UTC
  std::string toml;          // the document, exactly as signed
};

// The envelope (JSON, one line) for `push`, signed with the private `key`. kInvalidArgument if
// the ids are not valid ids or the envelope would exceed kMaxConfigPushBytes.
Result<std::string> SignConfigPush(const ConfigKey& key, const ConfigPush& push);

// Checks `payload` (the retained message) and returns what was signed, or kInvalidArgument
// with the reason: too large, not an envelope, unknown version or algorithm, a signature that
// does not verify with `key`, another target than store/kiosk, or issued before
// `applied_issued_ms` (the push in use; equal is accepted: the same retained message again).
// Nothing of the TOML is parsed here.
Result<ConfigPush> VerifyConfigPush(const ConfigKey& key, std::string_view payload,
                                    const std::string& store, const std::string& kiosk,
                                    int64_t applied_issued_ms);

// True if `payload` looks like an envelope (its first non-blank byte is '{'; a TOML document
// cannot start so).
bool LooksLikeConfigEnvelope(std::string_view payload);

// Base64 (RFC 4648, with padding). Decoding is strict: kInvalidArgument on any other byte.
std::string Base64Encode(std::string_view bytes);
Result<std::string> Base64Decode(std::string_view text);

}  // namespace touchpoint::sync
