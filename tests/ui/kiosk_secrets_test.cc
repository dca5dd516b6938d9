// The real kiosk's first start with a window: the new manager PIN goes only to a 0600 file in the
// data folder, never to its output (which ends up in the journal).
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>
#include <string>

#include "test_support.h"
#include "xvfb.h"

namespace touchpoint {
namespace {

TEST(KioskSecrets, FirstStartNeverPrintsTheManagerPinAndNotesItIn0600File) {
  testing::Xvfb xvfb("540x960x24");
  ASSERT_TRUE(xvfb.ok()) << "could not start Xvfb";
  testing::TempDir dir;
  const std::string data = dir.File("data");
  std::ofstream(dir.File("k.toml")) << "[kiosk]\nkiosk_id = \"k1\"\nstore_id = \"s1\"\n"
                                    << "data_dir = \"" << data << "\"\n"
                                    << "[ui]\nenabled = true\nfullscreen = false\n";
  testing::ChildProcess::Options o;
  o.capture_stdout = true;
  o.extra_env = {"DISPLAY=" + xvfb.display(), "LIBGL_ALWAYS_SOFTWARE=1"};
  // stdout and stderr together: everything a service manager would put in the journal.
  testing::ChildProcess kiosk({"/bin/sh", "-c",
                               std::string("exec '") + TOUCHPOINT_KIOSK_BIN + "' --config '" +
                                   dir.File("k.toml") + "' --run-for-s 3 2>&1"},
                              o);
  auto code = kiosk.Wait(std::chrono::seconds(60));
  std::string output = kiosk.ReadAll();
  ASSERT_TRUE(code.has_value());
  ASSERT_EQ(*code, 0) << output;

  const std::string note = data + "/manager_pin.initial";
  struct stat st {};
  ASSERT_EQ(::stat(note.c_str(), &st), 0) << "no PIN note; output:\n" << output;
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  std::string pin;
  std::ifstream(note) >> pin;
  ASSERT_EQ(pin.size(), 6u);
  EXPECT_EQ(output.find(pin), std::string::npos) << "the PIN is in the output:\n" << output;
  EXPECT_NE(output.find(note), std::string::npos) << "the output should say where it is:\n"
                                                  << output;
  ASSERT_EQ(::stat((data + "/manager_pin").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
}

}  // namespace
}  // namespace touchpoint
