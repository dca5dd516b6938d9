// The OpenCV frame source on the real clip: ends, loops, and fails cleanly when absent.
#include "touchpoint/sensors/frame_source.h"

#include <gtest/gtest.h>

#include <filesystem>

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

}  // namespace
}  // namespace touchpoint::sensors
