// [footfall] zones and kiosk_zone, [antispam]: read, and refused with file:line:col errors.
#include <gtest/gtest.h>

#include <string>

#include "touchpoint/core/config.h"

namespace touchpoint {
namespace {

constexpr const char* kMinimal = "[kiosk]\nkiosk_id = \"k1\"\nstore_id = \"s1\"\n";

std::string ErrorOf(const std::string& text) {
  auto r = ParseConfig(std::string(kMinimal) + text, "kiosk.toml");
  EXPECT_FALSE(r.ok()) << "accepted:\n" << text;
  return r.ok() ? "" : r.status().message();
}

void ExpectContains(const std::string& haystack, const std::string& needle) {
  EXPECT_NE(haystack.find(needle), std::string::npos) << haystack << "\n-- expected: " << needle;
}

TEST(ConfigZones, AbsentMeansNoZonesAndNoKioskZone) {
  auto r = ParseConfig(kMinimal, "kiosk.toml");
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_TRUE(r->footfall.zones.empty());
  EXPECT_FALSE(r->footfall.has_kiosk_zone());
  EXPECT_TRUE(r->antispam.require_person_at_kiosk);
}

TEST(ConfigZones, RectanglesAndPolygonsAreRead) {
  auto r = ParseConfig(std::string(kMinimal) +
                           "[footfall]\n"
                           "zones = [\n"
                           "  { id = \"queue\", rect = [0.1, 0.5, 0.3, 0.4] },\n"
                           "  { id = \"shelf\", polygon = [[0.6, 0.5], [0.9, 0.5], [0.8, 0.9]] },\n"
                           "]\n"
                           "kiosk_zone = { rect = [0.4, 0.6, 0.2, 0.3] }\n"
                           "[antispam]\nrequire_person_at_kiosk = false\n",
                       "kiosk.toml");
  ASSERT_TRUE(r.ok()) << r.status().message();
  ASSERT_EQ(r->footfall.zones.size(), 2u);
  EXPECT_EQ(r->footfall.zones[0].id, "queue");
  ASSERT_EQ(r->footfall.zones[0].polygon.size(), 4u);
  EXPECT_DOUBLE_EQ(r->footfall.zones[0].polygon[2][0], 0.4);
  EXPECT_DOUBLE_EQ(r->footfall.zones[0].polygon[2][1], 0.9);
  EXPECT_EQ(r->footfall.zones[1].polygon.size(), 3u);
  ASSERT_TRUE(r->footfall.has_kiosk_zone());
  EXPECT_EQ(r->footfall.kiosk_zone.id, "kiosk");
  EXPECT_FALSE(r->antispam.require_person_at_kiosk);
}

TEST(ConfigZones, BadZonesAreLocated) {
  ExpectContains(ErrorOf("[footfall]\nzones = [{ id = \"q\", rect = [0.5, 0.5, 0.6, 0.1] }]\n"),
                 "kiosk.toml:5:29: footfall.zones[0].rect: must lie inside the frame");
  ExpectContains(ErrorOf("[footfall]\nzones = [{ id = \"q\" }]\n"),
                 "kiosk.toml:5:10: footfall.zones[0]: needs rect = [x, y, w, h] or polygon");
  ExpectContains(ErrorOf("[footfall]\nzones = [{ rect = [0, 0, 1, 1] }]\n"),
                 "footfall.zones[0].id: missing (required)");
  ExpectContains(ErrorOf("[footfall]\nzones = [{ id = \"q\", rect = [0, 0, 1, 1], "
                         "polygon = [[0, 0], [1, 0], [1, 1]] }]\n"),
                 "footfall.zones[0].polygon: give rect or polygon, not both");
  ExpectContains(
      ErrorOf("[footfall]\nzones = [{ id = \"q\", polygon = [[0, 0], [1.5, 0], [1, 1]] }]\n"),
      "footfall.zones[0].polygon[1]: must be within 0..1");
  ExpectContains(
      ErrorOf("[footfall]\nzones = [{ id = \"q\", polygon = [[0, 0], [0.5, 0.5], [1, 1]] }]\n"),
      "footfall.zones[0].polygon: encloses no area");
  ExpectContains(ErrorOf("[footfall]\nzones = [{ id = \"q\", polygon = [[0, 0], [1, 1]] }]\n"),
                 "footfall.zones[0].polygon: needs 3..32 points");
  ExpectContains(ErrorOf("[footfall]\nzones = [{ id = \"q\", rect = [0, 0, 1, 1] },"
                         " { id = \"q\", rect = [0, 0, 1, 1] }]\n"),
                 "footfall.zones[1].id: \"q\" is used by another zone");
  ExpectContains(ErrorOf("[footfall]\nkiosk_zone = { rect = [0, 0, 1, 1], colour = 1 }\n"),
                 "footfall.kiosk_zone.colour");
  ExpectContains(ErrorOf("[footfall]\nkiosk_zone = 3\n"), "footfall.kiosk_zone: expected a table");
  ExpectContains(ErrorOf("[antispam]\nrequire_person_at_kiosk = 1\n"),
                 "antispam.require_person_at_kiosk: expected");
}

TEST(ConfigZones, AtMostSixteenZones) {
  std::string zones = "[footfall]\nzones = [";
  for (int i = 0; i < 17; ++i) {
    zones += "{ id = \"z" + std::to_string(i) + "\", rect = [0, 0, 1, 1] },";
  }
  ExpectContains(ErrorOf(zones + "]\n"), "footfall.zones: 17 zones; at most 16");
}

}  // namespace
}  // namespace touchpoint
