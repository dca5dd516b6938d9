// Tracker: identities through crossing paths, merged blobs and short occlusions.
#include "touchpoint/sensors/tracker.h"

#include <gtest/gtest.h>

#include <map>
#include <vector>

namespace touchpoint::sensors {
namespace {

// A person-sized box (20 x 60) standing on foot point (x, y).
Detection Person(float x, float y) {
  Detection d;
  d.box = cv::Rect2f(x - 10, y - 60, 20, 60);
  return d;
}

// One box covering both people (what background subtraction sees when they overlap).
Detection Union(const Detection& a, const Detection& b) {
  Detection d;
  d.box = a.box | b.box;
  return d;
}

// The confirmed track nearest to x (tracks are matched by position; ids must be stable).
const Track* Nearest(const std::vector<Track>& tracks, float x) {
  const Track* best = nullptr;
  for (const Track& t : tracks) {
    if (!t.confirmed) continue;
    if (best == nullptr || std::abs(t.foot.x - x) < std::abs(best->foot.x - x)) best = &t;
  }
  return best;
}

TEST(TrackerTest, KeepsIdentitiesWhenPathsCrossAndBlobsMerge) {
  Tracker tracker(TrackerOptions{});
  // A walks right at y = 200, B walks left at y = 210; they meet around x = 150.
  std::map<int, int> id_of;  // 0 = A, 1 = B
  for (int f = 0; f <= 40; ++f) {
    float ax = 50 + 5.0f * f, bx = 250 - 5.0f * f;
    Detection a = Person(ax, 200), b = Person(bx, 210);
    std::vector<Detection> dets;
    if (std::abs(ax - bx) < 22) {
      dets = {Union(a, b)};  // overlapping: one blob
    } else {
      dets = {a, b};
    }
    const auto& tracks = tracker.Update(dets);
    if (f == 8) {
      ASSERT_NE(Nearest(tracks, ax), nullptr);
      id_of[0] = Nearest(tracks, ax)->id;
      id_of[1] = Nearest(tracks, bx)->id;
      ASSERT_NE(id_of[0], id_of[1]);
    }
  }
  const auto& tracks = tracker.tracks();
  // After crossing, A is on the right (x = 250) and B on the left (x = 50).
  ASSERT_NE(Nearest(tracks, 250), nullptr);
  EXPECT_EQ(Nearest(tracks, 250)->id, id_of[0]);
  EXPECT_EQ(Nearest(tracks, 50)->id, id_of[1]);
}

TEST(TrackerTest, BridgesAShortOcclusion) {
  Tracker tracker(TrackerOptions{});
  int id = 0;
  for (int f = 0; f < 40; ++f) {
    float x = 40 + 4.0f * f;
    bool hidden = f >= 15 && f < 21;  // six frames behind a pillar
    const auto& tracks =
        tracker.Update(hidden ? std::vector<Detection>{} : std::vector<Detection>{Person(x, 150)});
    if (f == 10) {
      ASSERT_EQ(tracks.size(), 1u);
      ASSERT_TRUE(tracks[0].confirmed);
      id = tracks[0].id;
    }
    if (hidden) {
      ASSERT_EQ(tracks.size(), 1u) << "frame " << f;
      EXPECT_NEAR(tracks[0].foot.x, x, 8) << "the prediction follows the walk";
    }
  }
  ASSERT_EQ(tracker.tracks().size(), 1u);
  EXPECT_EQ(tracker.tracks()[0].id, id);
}

TEST(TrackerTest, AGroupThatWalksTogetherAndSplitsKeepsBothPeople) {
  Tracker tracker(TrackerOptions{});
  std::vector<int> ids;
  for (int f = 0; f < 45; ++f) {
    float x = 40 + 4.0f * f;
    // Apart for 8 frames, merged side by side for 20, then apart again.
    float gap = (f >= 8 && f < 28) ? 12.0f : 30.0f;
    Detection a = Person(x, 150), b = Person(x + gap, 158);
    std::vector<Detection> dets =
        gap < 20 ? std::vector<Detection>{Union(a, b)} : std::vector<Detection>{a, b};
    const auto& tracks = tracker.Update(dets);
    if (f == 7) {
      for (const Track& t : tracks) ids.push_back(t.id);
      ASSERT_EQ(ids.size(), 2u);
    }
    if (f >= 8 && f < 28) {
      int alive = 0;
      for (const Track& t : tracks) alive += t.confirmed;
      EXPECT_EQ(alive, 2) << "frame " << f << ": both people live while merged";
    }
  }
  std::vector<int> now;
  for (const Track& t : tracker.tracks()) now.push_back(t.id);
  std::sort(now.begin(), now.end());
  std::sort(ids.begin(), ids.end());
  EXPECT_EQ(now, ids);
}

TEST(TrackerTest, ALostTrackEndsAndIsReported) {
  TrackerOptions o;
  o.max_misses = 3;
  Tracker tracker(o);
  for (int f = 0; f < 5; ++f) tracker.Update({Person(50 + 3.0f * f, 100)});
  int id = tracker.tracks().at(0).id;
  bool ended = false;
  for (int f = 0; f < 10 && !ended; ++f) {
    tracker.Update({});
    for (int e : tracker.ended()) ended |= e == id;
  }
  EXPECT_TRUE(ended);
  EXPECT_TRUE(tracker.tracks().empty());
}

}  // namespace
}  // namespace touchpoint::sensors
