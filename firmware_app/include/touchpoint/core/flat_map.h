// A map from string ids to values kept as one vector sorted by key: what metrics::Sums keeps per
// question, reason and zone. Those maps hold a handful of short ids and are read, filled and
// summed far more often than searched (the hub decodes ~200k rollup cells for one month of every
// store): a vector is filled in place without a node per key, a short id fits its string's own
// buffer, and two maps are summed in one pass over both.
//
// The subset of std::map's interface the metrics use (find, count, at, operator[], try_emplace,
// erase, ordered iteration over pairs), plus in-place refilling for a reader that gets keys in
// strictly increasing order (Rewrite, Truncate). Iterators and references are invalidated by any
// insertion or erasure. A key must not be changed through an iterator.
// Plain value; thread-compatible.
#pragma once

#include <algorithm>
#include <cstddef>
#include <initializer_list>
#include <stdexcept>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

namespace touchpoint {

template <typename V>
class FlatMap {
 public:
  using key_type = std::string;
  using mapped_type = V;
  using value_type = std::pair<std::string, V>;
  using iterator = typename std::vector<value_type>::iterator;
  using const_iterator = typename std::vector<value_type>::const_iterator;

  FlatMap() = default;
  // As std::map: the first of equal keys is kept.
  FlatMap(std::initializer_list<value_type> init) {
    for (const value_type& kv : init) try_emplace(kv.first, kv.second);
  }

  iterator begin() { return items_.begin(); }
  iterator end() { return items_.end(); }
  const_iterator begin() const { return items_.begin(); }
  const_iterator end() const { return items_.end(); }
  size_t size() const { return items_.size(); }
  bool empty() const { return items_.empty(); }
  void clear() { items_.clear(); }

  iterator find(std::string_view key) {
    auto it = LowerBound(key);
    return it != items_.end() && it->first == key ? it : items_.end();
  }
  const_iterator find(std::string_view key) const { return const_cast<FlatMap*>(this)->find(key); }
  size_t count(std::string_view key) const { return find(key) != end() ? 1 : 0; }
  V& at(std::string_view key) {
    auto it = find(key);
    if (it == items_.end()) throw std::out_of_range("FlatMap::at: no key " + std::string(key));
    return it->second;
  }
  const V& at(std::string_view key) const { return const_cast<FlatMap*>(this)->at(key); }

  // The entry of `key`, inserted with V(args...) if missing (*.second: whether it was).
  template <typename... Args>
  std::pair<iterator, bool> try_emplace(std::string_view key, Args&&... args) {
    auto it = LowerBound(key);
    if (it != items_.end() && it->first == key) return {it, false};
    it = items_.emplace(it, std::piecewise_construct, std::forward_as_tuple(key),
                        std::forward_as_tuple(std::forward<Args>(args)...));
    return {it, true};
  }
  V& operator[](std::string_view key) { return try_emplace(key).first->second; }

  iterator erase(const_iterator it) { return items_.erase(it); }
  size_t erase(std::string_view key) {
    auto it = find(key);
    if (it == items_.end()) return 0;
    items_.erase(it);
    return 1;
  }
  // Erases every entry for which pred(entry) holds.
  template <typename Pred>
  void EraseIf(Pred pred) {
    std::erase_if(items_, pred);
  }

  // Every entry of o into this map: add(mine, theirs) where the key is here, else a copy of o's
  // entry is inserted. One pass over both maps.
  template <typename Add>
  void MergeFrom(const FlatMap& o, Add&& add) {
    size_t i = 0;
    for (const value_type& theirs : o.items_) {
      while (i < items_.size() && items_[i].first < theirs.first) ++i;
      if (i < items_.size() && items_[i].first == theirs.first) {
        add(items_[i].second, theirs.second);
      } else {
        items_.insert(items_.begin() + static_cast<std::ptrdiff_t>(i), theirs);
      }
      ++i;
    }
  }

  // Refilling in place (a reader whose keys come strictly increasing, e.g. from a blob written in
  // this map's order): entry i gets `key`, keeping its string when equal (no copy) and its value
  // (*same: the key was there already). Then Truncate(n) drops the entries after the n refilled.
  // REQUIRES: i <= size(); the keys of 0..i-1 are below `key` (checked by the caller).
  V& Rewrite(size_t i, std::string_view key, bool* same) {
    if (i == items_.size()) {
      items_.emplace_back(std::string(key), V{});
      *same = false;
    } else {
      *same = items_[i].first == key;
      if (!*same) items_[i].first.assign(key);
    }
    return items_[i].second;
  }
  void Truncate(size_t n) {
    if (n < items_.size()) items_.resize(n);
  }

  bool operator==(const FlatMap&) const = default;

 private:
  iterator LowerBound(std::string_view key) {
    return std::lower_bound(items_.begin(), items_.end(), key,
                            [](const value_type& kv, std::string_view k) { return kv.first < k; });
  }
  std::vector<value_type> items_;
};

}  // namespace touchpoint
