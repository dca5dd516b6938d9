// Scale, crop, detect, track, count.
#include "touchpoint/sensors/footfall_pipeline.h"

#include <algorithm>
#include <cmath>
#include <map>

#include <opencv2/imgproc.hpp>

namespace touchpoint::sensors {

namespace {

// A person size model of the processing frame in ROI coordinates (what the detector sees).
PersonSizeModel InRoi(const PersonSizeModel& person, cv::Size frame, const cv::Rect& roi) {
  if (!person.known()) return {};
  PersonSizeModel m;
  const double per_row = (person.height_at_bottom - person.height_at_top) / frame.height;
  m.height_at_top = person.height_at_top + per_row * roi.y;
  m.height_at_bottom = person.height_at_top + per_row * (roi.y + roi.height);
  m.frame_height = roi.height;
  return m;
}

// Track t's body box (foot point at the bottom centre).
cv::Rect2f Body(const Track& t) {
  return {t.foot.x - t.width / 2, t.foot.y - t.height, t.width, t.height};
}

// A track whose body box lies this much inside another's is a part of that person (dwell).
constexpr float kSameBody = 0.6f;

}  // namespace

Result<std::unique_ptr<FootfallPipeline>> FootfallPipeline::Create(const CameraConfig& config,
                                                                   cv::Size source_size,
                                                                   PipelineTuning tuning) {
  if (source_size.width <= 0 || source_size.height <= 0) {
    return Status::InvalidArgument("camera: empty source frame");
  }
  std::unique_ptr<FootfallPipeline> p(new FootfallPipeline());
  p->source_size_ = source_size;
  int pw = config.process_width > 0 ? std::min(config.process_width, source_size.width)
                                    : source_size.width;
  const double scale = static_cast<double>(pw) / source_size.width;
  p->proc_size_ =
      cv::Size(pw, std::max(1, static_cast<int>(std::lround(source_size.height * scale))));
  const cv::Size ps = p->proc_size_;
  const RegionOfInterest& r = config.roi;
  cv::Rect roi(static_cast<int>(std::lround(r.x * ps.width)),
               static_cast<int>(std::lround(r.y * ps.height)),
               static_cast<int>(std::lround(r.w * ps.width)),
               static_cast<int>(std::lround(r.h * ps.height)));
  roi &= cv::Rect(0, 0, ps.width, ps.height);
  if (roi.width < 8 || roi.height < 8) {
    return Status::InvalidArgument("camera.roi: region of interest is empty or too small");
  }
  p->roi_ = roi;

  std::vector<LineSpec> lines;
  for (const CountingLine& l : config.lines) {
    const double sx = l.normalized ? source_size.width * scale : scale;
    const double sy = l.normalized ? source_size.height * scale : scale;
    LineSpec s;
    s.name = l.name;
    s.p1 = cv::Point2f(static_cast<float>(l.x1 * sx), static_cast<float>(l.y1 * sy));
    s.p2 = cv::Point2f(static_cast<float>(l.x2 * sx), static_cast<float>(l.y2 * sy));
    s.in_dir = cv::Point2f(static_cast<float>(l.in_dx), static_cast<float>(l.in_dy));
    cv::Point2f d = s.p2 - s.p1;
    if (std::hypot(d.x, d.y) < 2) {
      return Status::InvalidArgument("camera.lines: line \"" + l.name + "\" is too short");
    }
    if (std::abs(d.x * s.in_dir.y - d.y * s.in_dir.x) < 1e-6) {
      return Status::InvalidArgument("camera.lines: line \"" + l.name +
                                     "\": the in direction runs along the line");
    }
    lines.push_back(s);
  }

  PersonSizeModel person;
  person.height_at_top = config.person_height_top * ps.height;
  person.height_at_bottom = config.person_height_bottom * ps.height;
  person.frame_height = ps.height;
  if (config.person_heights.size() == 2) {
    // Two measured (row, height) pairs in source pixels: the straight line through them.
    const auto& a = config.person_heights[0];
    const auto& b = config.person_heights[1];
    if (std::abs(a[0] - b[0]) < 1 || a[1] <= 0 || b[1] <= 0) {
      return Status::InvalidArgument(
          "camera.person_heights: needs two different rows with positive heights");
    }
    const double per_row = (b[1] - a[1]) / (b[0] - a[0]);  // source px per source row
    const double top = a[1] - per_row * a[0];              // feet at source row 0
    person.height_at_top = top * scale;
    person.height_at_bottom = (top + per_row * source_size.height) * scale;
    if (!person.known()) {
      return Status::InvalidArgument(
          "camera.person_heights: the heights reach zero above the bottom edge");
    }
  }
  tuning.detector.person = InRoi(person, ps, roi);
  tuning.detector.kind = config.detector;
  tuning.tracker.person = person;
  tuning.counter.hysteresis = std::max(0.0, config.line_hysteresis) * ps.width;
  tuning.counter.person = person;

  auto detector = MakeDetector(tuning.detector);
  if (!detector.ok()) return detector.status();
  p->detector_ = std::move(detector).value();
  p->tracker_ = std::make_unique<Tracker>(tuning.tracker);
  p->person_ = person;
  p->person_configured_ = person.known();
  if (!person.known()) p->learner_ = std::make_unique<PersonSizeLearner>(ps.height);
  p->counter_ = std::make_unique<LineCounter>(std::move(lines), tuning.counter);
  p->learned_splits_ = tuning.detector.split_groups && tuning.detector.split_learned;
  p->hold_after_ = tuning.detector.hold_after;
  p->hold_radius_ = tuning.detector.hold_radius;
  p->hold_frames_ = tuning.detector.hold_frames;
  p->dwell_people_ = tuning.dwell_people;
  return p;
}

void FootfallPipeline::Process(const cv::Mat& frame, int64_t frame_index,
                               std::vector<LineCrossing>* crossings) {
  if (frame.size() == proc_size_) {
    scaled_ = frame;
  } else {
    // INTER_AREA is fast only for integer factors (768 -> 384: 0.4 ms; 768 -> 320: 2.4 ms
    // here, a third of the whole frame's budget): shrink by the largest integer factor that
    // stays at or above the processing size first (INTER_AREA), then the rest, less than 2x,
    // bilinear: INTER_AREA's general path for 384 -> 320 alone cost more than MOG2 (4 of the
    // 5.3 ms of 768 -> 384 -> 320 on a loaded machine; bilinear 0.7 ms). Below 2x bilinear
    // samples every source pixel, so nothing aliases.
    const int k = std::min(frame.cols / proc_size_.width, frame.rows / proc_size_.height);
    const cv::Size mid(frame.cols / std::max(1, k), frame.rows / std::max(1, k));
    if (k >= 2 && mid.width * k == frame.cols && mid.height * k == frame.rows) {
      cv::resize(frame, prescaled_, mid, 0, 0, cv::INTER_AREA);
      if (mid == proc_size_) {
        scaled_ = prescaled_;
      } else {
        cv::resize(prescaled_, scaled_, proc_size_, 0, 0, cv::INTER_LINEAR);
      }
    } else {
      cv::resize(frame, scaled_, proc_size_, 0, 0, cv::INTER_AREA);
    }
  }
  detections_ = detector_->Detect(scaled_(roi_));
  for (Detection& d : detections_) {
    d.box.x += static_cast<float>(roi_.x);
    d.box.y += static_cast<float>(roi_.y);
  }
  GroupPersonFragments(person_, &detections_);
  tracker_->Update(detections_);
  if (learner_) Learn();
  HoldStillPeople();
  counter_->Update(tracker_->tracks(), tracker_->ended(), frame_index, crossings);
  SelectPeople();
}

namespace {

// Whether two tracks look like parts of one body moving as one (torso above legs): columns
// overlapping by half the narrower, little vertical overlap, a gap of at most half a part, and
// the same velocity.
bool MovesAsOneBody(const Track& a, const Track& b) {
  const cv::Rect2f p = Body(a), q = Body(b);
  const float overlap_x = std::min(p.x + p.width, q.x + q.width) - std::max(p.x, q.x);
  if (overlap_x < 0.5f * std::min(p.width, q.width)) return false;
  const float gap_y = std::max(p.y, q.y) - std::min(p.y + p.height, q.y + q.height);
  if (-gap_y > 0.3f * std::min(p.height, q.height) || gap_y > 0.5f * std::max(p.height, q.height)) {
    return false;
  }
  const cv::Point2f dv = a.velocity - b.velocity;
  const float speed =
      std::max(std::hypot(a.velocity.x, a.velocity.y), std::hypot(b.velocity.x, b.velocity.y));
  return std::hypot(dv.x, dv.y) <= 0.3f + 0.25f * speed;
}

}  // namespace

void FootfallPipeline::Learn() {
  const std::vector<Track>& tracks = tracker_->tracks();
  auto usable = [](const Track& t) {
    // Confirmed, seen this frame, not hidden in a group, and moving (not a mannequin).
    return t.confirmed && t.misses == 0 && !t.merged && t.hits >= 5 &&
           std::hypot(t.velocity.x, t.velocity.y) >= 0.2f;
  };
  for (const Track& t : tracks) {
    if (!usable(t)) continue;
    // A body the background subtraction cut in two (torso and legs) moves as one: observe the
    // whole, once (from its lowest part), so the size learned is a person's, not a part's.
    cv::Rect2f body = Body(t);
    bool lowest = true;
    for (const Track& o : tracks) {
      if (&o == &t || !usable(o) || !MovesAsOneBody(t, o)) continue;
      if (o.foot.y > t.foot.y) {
        lowest = false;
        break;
      }
      body |= Body(o);
    }
    if (lowest) learner_->Observe(body.y + body.height, body.height);
  }
  // Refit now and then (cheap, but not every frame); the model follows the scene.
  if (learner_->ready() && ++frames_since_refit_ >= 25) {
    frames_since_refit_ = 0;
    person_ = learner_->model();
    tracker_->set_person(person_);
    counter_->set_person(person_);
    if (learned_splits_) detector_->SetPerson(InRoi(person_, proc_size_, roi_));
  }
}

void FootfallPipeline::HoldStillPeople() {
  if (hold_frames_ <= 0) return;
  holds_.clear();
  std::map<int, Still> still;
  for (const Track& t : tracker_->tracks()) {
    if (!t.confirmed || t.misses > 2) continue;
    const double h = person_.known()
                         ? std::max(static_cast<double>(t.height), person_.HeightAt(t.foot.y))
                         : t.height;
    // Still: within hold_radius of its height of where it stood hold_after frames ago (a
    // walker leaves that circle within a few frames; a swaying person does not).
    auto it = still_.find(t.id);
    Still s = it != still_.end() ? it->second : Still{t.foot, 0};
    if (cv::norm(t.foot - s.anchor) > hold_radius_ * h) {
      s = {t.foot, 0};
    } else {
      ++s.frames;
    }
    still[t.id] = s;
    if (s.frames < hold_after_ || s.frames > hold_frames_) continue;
    // Only someone who walked here (half a body at least): not a blob that was always there.
    if (t.travelled < 0.5 * h) continue;
    // The body and a margin (swaying, arms, feet and their shadow), in ROI pixels.
    const double w = std::max(static_cast<double>(t.width), 0.36 * h);
    cv::Rect r(static_cast<int>(std::floor(t.foot.x - 0.75 * w)) - roi_.x,
               static_cast<int>(std::floor(t.foot.y - 1.1 * h)) - roi_.y,
               static_cast<int>(std::ceil(1.5 * w)), static_cast<int>(std::ceil(1.2 * h)));
    holds_.push_back(r);
  }
  still_.swap(still);
  detector_->Hold(holds_);
}

void FootfallPipeline::Finish(int64_t frame_index, std::vector<LineCrossing>* crossings) {
  std::vector<int> all;
  for (const Track& t : tracker_->tracks()) all.push_back(t.id);
  counter_->Update({}, all, frame_index, crossings);
  tracker_->Reset();
  people_.clear();
}

int64_t FootfallPipeline::occupancy() const {
  int64_t n = 0;
  for (const Track& t : tracker_->tracks()) n += t.confirmed && t.misses <= 2;
  return n;
}

void FootfallPipeline::DrawPreview(cv::Mat* out) const {
  if (scaled_.empty()) {
    *out = cv::Mat();
    return;
  }
  // The picture itself never shows: only the edges of a blurred copy, dimmed, on black. At
  // processing resolution and after a 5x5 blur, a face or a garment's print leaves no edge;
  // what remains is the scene's structure (door frame, floor tiles) and moving outlines.
  cv::Mat grey, edges;
  cv::cvtColor(scaled_, grey, cv::COLOR_BGR2GRAY);
  cv::GaussianBlur(grey, grey, {5, 5}, 1.5);
  cv::Canny(grey, edges, 40, 100);
  out->create(scaled_.size(), CV_8UC3);
  out->setTo(cv::Scalar::all(0));
  out->setTo(cv::Scalar::all(110), edges);
  const cv::Scalar kRoi(255, 255, 0), kLine(0, 215, 255), kIn(0, 150, 255),
      kDetection(255, 120, 60), kTrack(80, 220, 80), kHidden(0, 128, 255), kScale(200, 200, 200);
  cv::rectangle(*out, roi_, kRoi, 1);
  for (const LineSpec& l : counter_->lines()) {
    cv::line(*out, l.p1, l.p2, kLine, 2);
    // The "in" side: an arrow from the line's middle.
    cv::Point2f mid = (l.p1 + l.p2) * 0.5f;
    cv::arrowedLine(*out, mid, mid + l.in_dir * 18.0f, kIn, 2, cv::LINE_8, 0, 0.35);
    cv::putText(*out, l.name, l.p1 + cv::Point2f(3, 12), cv::FONT_HERSHEY_PLAIN, 0.9, kLine);
  }
  for (const Detection& d : detections_) cv::rectangle(*out, d.box, kDetection, 1);
  for (const Track& t : tracker_->tracks()) {
    if (!t.confirmed) continue;
    cv::Scalar colour = t.merged ? kHidden : kTrack;
    cv::Rect2f box(t.foot.x - t.width * 0.5f, t.foot.y - t.height, t.width, t.height);
    cv::rectangle(*out, box, colour, 2);
    cv::circle(*out, t.foot, 3, colour, -1);
    cv::putText(*out, std::to_string(t.id), box.tl() + cv::Point2f(2, 12), cv::FONT_HERSHEY_PLAIN,
                0.9, colour);
  }
  // The person size in use: a standing person's height at four rows, along the right edge.
  if (person_.known()) {
    const int x = out->cols - 8;
    for (int i = 1; i <= 4; ++i) {
      const int foot = out->rows * i / 4 - 2;
      const int top = std::max(0, foot - static_cast<int>(std::lround(person_.HeightAt(foot))));
      cv::line(*out, {x, foot}, {x, top}, kScale, 3);
      cv::line(*out, {x - 4, foot}, {x + 4, foot}, kScale, 1);
    }
  }
}

void FootfallPipeline::SelectPeople() {
  people_.clear();
  for (const Track& t : tracker_->tracks()) {
    if (t.confirmed) people_.push_back(t);
  }
  if (!dwell_people_) return;
  std::vector<bool> whole(people_.size());
  for (size_t i = 0; i < people_.size(); ++i) {
    whole[i] = people_[i].misses == 0 && counter_->PersonLike(people_[i]);
  }
  // Two tracks on one body (one box mostly inside the other: a fragment track that grew
  // into its person, torso and legs) are one person: the larger one is.
  for (size_t i = 0; i < people_.size(); ++i) {
    for (size_t j = 0; j < people_.size() && whole[i]; ++j) {
      if (i == j || !whole[j]) continue;
      const cv::Rect2f a = Body(people_[i]), b = Body(people_[j]);
      const bool smaller = a.area() < b.area() || (a.area() == b.area() && i > j);
      if (smaller && (a & b).area() >= kSameBody * a.area()) whole[i] = false;
      // Torso above legs moving as one (before the person size is known, when neither is a
      // fragment yet): the lower one, whose bottom is the feet, is the person.
      if (whole[i] && people_[i].foot.y < people_[j].foot.y &&
          MovesAsOneBody(people_[i], people_[j])) {
        whole[i] = false;
      }
      // Two legs under one torso, moving with it: one person (the larger leg, or the first).
      if (whole[i] && smaller) {
        for (size_t k = 0; k < people_.size(); ++k) {
          const Track& top = people_[k];
          if (k == i || k == j || top.misses > 0 || top.foot.y >= people_[i].foot.y ||
              top.foot.y >= people_[j].foot.y) {
            continue;
          }
          if (MovesAsOneBody(top, people_[i]) && MovesAsOneBody(top, people_[j])) {
            whole[i] = false;
            break;
          }
        }
      }
    }
  }
  for (size_t i = 0; i < people_.size(); ++i) {
    if (!whole[i]) people_[i].misses = std::max(1, people_[i].misses);
  }
}

}  // namespace touchpoint::sensors
