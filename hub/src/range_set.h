// A set of uint64 sequence numbers kept as disjoint inclusive ranges. Not thread-safe.
#pragma once

#include <cstdint>
#include <iterator>
#include <map>
#include <vector>

#include "touchpoint/sync/wire.h"

namespace touchpoint::hub {

class RangeSet {
 public:
  void Add(SeqRange r) {
    if (r.last < r.first) return;
    auto it = ranges_.upper_bound(r.first);
    if (it != ranges_.begin()) {
      auto prev = std::prev(it);
      if (prev->second + 1 >= r.first) {
        if (prev->second >= r.last) return;
        r.first = prev->first;
        it = ranges_.erase(prev);
      }
    }
    while (it != ranges_.end() && it->first <= r.last + 1) {
      if (it->second > r.last) r.last = it->second;
      it = ranges_.erase(it);
    }
    ranges_.emplace(r.first, r.last);
  }
  bool Contains(uint64_t seq) const {
    auto it = ranges_.upper_bound(seq);
    if (it == ranges_.begin()) return false;
    return std::prev(it)->second >= seq;
  }
  // Seqs in [1, max held] that are not held.
  std::vector<SeqRange> Holes() const {
    std::vector<SeqRange> out;
    uint64_t next = 1;
    for (const auto& [first, last] : ranges_) {
      if (first > next) out.push_back({next, first - 1});
      next = last + 1;
    }
    return out;
  }
  uint64_t Max() const { return ranges_.empty() ? 0 : ranges_.rbegin()->second; }
  size_t RangeCount() const { return ranges_.size(); }

 private:
  std::map<uint64_t, uint64_t> ranges_;  // first -> last
};

}  // namespace touchpoint::hub
