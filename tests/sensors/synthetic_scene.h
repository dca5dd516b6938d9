// A synthetic footfall scene with exact ground truth, rendered in memory (never written to
// disk): person-like shapes (legs, torso, head) walking along waypoints over a textured
// background, sized by a perspective model, with optional shadows, a body split in two (what
// background subtraction makes of a belt or a bag), and a global lighting change.
#pragma once

#include <cstdint>
#include <vector>

#include <opencv2/core.hpp>

namespace touchpoint::testing {

struct Waypoint {
  int64_t frame = 0;
  cv::Point2f foot;  // bottom centre, pixels
};

struct SyntheticPerson {
  std::vector<Waypoint> path;     // visible from the first waypoint's frame to the last's
  cv::Scalar torso{160, 60, 40};  // BGR
  bool split_body = false;        // a background-coloured band between torso and legs
  bool shadow = false;            // a darker patch of floor beside the feet (cast shadow)
  float sway_px = 0;              // sideways sway amplitude (standing people)
  // > 0: dressed in a darker shade of the floor (clothes and hair of the floor's hue at this
  // fraction of its brightness): what background subtraction with shadow removal may take
  // for a shadow. 0: the colours above.
  double shade = 0;
};

class SyntheticScene {
 public:
  // Person height in pixels is height_top + (height_bottom - height_top) * y / size.height.
  SyntheticScene(cv::Size size, double height_top, double height_bottom, uint32_t seed = 7);

  void Add(SyntheticPerson person) { people_.push_back(std::move(person)); }
  // Brightness of the whole frame ramps linearly from 1 to `gain` over [from, to].
  void SetLighting(int64_t from, int64_t to, double gain);
  // A shadow without a person (e.g. someone outside the view) sliding along `path`.
  void AddLoneShadow(std::vector<Waypoint> path) { lone_shadows_.push_back(std::move(path)); }
  // A static object in front of everyone (a pillar, a counter): people pass behind it.
  void AddOccluder(cv::Rect box, cv::Scalar colour) { occluders_.push_back({box, colour}); }

  double PersonHeight(double foot_y) const;
  cv::Size size() const { return size_; }
  // Frame `index` (8-bit BGR). Deterministic for a given seed.
  cv::Mat Render(int64_t index) const;
  // Foot point of person i at frame `index`; false when not in view.
  bool FootAt(size_t i, int64_t index, cv::Point2f* foot) const;

 private:
  void DrawPerson(cv::Mat* frame, const SyntheticPerson& p, cv::Point2f foot) const;
  void DrawShadow(cv::Mat* frame, cv::Point2f foot, double height) const;
  // Legs, torso (p.torso) and head at `foot`, in the given colours.
  void DrawPersonShape(cv::Mat* frame, const SyntheticPerson& p, cv::Point2f foot,
                       const cv::Scalar& legs, const cv::Scalar& skin) const;
  static bool Interpolate(const std::vector<Waypoint>& path, int64_t index, cv::Point2f* foot);

  cv::Size size_;
  double height_top_, height_bottom_;
  uint32_t seed_;
  cv::Mat background_;
  std::vector<SyntheticPerson> people_;
  std::vector<std::vector<Waypoint>> lone_shadows_;
  std::vector<std::pair<cv::Rect, cv::Scalar>> occluders_;
  int64_t light_from_ = -1, light_to_ = -1;
  double light_gain_ = 1;
};

}  // namespace touchpoint::testing
