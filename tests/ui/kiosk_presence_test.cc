// The camera-checked anti-spam: a session with nobody in the kiosk zone is flagged.
#include <gtest/gtest.h>

#include "survey_session.h"

namespace touchpoint::ui {
namespace {

FeedbackContext AtKiosk(std::optional<int64_t> people) { return FeedbackContext{3, 12, people}; }

TEST(KioskPresenceCheck, NobodyAtTheKioskAtAnySampleIsSuspect) {
  KioskPresenceCheck c;
  c.Sample(AtKiosk(0));  // start
  c.Sample(AtKiosk(0));  // answers
  c.Sample(AtKiosk(0));
  EXPECT_EQ(c.Reason(),
            "nobody_at_kiosk: the camera saw nobody in front of the kiosk at the start or any of "
            "2 answers");
}

TEST(KioskPresenceCheck, SomeoneAtAnySampleIsEnough) {
  KioskPresenceCheck c;
  c.Sample(AtKiosk(0));
  c.Sample(AtKiosk(1));  // stepped in front of the screen for one answer
  c.Sample(AtKiosk(0));
  EXPECT_EQ(c.Reason(), "");
}

TEST(KioskPresenceCheck, NoCameraOrNoKioskZoneFlagsNothing) {
  KioskPresenceCheck none;
  EXPECT_EQ(none.Reason(), "");
  KioskPresenceCheck no_camera;
  no_camera.Sample(std::nullopt);
  no_camera.Sample(std::nullopt);
  EXPECT_EQ(no_camera.Reason(), "");
  KioskPresenceCheck no_zone;
  no_zone.Sample(AtKiosk(std::nullopt));
  EXPECT_EQ(no_zone.Reason(), "");
  // A camera that stops counting mid-session: only the usable samples decide.
  KioskPresenceCheck partial;
  partial.Sample(std::nullopt);
  partial.Sample(AtKiosk(0));
  EXPECT_NE(partial.Reason(), "");
}

}  // namespace
}  // namespace touchpoint::ui
