// The OpenCV frame source on the real clip: ends, loops, and fails cleanly when absent.
#include "touchpoint/sensors/frame_source.h"

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>

#include "http_file_server.h"
#include "test_support.h"

namespace touchpoint::sensors {
namespace {

std::string ClipOrSkip() {
  return touchpoint::testing::SharedDataPath("footfall/pets09-s2l1-vtest/vtest.avi");
}

#define SKIP_WITHOUT_CLIP(path) \
  if (!std::filesystem::exists(path)) GTEST_SKIP() << path << " is absent"

TEST(FrameSourceTest, AMissingFileFailsToOpen) {
  auto source = MakeOpenCvSource("/nonexistent/touchpoint/clip.avi", false);
  Status s = source->Open();
  EXPECT_EQ(s.code(), Status::Code::kUnavailable) << s.message();
  EXPECT_FALSE(source->live());
}

TEST(FrameSourceTest, AMissingCameraFailsToOpenAndIsLive) {
  auto source = MakeOpenCvSource("/dev/video-touchpoint-missing", false);
  EXPECT_TRUE(source->live());
  EXPECT_FALSE(source->Open().ok());
  EXPECT_TRUE(MakeOpenCvSource("rtsp://user:secret@127.0.0.1:1/x", false)->live());
  EXPECT_EQ(
      MakeOpenCvSource("rtsp://user:secret@127.0.0.1:1/x", false)->description().find("secret"),
      std::string::npos);
}

TEST(FrameSourceTest, AFileEndsAfterItsLastFrame) {
  const std::string clip = ClipOrSkip();
  SKIP_WITHOUT_CLIP(clip);
  auto source = MakeOpenCvSource(clip, /*loop=*/false);
  ASSERT_TRUE(source->Open().ok());
  EXPECT_NEAR(source->fps(), 10.0, 0.01);
  Frame frame;
  int64_t frames = 0;
  ReadResult r;
  while ((r = source->Read(&frame)) == ReadResult::kFrame && frames < 2000) {
    EXPECT_EQ(frame.index, frames);
    ++frames;
  }
  EXPECT_EQ(r, ReadResult::kEnd);
  EXPECT_EQ(frames, 795);
}

TEST(FrameSourceTest, ALoopingFileStartsOverWithRisingIndices) {
  const std::string clip = ClipOrSkip();
  SKIP_WITHOUT_CLIP(clip);
  auto source = MakeOpenCvSource(clip, /*loop=*/true);
  ASSERT_TRUE(source->Open().ok());
  Frame frame;
  for (int64_t i = 0; i < 820; ++i) {
    ASSERT_EQ(source->Read(&frame), ReadResult::kFrame) << "frame " << i;
    ASSERT_EQ(frame.index, i);
    ASSERT_EQ(frame.image.cols, 768);
  }
}

// A network stream through OpenCV's FFmpeg backend, served over HTTP on loopback.
TEST(FrameSourceTest, AnHttpStreamDeliversTheClipAndFailsAtItsEnd) {
  const std::string clip = ClipOrSkip();
  SKIP_WITHOUT_CLIP(clip);
  touchpoint::testing::HttpFileServer server(clip);
  auto source = MakeOpenCvSource(server.url(), /*loop=*/true);
  EXPECT_TRUE(source->live());
  ASSERT_TRUE(source->Open().ok()) << server.url();
  EXPECT_NEAR(source->fps(), 10.0, 0.01);
  Frame frame;
  int64_t frames = 0;
  ReadResult r;
  while ((r = source->Read(&frame)) == ReadResult::kFrame && frames < 2000) {
    ASSERT_EQ(frame.image.cols, 768);
    ++frames;
  }
  EXPECT_EQ(frames, 795);
  // A stream that stops is a failure to retry, never an end: `loop` is for files only.
  EXPECT_EQ(r, ReadResult::kFailed);
}

// A camera that goes silent without closing its connection fails after the stream timeout,
// not after FFmpeg's default of 30 s, and can be opened again.
TEST(FrameSourceTest, AStalledStreamFailsAfterItsTimeout) {
  const std::string clip = ClipOrSkip();
  SKIP_WITHOUT_CLIP(clip);
  touchpoint::testing::HttpFileServer server(
      clip, {touchpoint::testing::HttpFileServer::Fault::kStall, 1000000});
  auto source = MakeOpenCvSource(server.url(), false, /*stream_timeout_ms=*/500);
  ASSERT_TRUE(source->Open().ok());
  Frame frame;
  int64_t frames = 0;
  auto start = std::chrono::steady_clock::now();
  ReadResult r;
  while ((r = source->Read(&frame)) == ReadResult::kFrame && frames < 2000) ++frames;
  auto waited = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(r, ReadResult::kFailed);
  EXPECT_GT(frames, 50) << "about 1 MB of the clip arrived";
  EXPECT_LT(frames, 795);
  EXPECT_LT(waited, std::chrono::seconds(15)) << "the 500 ms timeout was not applied";
  source->Close();
  ASSERT_TRUE(source->Open().ok());
  EXPECT_EQ(source->Read(&frame), ReadResult::kFrame);
  EXPECT_EQ(server.connections(), 2);
}

}  // namespace
}  // namespace touchpoint::sensors
