// ZoneDwell on hand-made tracks: visits, dwell, occupancy, tracks lost inside, the exit grace.
#include "zone_dwell.h"

#include <gtest/gtest.h>

namespace touchpoint::sensors {
namespace {

// A 100x100 frame; zone "left" is the left half, "kiosk" a box at the bottom right.
std::vector<FootfallZone> Zones() {
  FootfallZone left{"left", {{0, 0}, {0.5, 0}, {0.5, 1}, {0, 1}}};
  FootfallZone kiosk{"kiosk", {{0.7, 0.7}, {0.9, 0.7}, {0.9, 0.9}, {0.7, 0.9}}};
  return {left, kiosk};
}

const cv::Size kFrame(100, 100);

Track At(int id, float x, float y, int misses = 0) {
  Track t;
  t.id = id;
  t.foot = {x, y};
  t.confirmed = true;
  t.misses = misses;
  return t;
}

TEST(ZoneDwell, AVisitLastsFromEnterToLeave) {
  ZoneDwell zd(Zones());
  // Track 1 walks in at t=1 s, stays 10 s, leaves at t=11 s (seen outside from 11.1 s).
  zd.Update({At(1, 80, 50)}, kFrame, 0);
  for (int64_t t = 1000; t <= 11000; t += 100) zd.Update({At(1, 20, 50)}, kFrame, t);
  for (int64_t t = 11100; t <= 13000; t += 100) zd.Update({At(1, 80, 50)}, kFrame, t);
  std::vector<ZoneStats> s = zd.TakeInterval();
  ASSERT_EQ(s.size(), 2u);
  EXPECT_EQ(s[0].id, "left");
  EXPECT_EQ(s[0].visits, 1);
  EXPECT_EQ(s[0].dwell_n, 1);
  EXPECT_DOUBLE_EQ(*s[0].dwell_mean_s, 10.0);
  EXPECT_DOUBLE_EQ(*s[0].dwell_p90_s, 10.0);
  EXPECT_EQ(s[0].dwell_hist[2], 1);  // 10..20 s
  EXPECT_EQ(s[0].occupancy_max, 1);
  EXPECT_NEAR(s[0].occupancy_mean, 101.0 / 122.0, 1e-9);
  EXPECT_EQ(s[1].visits, 0);
  EXPECT_FALSE(s[1].dwell_mean_s);
  // The next interval starts empty.
  std::vector<ZoneStats> next = zd.TakeInterval();
  EXPECT_EQ(next[0].visits, 0);
  EXPECT_EQ(next[0].occupancy_max, 0);
}

TEST(ZoneDwell, SwayingOnTheEdgeIsOneVisit) {
  ZoneDwell zd(Zones());
  // In and out of the zone every 300 ms (less than the 1 s grace) for 6 s: one visit.
  for (int64_t t = 0; t <= 6000; t += 100) {
    zd.Update({At(1, (t / 300) % 2 == 0 ? 49.0f : 51.0f, 50)}, kFrame, t);
  }
  zd.Update({}, kFrame, 6100);  // the track ends outside
  std::vector<ZoneStats> s = zd.TakeInterval();
  EXPECT_EQ(s[0].visits, 1);
  EXPECT_NEAR(*s[0].dwell_mean_s, 6.0, 0.31);
}

TEST(ZoneDwell, ATrackLostInsideEndsAtItsLastSighting) {
  ZoneDwell zd(Zones());
  for (int64_t t = 0; t <= 4000; t += 100) zd.Update({At(7, 80, 80)}, kFrame, t);
  // Coasting two frames still counts as present; then the tracker drops it.
  zd.Update({At(7, 80, 80, 1)}, kFrame, 4100);
  EXPECT_EQ(zd.people_in(1), 1);
  zd.Update({At(7, 80, 80, 5)}, kFrame, 4200);
  EXPECT_EQ(zd.people_in(1), 0);
  zd.Update({}, kFrame, 9000);
  std::vector<ZoneStats> s = zd.TakeInterval();
  EXPECT_EQ(s[1].visits, 1);
  EXPECT_DOUBLE_EQ(*s[1].dwell_mean_s, 4.0);  // not 9 s: closed at the last sighting
}

TEST(ZoneDwell, ManyPeopleGiveMeanP90AndOccupancy) {
  ZoneDwellOptions o;
  o.keep_visits = true;
  ZoneDwell zd(Zones(), o);
  // Ten people in the left zone at once, person i stays (i + 1) * 2 s.
  for (int64_t t = 0; t <= 21000; t += 100) {
    std::vector<Track> tracks;
    for (int i = 0; i < 10; ++i) {
      const bool in = t <= (i + 1) * 2000;
      tracks.push_back(At(i + 1, in ? 10.0f + i : 90.0f, 50));
    }
    zd.Update(tracks, kFrame, t);
  }
  zd.Finish();
  std::vector<ZoneStats> s = zd.TakeInterval();
  EXPECT_EQ(s[0].visits, 10);
  EXPECT_EQ(s[0].occupancy_max, 10);
  EXPECT_DOUBLE_EQ(*s[0].dwell_mean_s, 11.0);  // 2, 4, ..., 20
  EXPECT_DOUBLE_EQ(*s[0].dwell_p90_s, 18.0);   // the 9th of 10
  int64_t n = 0;
  for (int64_t c : s[0].dwell_hist) n += c;
  EXPECT_EQ(n, 10);
  ASSERT_EQ(zd.visits(0).size(), 10u);
  EXPECT_EQ(zd.visits(0)[0].track_id, 1);
}

TEST(ZoneDwell, UnconfirmedTracksAreNotPeople) {
  ZoneDwell zd(Zones());
  Track t = At(1, 10, 10);
  t.confirmed = false;
  zd.Update({t}, kFrame, 0);
  EXPECT_EQ(zd.people_in(0), 0);
  zd.Finish();
  EXPECT_EQ(zd.TakeInterval()[0].visits, 0);
}

}  // namespace
}  // namespace touchpoint::sensors
