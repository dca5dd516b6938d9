#include "touchpoint/sync/config_signature.h"

#include "touchpoint/core/input_bounds.h"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <nlohmann/json.hpp>
#include <vector>

#include "touchpoint/core/config.h"
#include "touchpoint/core/event_json.h"
#include "touchpoint/sync/wire.h"

namespace touchpoint::sync {

namespace {

constexpr size_t kMaxKeyFileBytes = 64 * 1024;
constexpr char kAlgEd25519[] = "ed25519";
constexpr char kAlgP256[] = "ecdsa-p256-sha256";

// The newest OpenSSL error as text (and the queue cleared), for messages.
std::string OpenSslError() {
  unsigned long e = ERR_get_error();
  ERR_clear_error();
  if (e == 0) return "no detail from OpenSSL";
  char buf[256];
  ERR_error_string_n(e, buf, sizeof buf);
  return buf;
}

// Input echoed in a message: control characters escaped, at most 64 bytes.
std::string Echo(std::string_view s) { return EscapeForMessage(s, 64); }

using BioPtr = std::unique_ptr<BIO, decltype(&BIO_free)>;
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)>;

BioPtr MemBio(std::string_view pem) {
  return BioPtr(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())), &BIO_free);
}

// Encrypted keys are not supported: never prompt on a terminal for a pass phrase.
int NoPassphrase(char*, int, int, void*) { return 0; }

// The digest for `alg` in EVP_DigestSign/Verify (none for Ed25519).
const EVP_MD* DigestFor(const std::string& alg) {
  return alg == kAlgEd25519 ? nullptr : EVP_sha256();
}

std::string SignedBytes(const ConfigPush& p) {
  std::string s = kConfigPushContext;
  s += "\ntarget " + p.store + "/" + p.kiosk + "\nissued " + FormatUtcMs(p.issued_ms) + "\n\n";
  s += p.toml;
  return s;
}

// Splits the signed bytes back into a ConfigPush (after the signature verified).
Result<ConfigPush> ParseSignedBytes(std::string_view s) {
  auto line = [&s](std::string_view* out) {
    size_t nl = s.find('\n');
    if (nl == std::string_view::npos || nl > 200) return false;
    *out = s.substr(0, nl);
    s.remove_prefix(nl + 1);
    return true;
  };
  std::string_view context, target, issued, blank;
  if (!line(&context) || context != kConfigPushContext) {
    return Status::InvalidArgument("signed bytes: the first line is not \"" +
                                   std::string(kConfigPushContext) + "\"");
  }
  if (!line(&target) || target.substr(0, 7) != "target ") {
    return Status::InvalidArgument("signed bytes: line 2 must be \"target <store>/<kiosk>\"");
  }
  if (!line(&issued) || issued.substr(0, 7) != "issued ") {
    return Status::InvalidArgument("signed bytes: line 3 must be \"issued <UTC time>\"");
  }
  if (!line(&blank) || !blank.empty()) {
    return Status::InvalidArgument("signed bytes: line 4 must be empty");
  }
  ConfigPush p;
  target.remove_prefix(7);
  size_t slash = target.find('/');
  if (slash == std::string_view::npos) {
    return Status::InvalidArgument("signed bytes: target '" + Echo(target) +
                                   "' is not <store>/<kiosk>");
  }
  p.store = std::string(target.substr(0, slash));
  p.kiosk = std::string(target.substr(slash + 1));
  issued.remove_prefix(7);
  auto ms = ParseUtcMs(issued);
  if (!ms) {
    return Status::InvalidArgument("signed bytes: issued '" + Echo(issued) + "' is not a UTC time");
  }
  p.issued_ms = *ms;
  p.toml = std::string(s);
  return p;
}

}  // namespace

// ---- keys ------------------------------------------------------------------------------------

Result<ConfigKey> ConfigKey::Wrap(EVP_PKEY* key, const std::string& name) {
  ConfigKey k;
  k.key_ = std::shared_ptr<EVP_PKEY>(key, &EVP_PKEY_free);
  int id = EVP_PKEY_get_id(key);
  if (id == EVP_PKEY_ED25519) {
    k.alg_ = kAlgEd25519;
    return k;
  }
  if (id == EVP_PKEY_EC) {
    char group[64] = {0};
    size_t len = 0;
    if (EVP_PKEY_get_group_name(key, group, sizeof group, &len) == 1 &&
        std::string(group) == "prime256v1") {
      k.alg_ = kAlgP256;
      return k;
    }
    return Status::InvalidArgument(name + ": an EC key on curve '" + std::string(group) +
                                   "'; config pushes use P-256 (prime256v1) or Ed25519");
  }
  return Status::InvalidArgument(name + ": a " + std::string(OBJ_nid2sn(id)) +
                                 " key; config pushes use Ed25519 or ECDSA P-256");
}

