// Frame sources: where the footfall pipeline's frames come from.
//
// The interface is the seam for tests (play a recorded clip, make a camera die). The OpenCV
// source handles a V4L2 camera (index "0" or "/dev/video0"), a video file and a network stream
// URL (rtsp://, http://..., through OpenCV's FFmpeg backend). A source is used by ONE thread
// (FootfallService's); OpenCV exceptions are caught inside and reported as failures.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include <opencv2/core.hpp>

#include "touchpoint/core/status.h"

namespace touchpoint::sensors {

struct Frame {
  cv::Mat image;      // 8-bit BGR; only in memory, never written anywhere
  int64_t index = 0;  // frames delivered since the source was created (keeps rising on loop)
};

enum class ReadResult {
  kFrame,   // `frame` holds the next frame
  kEnd,     // a file ended (and does not loop): no more frames, ever
  kFailed,  // the device or stream stopped delivering; Close() and Open() again to retry
};

class FrameSource {
 public:
  virtual ~FrameSource() = default;
  // Opens (or re-opens after a failure). Unavailable when the device or stream cannot be opened.
  virtual Status Open() = 0;
  // Blocks until the next frame. REQUIRES: Open() succeeded.
  virtual ReadResult Read(Frame* frame) = 0;
  virtual void Close() = 0;
  // Cameras and streams are live: failures are retried with backoff. Files are not.
  virtual bool live() const = 0;
  // The source's native frame rate, 0 when unknown.
  virtual double fps() const = 0;
  // For logs and health, e.g. "camera /dev/video0", "file vtest.avi".
  virtual std::string description() const = 0;
};

// A source for the config's `source` string: digits = camera index, "/dev/..." = V4L2 device,
// "scheme://..." = network stream, anything else = video file. `loop`: files start over at the
// end instead of ending. `stream_timeout_ms`: a network stream that takes longer than this to
// open, or to deliver its next frame, has failed (FFmpeg's own default would be 30 s).
std::unique_ptr<FrameSource> MakeOpenCvSource(const std::string& spec, bool loop,
                                              int stream_timeout_ms = 10000);

}  // namespace touchpoint::sensors
