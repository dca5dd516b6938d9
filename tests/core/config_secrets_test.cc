// The MQTT password comes from the environment or a file, never argv; precedence and errors.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>

#include "test_support.h"
#include "touchpoint/core/config.h"

namespace touchpoint {
namespace {

std::string ConfigWith(const std::string& mqtt_lines) {
  return "[kiosk]\nkiosk_id = \"k1\"\nstore_id = \"s1\"\n[mqtt]\n" + mqtt_lines;
}

TEST(ConfigSecrets, PasswordFileIsReadAndTheEnvironmentWins) {
  testing::TempDir dir;
  std::ofstream(dir.File("pw")) << "s3cret-from-file\n";
  ::chmod(dir.File("pw").c_str(), 0600);
  std::ofstream(dir.File("k.toml")) << ConfigWith("password_file = \"" + dir.File("pw") + "\"\n");

  ::unsetenv("TOUCHPOINT_MQTT_PASSWORD");
  auto c = LoadConfig(dir.File("k.toml"));
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->mqtt.password, "s3cret-from-file") << "the trailing newline is not part of it";
  EXPECT_EQ(c->mqtt.password_source, "password_file");

  ::setenv("TOUCHPOINT_MQTT_PASSWORD", "from-env", 1);
  c = LoadConfig(dir.File("k.toml"));
  ::unsetenv("TOUCHPOINT_MQTT_PASSWORD");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->mqtt.password, "from-env");
  EXPECT_EQ(c->mqtt.password_source, "environment");
}

TEST(ConfigSecrets, PasswordInClearIsStillReadButMarked) {
  testing::TempDir dir;
  std::ofstream(dir.File("k.toml")) << ConfigWith("password = \"clear\"\n");
  ::unsetenv("TOUCHPOINT_MQTT_PASSWORD");
  auto c = LoadConfig(dir.File("k.toml"));
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->mqtt.password, "clear");
  EXPECT_EQ(c->mqtt.password_source, "config");
}

TEST(ConfigSecrets, BadPasswordFilesAreErrorsNamingTheKeyAndFile) {
  testing::TempDir dir;
  ::unsetenv("TOUCHPOINT_MQTT_PASSWORD");
  auto load = [&](const std::string& mqtt) {
    std::ofstream(dir.File("k.toml"), std::ios::trunc) << ConfigWith(mqtt);
    return LoadConfig(dir.File("k.toml"));
  };
  auto missing = load("password_file = \"" + dir.File("nope") + "\"\n");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("mqtt.password_file: " + dir.File("nope")),
            std::string::npos)
      << missing.status().message();

  std::ofstream(dir.File("empty")) << "\n";
  auto empty = load("password_file = \"" + dir.File("empty") + "\"\n");
  ASSERT_FALSE(empty.ok());
  EXPECT_NE(empty.status().message().find("is empty"), std::string::npos);

  std::ofstream(dir.File("big")) << std::string(10000, 'x');
  auto big = load("password_file = \"" + dir.File("big") + "\"\n");
  ASSERT_FALSE(big.ok());
  EXPECT_NE(big.status().message().find("larger than"), std::string::npos);

  auto both = load("password = \"a\"\npassword_file = \"" + dir.File("empty") + "\"\n");
  ASSERT_FALSE(both.ok());
  EXPECT_NE(both.status().message().find("mqtt.password"), std::string::npos)
      << both.status().message();
  EXPECT_NE(both.status().message().find("not both"), std::string::npos);
}

}  // namespace
}  // namespace touchpoint
