// FlatMap (the metrics' per-question, reason and zone maps): std::map's behaviour on the subset
// it offers, checked against a std::map, and the in-place refill a cell reader uses.
#include "touchpoint/core/flat_map.h"

#include <gtest/gtest.h>

#include <map>
#include <random>
#include <string>
#include <vector>

namespace touchpoint {
namespace {

template <typename V>
std::vector<std::pair<std::string, V>> Items(const FlatMap<V>& m) {
  return {m.begin(), m.end()};
}
template <typename V>
std::vector<std::pair<std::string, V>> Items(const std::map<std::string, V>& m) {
  return {m.begin(), m.end()};
}

TEST(FlatMap, BehavesAsAStdMapUnderRandomOperations) {
  std::mt19937 rng(7);
  const std::vector<std::string> keys = {
      "", "a", "ab", "b", "queue", "staff", "zz", "\xff", "price", "a_long_reason_id_over_sso"};
  FlatMap<int64_t> flat;
  std::map<std::string, int64_t> ref;
  for (int step = 0; step < 20000; ++step) {
    const std::string& k = keys[rng() % keys.size()];
    switch (rng() % 5) {
      case 0:
        flat[k] += step;
        ref[k] += step;
        break;
      case 1: {
        auto [it, fresh] = flat.try_emplace(k, step);
        auto [rit, rfresh] = ref.try_emplace(k, step);
        ASSERT_EQ(fresh, rfresh);
        ASSERT_EQ(it->second, rit->second);
        break;
      }
      case 2:
        ASSERT_EQ(flat.erase(k), ref.erase(k));
        break;
      case 3:
        ASSERT_EQ(flat.count(k), ref.count(k));
        if (ref.count(k)) {
          ASSERT_EQ(flat.at(k), ref.at(k));
        }
        break;
      case 4: {
        FlatMap<int64_t> other;
        std::map<std::string, int64_t> other_ref;
        for (int i = 0; i < 3; ++i) {
          const std::string& o = keys[rng() % keys.size()];
          other[o] = i + 1;
          other_ref[o] = i + 1;
        }
        flat.MergeFrom(other, [](int64_t& mine, int64_t theirs) { mine += theirs; });
        for (const auto& [o, v] : other_ref) ref[o] += v;
        break;
      }
    }
    ASSERT_EQ(Items(flat), Items(ref)) << "after step " << step;
  }
  EXPECT_THROW(FlatMap<int>().at("missing"), std::out_of_range);
}

TEST(FlatMap, InitializerListKeepsTheFirstOfEqualKeysInKeyOrder) {
  FlatMap<int> m{{"b", 1}, {"a", 2}, {"b", 3}};
  EXPECT_EQ(Items(m), (std::vector<std::pair<std::string, int>>{{"a", 2}, {"b", 1}}));
  EXPECT_EQ(m, (FlatMap<int>{{"a", 2}, {"b", 1}}));
  EXPECT_NE(m, (FlatMap<int>{{"a", 2}}));
}

TEST(FlatMap, MergeInsertsACopyOfAMissingEntryAndAddsToAPresentOne) {
  struct V {
    int type = 0, n = 0;
    bool operator==(const V&) const = default;
  };
  FlatMap<V> mine{{"b", {1, 10}}};
  FlatMap<V> theirs{{"a", {2, 1}}, {"b", {3, 5}}, {"c", {4, 1}}};
  mine.MergeFrom(theirs, [](V& m, const V& t) { m.n += t.n; });
  EXPECT_EQ(mine, (FlatMap<V>{{"a", {2, 1}}, {"b", {1, 15}}, {"c", {4, 1}}}));
  mine.EraseIf([](const auto& kv) { return kv.second.n == 1; });
  EXPECT_EQ(mine, (FlatMap<V>{{"b", {1, 15}}}));
}

TEST(FlatMap, RewriteRefillsInPlaceAndTruncateDropsTheRest) {
  FlatMap<int> m{{"a", 1}, {"c", 3}, {"d", 4}};
  bool same = false;
  m.Rewrite(0, "a", &same) = 10;
  EXPECT_TRUE(same);
  m.Rewrite(1, "b", &same) = 20;
  EXPECT_FALSE(same);
  m.Truncate(2);
  EXPECT_EQ(m, (FlatMap<int>{{"a", 10}, {"b", 20}}));
  m.Rewrite(2, "z", &same) = 30;  // past the end: appended
  EXPECT_FALSE(same);
  EXPECT_EQ(m, (FlatMap<int>{{"a", 10}, {"b", 20}, {"z", 30}}));
  m.Truncate(5);  // more than it holds: unchanged
  EXPECT_EQ(m.size(), 3u);
}

}  // namespace
}  // namespace touchpoint
