#include <gtest/gtest.h>

#include <set>

#include "touchpoint/core/clock.h"

namespace touchpoint {
namespace {

TEST(UuidV7, HasVersionVariantAndTimeOrder) {
  std::string a = NewUuidV7(1700000000000);
  std::string b = NewUuidV7(1700000000001);
  ASSERT_EQ(a.size(), 36u);
  EXPECT_EQ(a[14], '7');                                          // version nibble
  EXPECT_NE(std::string("89ab").find(a[19]), std::string::npos);  // variant 10xx
  EXPECT_LT(a, b);                                                // time-ordered as text
  EXPECT_EQ(a.substr(0, 13), "018bcfe5-6800");                    // 48-bit ms timestamp
}

TEST(UuidV7, UniqueWithinSameMillisecond) {
  std::set<std::string> ids;
  for (int i = 0; i < 10000; ++i) ids.insert(NewUuidV7(1700000000000));
  EXPECT_EQ(ids.size(), 10000u);
}

}  // namespace
}  // namespace touchpoint
