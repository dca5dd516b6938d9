// What the kiosk knows about its own health, gathered by the app wiring from each component
// (sync, camera, store) and read by the dashboard and by status events. Components never include
// each other; they meet here, through plain values.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace touchpoint {

struct SyncHealth {
  bool enabled = false;
  bool connected = false;                  // broker connection up
  std::string broker;                      // URI
  std::optional<int64_t> last_hub_ack_ms;  // wall time of the last hub acknowledgement
  std::optional<int64_t> last_connect_ms;
  int64_t batches_in_flight = 0;
  int64_t events_sent = 0;   // since start (re-sends included)
  int64_t events_acked = 0;  // since start
  std::string last_error;
  std::string applied_config_version;  // survey/config pushed from central
  std::string config_push_error;       // why the last push was refused (empty if none)
};

struct CameraHealth {
  bool enabled = false;
  std::string state = "off";  // "off", "starting", "ok", "retrying", "ended"
  double fps = 0;
  std::optional<int64_t> last_frame_ms;
  int64_t coverage_gaps = 0;  // coverage events recorded since start
  int64_t occupancy = 0;
  std::vector<std::pair<std::string, std::pair<int64_t, int64_t>>>
      today_by_line;  // in/out since start
  std::string last_error;
  // Scene calibration in use: a standing person's height in source pixels with the feet at
  // the top / bottom edge (a line through them; the top may be negative), and where it comes
  // from: "configured", "learned" (from tracks seen), or "learning" (not enough yet, 0s).
  double person_height_top_px = 0;
  double person_height_bottom_px = 0;
  std::string person_size = "learning";
};

// What the installer's camera setup screen shows (docs/footfall.md, "Setup screen"): the
// camera's view as EDGES of a blurred, downscaled frame (no recognisable person), with the
// counting lines, the ROI, detections, confirmed tracks and the person size at each row drawn
// in. Made only while the screen is open, kept in memory only, never stored or sent.
struct CameraSetupView {
  int width = 0, height = 0;  // processing pixels
  std::vector<uint8_t> rgba;  // width * height * 4
  int64_t frame_index = 0;    // changes when a new frame was drawn
  CameraHealth camera;        // state, fps, occupancy, counts, person size
};

struct UiHealth {
  std::string last_store_error;  // a shopper's submission that could not be stored
  int64_t store_failures = 0;
};

}  // namespace touchpoint
