// The kiosk executable as an installer uses it: config checking, a headless run, export.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>

#include "test_support.h"
#include "touchpoint/core/event_json.h"

namespace touchpoint {
namespace {

std::string RunKiosk(const std::vector<std::string>& args, int* code) {
  std::vector<std::string> argv = {TOUCHPOINT_KIOSK_BIN};
  argv.insert(argv.end(), args.begin(), args.end());
  argv.push_back("2>&1");
  std::string cmd;
  for (const auto& a : argv) cmd += (a == "2>&1" ? a : "'" + a + "'") + " ";
  FILE* p = popen(cmd.c_str(), "r");
  std::string out;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  int st = pclose(p);
  *code = WEXITSTATUS(st);
  return out;
}

TEST(KioskCli, CheckConfigAcceptsGoodAndRejectsBadWithPositions) {
  testing::TempDir dir;
  std::ofstream(dir.File("good.toml")) << "[kiosk]\nkiosk_id = \"k1\"\nstore_id = \"s1\"\n";
  std::ofstream(dir.File("bad.toml")) << "[kiosk]\nkiosk_id = \"k1\"\nstore_id = \"s1\"\n"
                                         "[camera]\nprocess_width = 5\nfps = 3\n";
  int code = -1;
  std::string out = RunKiosk({"--config", dir.File("good.toml"), "--check-config"}, &code);
  EXPECT_EQ(code, 0) << out;
  out = RunKiosk({"--config", dir.File("bad.toml"), "--check-config"}, &code);
  EXPECT_NE(code, 0);
  EXPECT_NE(out.find(dir.File("bad.toml") + ":5:17: camera.process_width: 5 is out of range"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find(dir.File("bad.toml") + ":6:1: camera.fps: unknown key"), std::string::npos)
      << out;
  out = RunKiosk({"--config", dir.File("missing.toml"), "--check-config"}, &code);
  EXPECT_NE(code, 0);
  EXPECT_NE(out.find("cannot open the config file"), std::string::npos) << out;
}

TEST(KioskCli, AnEndlessConfigFileFailsFastAndThePrintedDefaultHasTheSigningKeys) {
  int code = -1;
  auto start = std::chrono::steady_clock::now();
  std::string out = RunKiosk({"--config", "/dev/zero", "--check-config"}, &code);
  EXPECT_NE(code, 0);
  EXPECT_NE(out.find("/dev/zero:1:1: the config file is larger than 256 KiB"), std::string::npos)
      << out;
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
  out = RunKiosk({"--print-default-config"}, &code);
  EXPECT_EQ(code, 0);
  EXPECT_NE(out.find("# config_public_key_file = "), std::string::npos) << out;
  EXPECT_NE(out.find("config_unsigned_ok = false"), std::string::npos) << out;
}

TEST(KioskCli, HeadlessRunRecordsStatusAndExports) {
  testing::TempDir dir;
  std::ofstream(dir.File("k.toml")) << "[kiosk]\nkiosk_id = \"k1\"\nstore_id = \"s1\"\n"
                                       "data_dir = \""
                                    << dir.File("data")
                                    << "\"\n"
                                       "[ui]\nenabled = false\n";
  int code = -1;
  std::string out =
      RunKiosk({"--config", dir.File("k.toml"), "--headless", "--run-for-s", "1"}, &code);
  ASSERT_EQ(code, 0) << out;
  out = RunKiosk({"--config", dir.File("k.toml"), "export", "--out", dir.File("x.jsonl")}, &code);
  ASSERT_EQ(code, 0) << out;
  std::ifstream in(dir.File("x.jsonl"));
  std::string line;
  ASSERT_TRUE(std::getline(in, line)) << out;
  auto e = DecodeEvent(line);
  ASSERT_TRUE(e.ok()) << e.status().ToString();
  EXPECT_EQ(e->type(), EventType::kStatus);
  EXPECT_EQ(e->kiosk_id, "k1");
  out = RunKiosk({"--config", dir.File("k.toml"), "--show-stored", "5"}, &code);
  EXPECT_EQ(code, 0);
  EXPECT_NE(out.find("status: 1"), std::string::npos) << out;
}

TEST(KioskCli, CorruptDatabaseIsQuarantinedAndTheKioskStarts) {
  testing::TempDir dir;
  std::filesystem::create_directories(dir.File("data"));
  std::ofstream(dir.File("data/events.db")) << std::string(10000, '#');
  std::ofstream(dir.File("k.toml")) << "[kiosk]\nkiosk_id = \"k1\"\nstore_id = \"s1\"\n"
                                       "data_dir = \""
                                    << dir.File("data") << "\"\n";
  int code = -1;
  std::string out =
      RunKiosk({"--config", dir.File("k.toml"), "--headless", "--run-for-s", "1"}, &code);
  ASSERT_EQ(code, 0) << out;
  EXPECT_NE(out.find("database was corrupt"), std::string::npos) << out;
  bool moved = false;
  for (const auto& entry : std::filesystem::directory_iterator(dir.File("data"))) {
    if (entry.path().filename().string().rfind("events.db.corrupt-", 0) == 0) {
      moved = true;
      EXPECT_EQ(std::filesystem::file_size(entry.path()), 10000u);  // kept, not deleted
    }
  }
  EXPECT_TRUE(moved);
  // The first status event reports it, so the hub and the dashboard learn of it.
  out = RunKiosk({"--config", dir.File("k.toml"), "--show-stored", "5"}, &code);
  ASSERT_EQ(code, 0) << out;
  EXPECT_NE(out.find("\"problems\":[\"database was corrupt"), std::string::npos) << out;
}

TEST(KioskCli, InspectingDoesNotCountABoot) {
  testing::TempDir dir;
  std::ofstream(dir.File("k.toml")) << "[kiosk]\nkiosk_id = \"k1\"\nstore_id = \"s1\"\n"
                                       "data_dir = \""
                                    << dir.File("data") << "\"\n";
  int code = -1;
  RunKiosk({"--config", dir.File("k.toml"), "--headless", "--run-for-s", "1"}, &code);
  ASSERT_EQ(code, 0);
  std::string out = RunKiosk({"--config", dir.File("k.toml"), "--show-stored", "1"}, &code);
  RunKiosk({"--config", dir.File("k.toml"), "--show-stored", "1"}, &code);
  RunKiosk({"--config", dir.File("k.toml"), "--headless", "--run-for-s", "1"}, &code);
  out = RunKiosk({"--config", dir.File("k.toml"), "--show-stored", "1"}, &code);
  EXPECT_NE(out.find("\"boot_count\":2"), std::string::npos) << out;
}

}  // namespace
}  // namespace touchpoint
