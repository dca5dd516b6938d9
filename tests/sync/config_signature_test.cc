// Signed config pushes: sign/verify with Ed25519 and ECDSA P-256 keys made with OpenSSL's EVP
// API, and every way a push must be refused.
#include "touchpoint/sync/config_signature.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <chrono>
#include <nlohmann/json.hpp>

namespace touchpoint::sync {
namespace {

constexpr int64_t kIssued = 1795428000000;  // 2026-11-23T10:00:00Z
constexpr char kSurvey[] = "[survey]\nid = \"pushed\"\nversion = 2\n";

// A fresh key pair as PEM texts (public, private).
struct PemPair {
  std::string pub, priv;
};

PemPair MakeKey(const char* type, const char* curve = nullptr) {
  EVP_PKEY* key = curve ? EVP_PKEY_Q_keygen(nullptr, nullptr, type, curve)
                        : EVP_PKEY_Q_keygen(nullptr, nullptr, type);
  EXPECT_NE(key, nullptr) << type;
  PemPair out;
  for (int priv = 0; priv < 2; ++priv) {
    BIO* bio = BIO_new(BIO_s_mem());
    if (priv) {
      PEM_write_bio_PrivateKey(bio, key, nullptr, nullptr, 0, nullptr, nullptr);
    } else {
      PEM_write_bio_PUBKEY(bio, key);
    }
    char* data = nullptr;
    long n = BIO_get_mem_data(bio, &data);
    (priv ? out.priv : out.pub).assign(data, static_cast<size_t>(n));
    BIO_free(bio);
  }
  EVP_PKEY_free(key);
  return out;
}

struct Keys {
  explicit Keys(const PemPair& p)
      : pub(ConfigKey::PublicFromPem(p.pub, "pub").value()),
        priv(ConfigKey::PrivateFromPem(p.priv, "priv").value()) {}
  ConfigKey pub, priv;
};

ConfigPush Push(const std::string& kiosk = "k1", int64_t issued = kIssued) {
  ConfigPush p;
  p.store = "s1";
  p.kiosk = kiosk;
  p.issued_ms = issued;
  p.toml = kSurvey;
  return p;
}

std::string Sign(const Keys& k, const ConfigPush& p) {
  auto env = SignConfigPush(k.priv, p);
  EXPECT_TRUE(env.ok()) << env.status().message();
  return env.ok() ? env.value() : std::string();
}

// The refusal reason of verifying `payload` as k1 of s1 with nothing applied yet.
std::string Refusal(const ConfigKey& key, const std::string& payload, int64_t applied = 0) {
  auto r = VerifyConfigPush(key, payload, "s1", "k1", applied);
  return r.ok() ? "accepted" : r.status().message();
}

void ExpectHas(const std::string& text, const std::string& part) {
  EXPECT_NE(text.find(part), std::string::npos) << "'" << text << "' lacks '" << part << "'";
}

class ConfigSignature : public ::testing::TestWithParam<const char*> {
 protected:
  PemPair NewPair() const {
    return std::string(GetParam()) == "ed25519" ? MakeKey("ED25519") : MakeKey("EC", "P-256");
  }
};

TEST_P(ConfigSignature, AGoodPushVerifiesAndGivesBackExactlyWhatWasSigned) {
  Keys k(NewPair());
  EXPECT_EQ(k.pub.alg(), k.priv.alg());
  EXPECT_EQ(k.pub.alg(), std::string(GetParam()) == "ed25519" ? "ed25519" : "ecdsa-p256-sha256");
  std::string env = Sign(k, Push());
  auto j = nlohmann::json::parse(env);
  EXPECT_EQ(j["v"], 1);
  EXPECT_EQ(j["alg"], k.pub.alg());
  auto signed_bytes = Base64Decode(j["signed"].get<std::string>());
  ASSERT_TRUE(signed_bytes.ok());
  EXPECT_EQ(signed_bytes.value(),
            "touchpoint-config-push/v1\ntarget s1/k1\nissued 2026-11-23T10:00:00.000Z\n\n" +
                std::string(kSurvey));
  auto r = VerifyConfigPush(k.pub, env, "s1", "k1", 0);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->toml, kSurvey);
  EXPECT_EQ(r->issued_ms, kIssued);
  EXPECT_EQ(r->store, "s1");
  EXPECT_EQ(r->kiosk, "k1");
}

TEST_P(ConfigSignature, TamperedDocumentOrSignatureDoesNotVerify) {
  Keys k(NewPair());
  auto j = nlohmann::json::parse(Sign(k, Push()));
  std::string data = Base64Decode(j["signed"].get<std::string>()).value();

  auto doc = j;
  std::string evil = data;
  evil.replace(evil.find("pushed"), 6, "evil!!");
  doc["signed"] = Base64Encode(evil);
  ExpectHas(Refusal(k.pub, doc.dump()), "signature does not verify with the central key");

  auto sig = j;
  std::string raw = Base64Decode(j["sig"].get<std::string>()).value();
  raw[raw.size() / 2] = static_cast<char>(raw[raw.size() / 2] ^ 1);
  sig["sig"] = Base64Encode(raw);
  ExpectHas(Refusal(k.pub, sig.dump()), "signature does not verify");

  auto junk = j;
  junk["sig"] = "not*base64";
  ExpectHas(Refusal(k.pub, junk.dump()), "envelope: \"sig\": base64");
}

TEST_P(ConfigSignature, AnotherKeyIsRefused) {
  Keys k(NewPair());
  Keys other(NewPair());
  ExpectHas(Refusal(other.pub, Sign(k, Push())), "signature does not verify");
  // A key of the other type: the algorithm does not match.
  Keys mismatch(std::string(GetParam()) == "ed25519" ? MakeKey("EC", "P-256") : MakeKey("ED25519"));
  ExpectHas(Refusal(mismatch.pub, Sign(k, Push())), "but the central key is " + mismatch.pub.alg());
}

TEST_P(ConfigSignature, APushForAnotherKioskIsRefused) {
  Keys k(NewPair());
  ExpectHas(Refusal(k.pub, Sign(k, Push("k2"))), "signed for s1/k2, not for this kiosk (s1/k1)");
}

TEST_P(ConfigSignature, AnOlderPushThanTheAppliedOneIsRefusedTheSameOneAccepted) {
  Keys k(NewPair());
  std::string old_push = Sign(k, Push("k1", kIssued));
  EXPECT_EQ(Refusal(k.pub, old_push, kIssued), "accepted");  // the same retained message again
  ExpectHas(Refusal(k.pub, old_push, kIssued + 1), "replay or downgrade");
  EXPECT_EQ(Refusal(k.pub, Sign(k, Push("k1", kIssued + 60000)), kIssued), "accepted");
}

INSTANTIATE_TEST_SUITE_P(Keys, ConfigSignature, ::testing::Values("ed25519", "p256"),
                         [](const auto& p) { return std::string(p.param); });

TEST(ConfigSignatureLimits, OversizedUnsignedAndMalformedPushesAreRefusedUnparsed) {
  Keys k(MakeKey("ED25519"));
  std::string big(kMaxConfigPushBytes + 1, '{');
  ExpectHas(Refusal(k.pub, big), "push of 262145 bytes refused unparsed: the limit is 256 KiB");
  ExpectHas(Refusal(k.pub, kSurvey), "unsigned push refused");
  ExpectHas(Refusal(k.pub, "{\"v\":1,"), "envelope: not a JSON object");
  ExpectHas(Refusal(k.pub, "{\"v\":2,\"alg\":\"ed25519\",\"signed\":\"\",\"sig\":\"\"}"),
            "\"v\" must be 1");
  ExpectHas(Refusal(k.pub, "{\"v\":1,\"alg\":\"none\\u001b[2J\",\"signed\":\"\",\"sig\":\"\"}"),
            "alg 'none\\u001b[2J' but the central key is ed25519");
  // A nesting bomb just under the limit costs little: nested values are not kept.
  std::string bomb = "{\"v\":" + std::string(kMaxConfigPushBytes - 100, '[');
  auto start = std::chrono::steady_clock::now();
  ExpectHas(Refusal(k.pub, bomb), "envelope: not a JSON object");
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(1));
  // The signer refuses what a kiosk would refuse.
  ConfigPush huge = Push();
  huge.toml += "# " + std::string(kMaxConfigPushBytes, 'x') + "\n";
  auto env = SignConfigPush(k.priv, huge);
  ASSERT_FALSE(env.ok());
  ExpectHas(env.status().message(), "more than the 256 KiB a kiosk accepts");
}

