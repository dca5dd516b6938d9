// OpenCV VideoCapture behind the FrameSource interface.
#include "touchpoint/sensors/frame_source.h"

#include <algorithm>
#include <cctype>

#include <opencv2/videoio.hpp>

namespace touchpoint::sensors {
namespace {

enum class Kind { kCameraIndex, kDevice, kStream, kFile };

Kind KindOf(const std::string& spec) {
  if (!spec.empty() &&
      std::all_of(spec.begin(), spec.end(), [](unsigned char c) { return std::isdigit(c) != 0; })) {
    return Kind::kCameraIndex;
  }
  if (spec.rfind("/dev/", 0) == 0) return Kind::kDevice;
  if (spec.find("://") != std::string::npos) return Kind::kStream;
  return Kind::kFile;
}

// A stream URL without its user:password@ part, for logs and health.
std::string Redacted(const std::string& url) {
  size_t scheme = url.find("://");
  size_t at = url.find('@');
  if (scheme == std::string::npos || at == std::string::npos || at < scheme) return url;
  size_t slash = url.find('/', scheme + 3);
  if (slash != std::string::npos && slash < at) return url;
  return url.substr(0, scheme + 3) + "***@" + url.substr(at + 1);
}

class OpenCvSource final : public FrameSource {
 public:
  OpenCvSource(std::string spec, bool loop, int stream_timeout_ms)
      : spec_(std::move(spec)), loop_(loop), stream_timeout_ms_(stream_timeout_ms) {
    kind_ = KindOf(spec_);
  }

  Status Open() override {
    try {
      cap_.release();
      bool ok = false;
      switch (kind_) {
        case Kind::kCameraIndex:
          ok = cap_.open(std::stoi(spec_), cv::CAP_V4L2);
          break;
        case Kind::kDevice:
          ok = cap_.open(spec_, cv::CAP_V4L2);
          break;
        case Kind::kStream:
          ok = cap_.open(spec_, cv::CAP_FFMPEG,
                         {cv::CAP_PROP_OPEN_TIMEOUT_MSEC, stream_timeout_ms_,
                          cv::CAP_PROP_READ_TIMEOUT_MSEC, stream_timeout_ms_});
          break;
        case Kind::kFile:
          ok = cap_.open(spec_, cv::CAP_FFMPEG);
          break;
      }
      if (!ok || !cap_.isOpened()) return Status::Unavailable(description() + ": cannot open");
      fps_ = cap_.get(cv::CAP_PROP_FPS);
      if (!(fps_ > 0 && fps_ < 1000)) fps_ = 0;
    } catch (const std::exception& e) {  // cv::Exception, std::stoi
      return Status::Unavailable(description() + ": " + e.what());
    }
    return Status::Ok();
  }

  ReadResult Read(Frame* frame) override {
    try {
      if (cap_.read(frame->image) && !frame->image.empty()) {
        frame->index = next_index_++;
        return ReadResult::kFrame;
      }
      if (kind_ != Kind::kFile) return ReadResult::kFailed;
      if (!loop_) return ReadResult::kEnd;
      // Start over: reopening is more reliable than seeking in every container.
      if (!Open().ok() || !cap_.read(frame->image) || frame->image.empty()) {
        return ReadResult::kFailed;
      }
      frame->index = next_index_++;
      return ReadResult::kFrame;
    } catch (const cv::Exception&) {
      return kind_ == Kind::kFile && !loop_ ? ReadResult::kEnd : ReadResult::kFailed;
    }
  }

  void Close() override {
    try {
      cap_.release();
    } catch (const cv::Exception&) {
    }
  }

  bool live() const override { return kind_ != Kind::kFile; }
  double fps() const override { return fps_; }
  std::string description() const override {
    switch (kind_) {
      case Kind::kCameraIndex:
        return "camera " + spec_;
      case Kind::kDevice:
        return "camera " + spec_;
      case Kind::kStream:
        return "stream " + Redacted(spec_);
      case Kind::kFile:
        break;
    }
    return "file " + spec_;
  }

 private:
  std::string spec_;
  bool loop_;
  int stream_timeout_ms_;
  Kind kind_;
  cv::VideoCapture cap_;
  double fps_ = 0;
  int64_t next_index_ = 0;
};

}  // namespace

std::unique_ptr<FrameSource> MakeOpenCvSource(const std::string& spec, bool loop,
                                              int stream_timeout_ms) {
  return std::make_unique<OpenCvSource>(spec, loop, stream_timeout_ms);
}

}  // namespace touchpoint::sensors
