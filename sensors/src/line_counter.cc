// Directed line crossings with a hysteresis band, confirmation frames and U-turn cancelling.
#include "touchpoint/sensors/line_counter.h"

#include <algorithm>
#include <cmath>
#include <set>

namespace touchpoint::sensors {

LineCounter::LineCounter(std::vector<LineSpec> lines, LineCounterOptions options)
    : lines_(std::move(lines)), options_(options) {
  for (const LineSpec& l : lines_) {
    cv::Point2f d = l.p2 - l.p1;
    float len = std::max(1e-6f, std::hypot(d.x, d.y));
    cv::Point2f n(-d.y / len, d.x / len);
    if (n.dot(l.in_dir) < 0) n = -n;
    normals_.push_back(n);
  }
}

double LineCounter::SignedDistance(int line, cv::Point2f p) const {
  return (p - lines_[line].p1).dot(normals_[line]);
}

bool LineCounter::WithinSegment(int line, cv::Point2f a, cv::Point2f b) const {
  double sa = SignedDistance(line, a), sb = SignedDistance(line, b);
  if (sa == sb) return false;
  double t = sa / (sa - sb);
  cv::Point2f x = a + static_cast<float>(t) * (b - a);
  const LineSpec& l = lines_[line];
  cv::Point2f d = l.p2 - l.p1;
  double u = (x - l.p1).dot(d) / std::max(1e-6f, d.dot(d));
  return u >= -options_.segment_margin && u <= 1.0 + options_.segment_margin;
}

double LineCounter::Along(int line, cv::Point2f p) const {
  const LineSpec& l = lines_[line];
  cv::Point2f d = l.p2 - l.p1;
  return (p - l.p1).dot(d) / std::max(1e-6f, std::hypot(d.x, d.y));
}

bool LineCounter::Repeats(const LineCrossing& c, double along, const cv::Rect2f& body) {
  if (options_.refractory_frames <= 0) return false;
  const int64_t horizon = c.frame - options_.refractory_frames;
  recent_.erase(std::remove_if(recent_.begin(), recent_.end(),
                               [horizon](const Recent& r) { return r.crossing.frame < horizon; }),
                recent_.end());
  for (const Recent& r : recent_) {
    if (r.crossing.line != c.line) continue;
    if (r.crossing.track_id == c.track_id) continue;
    const double radius = options_.refractory_px > 0 ? options_.refractory_px : options_.hysteresis;
    if (r.crossing.in != c.in) continue;
    if (std::abs(r.along - along) < radius) return true;
    // Stacked bodies (torso and legs as two tracks): overlapping columns, at most half a
    // body apart vertically, together no taller than one person (needs the person size).
    const cv::Rect2f& a = r.body;
    const float overlap_x = std::min(a.x + a.width, body.x + body.width) - std::max(a.x, body.x);
    const float gap_y = std::max(a.y, body.y) - std::min(a.y + a.height, body.y + body.height);
    if (options_.refractory_same_body && overlap_x >= 0.5f * std::min(a.width, body.width)) {
      // Parts of one person: one box mostly inside the other, or stacked with little vertical
      // overlap and a small gap (a person behind another overlaps far more). Two whole people
      // are never both inside one person's height.
      const float inter = (a & body).area();
      const float overlap_y = -gap_y;
      const bool inside = inter >= 0.6f * std::min(a.area(), body.area());
      const bool stacked = overlap_y <= 0.3f * std::min(a.height, body.height) &&
                           gap_y <= 0.5f * std::max(a.height, body.height);
      // With the person size known: at least one of them is a fragment (much shorter than a
      // person standing where it stands; a person behind another is whole), and together they
      // are no taller than one person.
      const cv::Rect2f both = a | body;
      const PersonSizeModel& m = options_.person;
      auto fragment = [&m](const cv::Rect2f& box) {
        return box.height < 0.7 * m.HeightAt(box.y + box.height);
      };
      const bool one_person = !m.known() || ((fragment(a) || fragment(body)) &&
                                             both.height <= 1.2 * m.HeightAt(both.y + both.height));
      if ((inside || stacked) && one_person) return true;
    }
    if (!options_.refractory_stacked || !options_.person.known()) continue;
    const cv::Rect2f both = a | body;
    if (overlap_x >= 0.5f * std::min(a.width, body.width) &&
        gap_y <= 0.5f * std::max(a.height, body.height) &&
        both.height <= 1.25 * options_.person.HeightAt(both.y + both.height)) {
      return true;  // together no taller than one person
    }
  }
  recent_.push_back({c, along, body});
  return false;
}

int LineCounter::HandedOverSide(int line, const Track& t, int64_t frame) {
  if (options_.handover_frames <= 0) return 0;
  const double expected =
      options_.person.known() ? options_.person.HeightAt(t.foot.y) : static_cast<double>(t.height);
  for (auto it = lost_.rbegin(); it != lost_.rend(); ++it) {
    if (frame - it->frame > options_.handover_frames || it->sides[line] == 0) continue;
    // Near where that track was lost (in persons).
    const double reach = options_.handover_reach * std::max(expected, it->height);
    if (std::hypot(t.foot.x - it->foot.x, t.foot.y - it->foot.y) > reach) continue;
    const int side = it->sides[line];
    it->sides[line] = 0;  // handed over once
    return side;
  }
  return 0;
}

bool LineCounter::PersonLike(const Track& t) const {
  // A track much narrower than a person there (a sliver: the edge of someone standing
  // still and swaying, an arm) is no one walking: it moves no sides.
  const bool sliver = options_.min_width > 0 && options_.person.known() &&
                      t.width < options_.min_width * options_.person.WidthAt(t.foot.y);
  // A track never seen anywhere near a person's height there (a bag, an arm, a head over
  // another's shoulder following a person) is a fragment: it moves no sides either.
  const bool fragment = options_.min_height > 0 && options_.person.known() &&
                        t.full_height < options_.min_height * options_.person.HeightAt(t.foot.y);
  const bool flat = t.full_height < options_.min_aspect * t.full_width;  // a shadow
  // A track now much shorter than the tallest it lately was is a part of a body (a head,
  // a torso whose legs faded): where its bottom is says little about where feet are.
  const bool shrunk = t.height < options_.min_shrink * t.full_height;
  return !(sliver || fragment || flat || shrunk);
}

void LineCounter::Update(const std::vector<Track>& tracks, const std::vector<int>& ended,
                         int64_t frame, std::vector<LineCrossing>* out) {
  auto emit = [&](const Track* t, int line, const State& s) {
    LineCrossing c{line, s.pending > 0, s.pending_frame, t != nullptr ? t->id : 0};
    if (!Repeats(c, Along(line, s.pending_point), s.pending_body)) out->push_back(c);
  };
  for (const Track& t : tracks) {
    // A track coasting longer than max_unsupported frames is a guess: it moves no sides.
    if (!t.confirmed || t.misses > options_.max_unsupported) continue;
    // A track hidden in another's blob follows that blob: where it is is a guess.
    if (t.merged && !options_.count_merged) continue;
    if (!PersonLike(t)) {
      // Where it goes meanwhile is no one's walk: a track that was no person for longer than
      // max_unfit frames forgets its side (it takes the side where it is a person again, no
      // crossing). Two people fading into the background either side of a line leave
      // fragments; a fragment track of one hopped, as a sliver, onto the other's and counted.
      if (options_.max_unfit >= 0) {
        for (int i = 0; i < static_cast<int>(lines_.size()); ++i) {
          auto it = states_.find({t.id, i});
          if (it != states_.end() && ++it->second.unfit_frames > options_.max_unfit) {
            it->second.side = 0;
            it->second.pending = 0;
          }
        }
      }
      continue;
    }
    // The band grows with the person: a standing person's swaying fragments (one leg, one
    // arm) move the foot point by up to half a body width.
    const double expected = options_.person.known() ? options_.person.HeightAt(t.foot.y)
                                                    : static_cast<double>(t.height);
    const double band = std::max(options_.hysteresis, options_.band_person_frac * expected);
    for (int i = 0; i < static_cast<int>(lines_.size()); ++i) {
      State& s = states_[{t.id, i}];
      s.unfit_frames = 0;
      const double dist = SignedDistance(i, t.foot);
      const int raw = dist > 0 ? 1 : -1;
      if (raw != s.raw_sign) {
        s.raw_sign = raw;
        s.sign_frame = frame;
      }
      const int known = std::abs(dist) > band ? raw : 0;
      if (s.side == 0) {
        if (known != 0) {
          s.side = known;
          s.last_point = t.foot;
        } else if (!s.seen) {
          // First seen inside the band: a person who was tracked here before?
          s.side = HandedOverSide(i, t, frame);
          s.last_point = t.foot;
        }
        s.seen = true;
        continue;
      }
      s.seen = true;
      if (s.pending != 0) {
        if (known == s.pending) {
          if (++s.pending_frames >= options_.confirm_frames) {
            emit(&t, i, s);
            s.side = s.pending;
            s.pending = 0;
            s.last_point = t.foot;
          }
        } else if (known == -s.pending) {
          s.pending = 0;  // stepped over and back: a U-turn, not a crossing
          s.last_point = t.foot;
        }
        continue;
      }
      if (known == 0) continue;
      if (known == s.side) {
        s.last_point = t.foot;
        continue;
      }
      if (!WithinSegment(i, s.last_point, t.foot)) {
        s.side = known;  // went round the end of the line
        s.last_point = t.foot;
        continue;
      }
      s.pending = known;
      s.pending_point = t.foot;
      s.pending_body = cv::Rect2f(t.foot.x - t.width / 2, t.foot.y - t.height, t.width, t.height);
      s.pending_frames = 1;
      s.pending_frame = s.sign_frame;
      if (s.pending_frames >= options_.confirm_frames) {
        emit(&t, i, s);
        s.side = s.pending;
        s.pending = 0;
        s.last_point = t.foot;
      }
    }
  }
  std::vector<Track> previous;
  previous.swap(last_tracks_);
  for (const Track& t : tracks) {
    if (t.confirmed) last_tracks_.push_back(t);
  }
  if (ended.empty()) return;
  std::set<int> gone(ended.begin(), ended.end());
  if (options_.handover_frames > 0) {
    // Remember where confirmed tracks were lost and on which side (for HandedOverSide).
    lost_.erase(
        std::remove_if(lost_.begin(), lost_.end(),
                       [&](const Lost& l) { return frame - l.frame > options_.handover_frames; }),
        lost_.end());
    for (const Track& t : previous) {
      if (gone.count(t.id) == 0) continue;
      Lost l{t.foot, t.height, frame, std::vector<int>(lines_.size(), 0)};
      bool any = false;
      for (int i = 0; i < static_cast<int>(lines_.size()); ++i) {
        auto it = states_.find({t.id, i});
        if (it == states_.end()) continue;
        l.sides[i] = it->second.pending != 0 ? it->second.pending : it->second.side;
        any = any || l.sides[i] != 0;
      }
      if (any) lost_.push_back(std::move(l));
    }
    if (lost_.size() > 64) lost_.erase(lost_.begin(), lost_.end() - 64);  // bounded
  }
  for (auto it = states_.begin(); it != states_.end();) {
    if (gone.count(it->first.first) == 0) {
      ++it;
      continue;
    }
    // A track lost while beyond the band on the new side did cross (it left or was hidden).
    if (it->second.pending != 0) {
      LineCrossing c{it->first.second, it->second.pending > 0, it->second.pending_frame,
                     it->first.first};
      if (!Repeats(c, Along(c.line, it->second.pending_point), it->second.pending_body)) {
        out->push_back(c);
      }
    }
    it = states_.erase(it);
  }
}

}  // namespace touchpoint::sensors
