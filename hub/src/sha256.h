// SHA-256 in hex (OpenSSL), for the hash kept with a rejected payload's excerpt.
#pragma once

#include <openssl/evp.h>

#include <string>
#include <string_view>

namespace touchpoint::hub {

inline std::string Sha256Hex(std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  if (EVP_Digest(data.data(), data.size(), digest, &n, EVP_sha256(), nullptr) != 1) return "";
  static const char* kHex = "0123456789abcdef";
  std::string out;
  for (unsigned int i = 0; i < n; ++i) {
    out += kHex[digest[i] >> 4];
    out += kHex[digest[i] & 15];
  }
  return out;
}

}  // namespace touchpoint::hub
