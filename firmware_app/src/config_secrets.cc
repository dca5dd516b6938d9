// Secrets for the kiosk's configuration: the MQTT password comes from the environment or a file,
// so that it is neither in argv (visible in the process list) nor, ideally, in the TOML in clear.
#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "touchpoint/core/config.h"

namespace touchpoint {

namespace {
constexpr off_t kMaxPasswordFileBytes = 4096;
}

Status ResolveMqttPassword(MqttConfig* mqtt, const char* env_password, const std::string& source) {
  if (env_password != nullptr && *env_password != '\0') {
    mqtt->password = env_password;
    mqtt->password_source = "environment";
    return Status::Ok();
  }
  if (mqtt->password_file.empty()) {
    mqtt->password_source = mqtt->password.empty() ? "" : "config";
    return Status::Ok();
  }
  const std::string& path = mqtt->password_file;
  auto problem = [&](const std::string& what) {
    return Status::InvalidArgument(source + ": mqtt.password_file: " + path + ": " + what);
  };
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return problem(std::strerror(errno));
  if (!S_ISREG(st.st_mode)) return problem("not a regular file");
  if (st.st_size > kMaxPasswordFileBytes) {
    return problem("larger than " + std::to_string(kMaxPasswordFileBytes) + " bytes");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return problem("cannot be read");
  std::stringstream ss;
  ss << in.rdbuf();
  std::string password = ss.str();
  while (!password.empty() && (password.back() == '\n' || password.back() == '\r')) {
    password.pop_back();
  }
  if (password.empty()) return problem("is empty");
  if (password.find_first_of("\r\n") != std::string::npos) {
    return problem("must hold the password on one line");
  }
  mqtt->password = std::move(password);
  mqtt->password_source = "password_file";
  return Status::Ok();
}

}  // namespace touchpoint
