#include "touchpoint/ui/manager_pin.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>
#include <sstream>

#include "test_support.h"

namespace touchpoint::ui {
namespace {

using touchpoint::testing::TempDir;

std::string Slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST(ManagerPinTest, FirstStartMakesARandomPinAndStoresOnlyASaltedHash) {
  TempDir dir;
  ManualClock clock(1'800'000'000'000);
  auto pin = ManagerPin::Open(dir.File("manager_pin"), clock);
  ASSERT_TRUE(pin.ok()) << pin.status().ToString();
  const std::string generated = (*pin)->generated_pin();
  ASSERT_EQ(generated.size(), 6u);
  EXPECT_TRUE(ManagerPin::IsValidPin(generated));

  struct stat st {};
  ASSERT_EQ(::stat(dir.File("manager_pin").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  std::string file = Slurp(dir.File("manager_pin"));
  EXPECT_NE(file.find("pbkdf2_sha256="), std::string::npos);
  EXPECT_NE(file.find("salt="), std::string::npos);
  std::istringstream lines(file);
  for (std::string line; std::getline(lines, line);) {
    EXPECT_NE(line.substr(line.find('=') + 1), generated) << "the PIN itself is in the file";
  }
  EXPECT_EQ((*pin)->Verify(generated).outcome, ManagerPin::Outcome::kOk);

  // Shown once: a later start does not make or reveal a PIN, and the old one still works.
  auto again = ManagerPin::Open(dir.File("manager_pin"), clock);
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE((*again)->generated_pin().empty());
  EXPECT_EQ((*again)->Verify(generated).outcome, ManagerPin::Outcome::kOk);
}

TEST(ManagerPinTest, NoDefaultPin) {
  TempDir a, b;
  ManualClock clock(1'800'000'000'000);
  auto pa = ManagerPin::Open(a.File("manager_pin"), clock);
  auto pb = ManagerPin::Open(b.File("manager_pin"), clock);
  ASSERT_TRUE(pa.ok() && pb.ok());
  EXPECT_NE((*pa)->generated_pin(), (*pb)->generated_pin()) << "each device makes its own";
  // Same PIN, different salts: the stored hashes differ.
  ASSERT_TRUE((*pa)->Change("424242").ok());
  ASSERT_TRUE((*pb)->Change("424242").ok());
  EXPECT_NE(Slurp(a.File("manager_pin")), Slurp(b.File("manager_pin")));
  for (const char* common : {"0000", "1234", "000000", "123456"}) {
    if ((*pa)->generated_pin() == common) continue;
    EXPECT_NE((*pa)->Verify(common).outcome, ManagerPin::Outcome::kOk) << common;
  }
}

TEST(ManagerPinTest, FiveWrongTriesLockOutWithAGrowingDelay) {
  TempDir dir;
  ManualClock clock(1'800'000'000'000);
  auto opened = ManagerPin::Open(dir.File("manager_pin"), clock);
  ASSERT_TRUE(opened.ok());
  ManagerPin& pin = **opened;
  ASSERT_TRUE(pin.Change("2468").ok());
  for (int i = 1; i <= 4; ++i) {
    auto c = pin.Verify("1111");
    EXPECT_EQ(c.outcome, ManagerPin::Outcome::kWrong);
    EXPECT_EQ(c.tries_left, 5 - i);
  }
  auto locked = pin.Verify("1111");
  EXPECT_EQ(locked.outcome, ManagerPin::Outcome::kLockedOut);
  EXPECT_EQ(locked.locked_for_ms, ManagerPin::kFirstLockoutMs);
  EXPECT_EQ(pin.Verify("2468").outcome, ManagerPin::Outcome::kLockedOut)
      << "even the right PIN is refused while locked out";

  // The lockout survives a restart.
  auto reopened = ManagerPin::Open(dir.File("manager_pin"), clock);
  ASSERT_TRUE(reopened.ok());
  EXPECT_GT((*reopened)->LockedForMs(), 0);

  clock.AdvanceMs(ManagerPin::kFirstLockoutMs);
  EXPECT_EQ(pin.LockedForMs(), 0);
  for (int i = 0; i < 4; ++i) EXPECT_EQ(pin.Verify("9999").outcome, ManagerPin::Outcome::kWrong);
  auto second = pin.Verify("9999");
  EXPECT_EQ(second.outcome, ManagerPin::Outcome::kLockedOut);
  EXPECT_EQ(second.locked_for_ms, 2 * ManagerPin::kFirstLockoutMs) << "the delay grows";

  clock.AdvanceMs(2 * ManagerPin::kFirstLockoutMs);
  EXPECT_EQ(pin.Verify("2468").outcome, ManagerPin::Outcome::kOk);
  // Success resets the ladder.
  for (int i = 0; i < 4; ++i) pin.Verify("0000");
  EXPECT_EQ(pin.Verify("0000").locked_for_ms, ManagerPin::kFirstLockoutMs);
}

TEST(ManagerPinTest, ChangeReplacesThePinAndRejectsBadOnes) {
  TempDir dir;
  ManualClock clock(1'800'000'000'000);
  auto opened = ManagerPin::Open(dir.File("manager_pin"), clock);
  ASSERT_TRUE(opened.ok());
  ManagerPin& pin = **opened;
  std::string old = pin.generated_pin();
  EXPECT_FALSE(pin.Change("12").ok());
  EXPECT_FALSE(pin.Change("12ab").ok());
  EXPECT_FALSE(pin.Change("123456789").ok());
  ASSERT_TRUE(pin.Change("13579").ok());
  EXPECT_EQ(pin.Verify("13579").outcome, ManagerPin::Outcome::kOk);
  EXPECT_EQ(pin.Verify(old).outcome, ManagerPin::Outcome::kWrong);
}

TEST(ManagerPinTest, CorruptFileIsAnErrorNotAnOpenDoor) {
  TempDir dir;
  ManualClock clock(1'800'000'000'000);
  std::ofstream(dir.File("manager_pin")) << "garbage\n";
  auto opened = ManagerPin::Open(dir.File("manager_pin"), clock);
  EXPECT_FALSE(opened.ok());
}

TEST(ManagerPinTest, NewPinIsNotedOnlyInA0600FileThatAPinChangeRemoves) {
  TempDir dir;
  ManualClock clock(1'800'000'000'000);
  mode_t old = ::umask(0);  // the worst case: nothing masked
  auto pin = ManagerPin::Open(dir.File("manager_pin"), clock);
  ::umask(old);
  ASSERT_TRUE(pin.ok()) << pin.status().ToString();
  const std::string note = ManagerPin::InitialPinPath(dir.File("manager_pin"));
  EXPECT_EQ(note, dir.File("manager_pin.initial"));
  struct stat st {};
  ASSERT_EQ(::stat(note.c_str(), &st), 0) << "the new PIN must be readable once, by the owner";
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_EQ(Slurp(note), (*pin)->generated_pin() + "\n");

  // A later start leaves the note alone (the PIN is unchanged) and makes no new one.
  auto again = ManagerPin::Open(dir.File("manager_pin"), clock);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(Slurp(note), (*pin)->generated_pin() + "\n");

  // The manager picks a PIN of their own: the note of the old one goes.
  ASSERT_TRUE((*again)->Change("4711").ok());
  EXPECT_NE(::stat(note.c_str(), &st), 0);
  EXPECT_EQ((*again)->Verify("4711").outcome, ManagerPin::Outcome::kOk);
}

}  // namespace
}  // namespace touchpoint::ui