Result<ConfigKey> ConfigKey::PublicFromPem(std::string_view pem, const std::string& name) {
  ERR_clear_error();
  if (pem.find("-----BEGIN CERTIFICATE-----") != std::string_view::npos) {
    BioPtr bio = MemBio(pem);
    X509* cert = PEM_read_bio_X509(bio.get(), nullptr, &NoPassphrase, nullptr);
    if (!cert) return Status::InvalidArgument(name + ": not a PEM certificate: " + OpenSslError());
    EVP_PKEY* key = X509_get_pubkey(cert);  // a new reference
    X509_free(cert);
    if (!key) return Status::InvalidArgument(name + ": no public key in the certificate");
    return Wrap(key, name);
  }
  BioPtr bio = MemBio(pem);
  EVP_PKEY* key = PEM_read_bio_PUBKEY(bio.get(), nullptr, &NoPassphrase, nullptr);
  if (!key) {
    return Status::InvalidArgument(name +
                                   ": not a PEM public key or certificate: " + OpenSslError());
  }
  return Wrap(key, name);
}

Result<ConfigKey> ConfigKey::PrivateFromPem(std::string_view pem, const std::string& name) {
  ERR_clear_error();
  BioPtr bio = MemBio(pem);
  EVP_PKEY* key = PEM_read_bio_PrivateKey(bio.get(), nullptr, &NoPassphrase, nullptr);
  if (!key) {
    return Status::InvalidArgument(name +
                                   ": not an unencrypted PEM private key: " + OpenSslError());
  }
  return Wrap(key, name);
}

Result<ConfigKey> ConfigKey::LoadPublic(const std::string& path) {
  auto text = ReadConfigFile(path, kMaxKeyFileBytes);
  if (!text.ok()) return text.status();
  return PublicFromPem(text.value(), path);
}

Result<ConfigKey> ConfigKey::LoadPrivate(const std::string& path) {
  auto text = ReadConfigFile(path, kMaxKeyFileBytes);
  if (!text.ok()) return text.status();
  return PrivateFromPem(text.value(), path);
}

// ---- sign / verify ---------------------------------------------------------------------------

Result<std::string> SignConfigPush(const ConfigKey& key, const ConfigPush& push) {
  if (!IsValidId(push.store) || !IsValidId(push.kiosk)) {
    return Status::InvalidArgument("store/kiosk: expected [A-Za-z0-9_-], 1..64 chars");
  }
  std::string data = SignedBytes(push);
  ERR_clear_error();
  MdCtxPtr ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  size_t len = 0;
  auto* bytes = reinterpret_cast<const unsigned char*>(data.data());
  if (!ctx ||
      EVP_DigestSignInit(ctx.get(), nullptr, DigestFor(key.alg()), nullptr, key.get()) != 1 ||
      EVP_DigestSign(ctx.get(), nullptr, &len, bytes, data.size()) != 1) {
    return Status::InvalidArgument("signing: " + OpenSslError() + " (is it a private key?)");
  }
  std::string sig(len, '\0');
  if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(sig.data()), &len, bytes,
                     data.size()) != 1) {
    return Status::InvalidArgument("signing: " + OpenSslError());
  }
  sig.resize(len);
  nlohmann::json env = {
      {"v", 1}, {"alg", key.alg()}, {"signed", Base64Encode(data)}, {"sig", Base64Encode(sig)}};
  std::string out = env.dump();
  if (out.size() > kMaxConfigPushBytes) {
    return Status::InvalidArgument(
        "the signed push would be " + std::to_string(out.size()) + " bytes, more than the " +
        std::to_string(kMaxConfigPushBytes / 1024) + " KiB a kiosk accepts");
  }
  return out;
}

bool LooksLikeConfigEnvelope(std::string_view payload) {
  size_t i = payload.find_first_not_of(" \t\r\n");
  return i != std::string_view::npos && payload[i] == '{';
}