TEST(ConfigSignatureLimits, OnlyEd25519AndP256KeysAreAccepted) {
  PemPair p384 = MakeKey("EC", "P-384");
  auto pub = ConfigKey::PublicFromPem(p384.pub, "central.pub");
  ASSERT_FALSE(pub.ok());
  ExpectHas(pub.status().message(), "central.pub: an EC key on curve 'secp384r1'");
  auto garbage = ConfigKey::PublicFromPem("hello", "central.pub");
  ASSERT_FALSE(garbage.ok());
  ExpectHas(garbage.status().message(), "central.pub: not a PEM public key or certificate");
  auto missing = ConfigKey::LoadPublic("/nonexistent/central.pub");
  EXPECT_EQ(missing.status().code(), Status::Code::kNotFound);
  auto zero = ConfigKey::LoadPublic("/dev/zero");
  ASSERT_FALSE(zero.ok());
  ExpectHas(zero.status().message(), "larger than 64 KiB");
}

TEST(ConfigSignatureLimits, Base64RoundTripsAndIsStrict) {
  for (std::string s : {"", "f", "fo", "foo", "foob", "fooba", "foobar"}) {
    EXPECT_EQ(Base64Decode(Base64Encode(s)).value(), s);
  }
  EXPECT_EQ(Base64Encode("foobar"), "Zm9vYmFy");
  EXPECT_EQ(Base64Encode("fo"), "Zm8=");
  EXPECT_FALSE(Base64Decode("Zm9").ok());
  EXPECT_FALSE(Base64Decode("Zm=v").ok());
  EXPECT_FALSE(Base64Decode("Zm8=Zm8=").ok());
  EXPECT_FALSE(Base64Decode("Zm\n8").ok());
}

}  // namespace
}  // namespace touchpoint::sync