Result<ConfigPush> VerifyConfigPush(const ConfigKey& key, std::string_view payload,
                                    const std::string& store, const std::string& kiosk,
                                    int64_t applied_issued_ms) {
  if (payload.size() > kMaxConfigPushBytes) {
    return Status::InvalidArgument("push of " + std::to_string(payload.size()) +
                                   " bytes refused unparsed: the limit is " +
                                   std::to_string(kMaxConfigPushBytes / 1024) + " KiB");
  }
  if (!LooksLikeConfigEnvelope(payload)) {
    return Status::InvalidArgument(
        "unsigned push refused: expected a signed envelope "
        "{\"v\":1,\"alg\":...,\"signed\":...,\"sig\":...} (docs/sync.md)");
  }
  // Only the top level is kept (nested values are discarded while parsing): depth costs
  // nothing.
  nlohmann::json env = nlohmann::json::parse(
      payload, [](int depth, nlohmann::json::parse_event_t, nlohmann::json&) { return depth <= 1; },
      /*allow_exceptions=*/false);
  if (env.is_discarded() || !env.is_object()) {
    return Status::InvalidArgument("envelope: not a JSON object");
  }
  auto str = [&env](const char* k) -> const std::string* {
    auto it = env.find(k);
    return it != env.end() && it->is_string() ? &it->get_ref<const std::string&>() : nullptr;
  };
  auto v = env.find("v");
  if (v == env.end() || !v->is_number_integer() || v->get<int64_t>() != 1) {
    return Status::InvalidArgument("envelope: \"v\" must be 1");
  }
  const std::string* alg = str("alg");
  const std::string* signed_b64 = str("signed");
  const std::string* sig_b64 = str("sig");
  if (!alg || !signed_b64 || !sig_b64) {
    return Status::InvalidArgument("envelope: \"alg\", \"signed\" and \"sig\" must be strings");
  }
  if (*alg != key.alg()) {
    return Status::InvalidArgument("signature: alg '" + Echo(*alg) + "' but the central key is " +
                                   key.alg());
  }
  auto data = Base64Decode(*signed_b64);
  if (!data.ok())
    return Status::InvalidArgument("envelope: \"signed\": " + data.status().message());
  auto sig = Base64Decode(*sig_b64);
  if (!sig.ok()) return Status::InvalidArgument("envelope: \"sig\": " + sig.status().message());

  ERR_clear_error();
  MdCtxPtr ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  if (!ctx ||
      EVP_DigestVerifyInit(ctx.get(), nullptr, DigestFor(key.alg()), nullptr, key.get()) != 1) {
    return Status::Internal("signature check: " + OpenSslError());
  }
  int ok =
      EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(sig->data()), sig->size(),
                       reinterpret_cast<const unsigned char*>(data->data()), data->size());
  ERR_clear_error();
  if (ok != 1) {
    return Status::InvalidArgument(
        "signature does not verify with the central key (tampered, or signed by another key)");
  }
  auto push = ParseSignedBytes(data.value());
  if (!push.ok()) return push.status();
  if (push->store != store || push->kiosk != kiosk) {
    return Status::InvalidArgument("signed for " + Echo(push->store + "/" + push->kiosk) +
                                   ", not for this kiosk (" + store + "/" + kiosk + ")");
  }
  if (push->issued_ms < applied_issued_ms) {
    return Status::InvalidArgument("issued " + FormatUtcMs(push->issued_ms) +
                                   ", before the push in use (issued " +
                                   FormatUtcMs(applied_issued_ms) + "): replay or downgrade");
  }
  return push;
}

// ---- base64 ----------------------------------------------------------------------------------

namespace {
constexpr char kB64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
}

std::string Base64Encode(std::string_view bytes) {
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  size_t i = 0;
  auto at = [&bytes](size_t k) {
    return static_cast<uint32_t>(static_cast<unsigned char>(bytes[k]));
  };
  for (; i + 3 <= bytes.size(); i += 3) {
    uint32_t n = at(i) << 16 | at(i + 1) << 8 | at(i + 2);
    out += kB64[n >> 18 & 63];
    out += kB64[n >> 12 & 63];
    out += kB64[n >> 6 & 63];
    out += kB64[n & 63];
  }
  size_t rest = bytes.size() - i;
  if (rest > 0) {
    uint32_t n = at(i) << 16 | (rest == 2 ? at(i + 1) << 8 : 0);
    out += kB64[n >> 18 & 63];
    out += kB64[n >> 12 & 63];
    out += rest == 2 ? kB64[n >> 6 & 63] : '=';
    out += '=';
  }
  return out;
}

Result<std::string> Base64Decode(std::string_view text) {
  if (text.size() % 4 != 0) return Status::InvalidArgument("base64: length not a multiple of 4");
  std::string out;
  out.reserve(text.size() / 4 * 3);
  for (size_t i = 0; i < text.size(); i += 4) {
    uint32_t n = 0;
    int pad = 0;
    for (size_t j = 0; j < 4; ++j) {
      char c = text[i + j];
      uint32_t d = 0;
      if (c == '=' && i + 4 == text.size() && j >= 2) {
        ++pad;
      } else if (pad > 0) {
        return Status::InvalidArgument("base64: data after '='");
      } else if (c >= 'A' && c <= 'Z') {
        d = static_cast<uint32_t>(c - 'A');
      } else if (c >= 'a' && c <= 'z') {
        d = static_cast<uint32_t>(c - 'a' + 26);
      } else if (c >= '0' && c <= '9') {
        d = static_cast<uint32_t>(c - '0' + 52);
      } else if (c == '+') {
        d = 62;
      } else if (c == '/') {
        d = 63;
      } else {
        return Status::InvalidArgument("base64: byte " + std::to_string(i + j) +
                                       " is not a base64 character");
      }
      n = n << 6 | d;
    }
    out += static_cast<char>(n >> 16 & 255);
    if (pad < 2) out += static_cast<char>(n >> 8 & 255);
    if (pad < 1) out += static_cast<char>(n & 255);
  }
  return out;
}

}  // namespace touchpoint::sync
