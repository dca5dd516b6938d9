// When the attract screen moves (no ImGui here: the frame pacing and the tests use it too).
#pragma once

namespace touchpoint::ui {

// The attract screen stands still, so an idle kiosk renders nothing, but for a short wave every
// kAttractWavePeriodS seconds of Frame::time_s: for kAttractWaveS seconds the faces hop one after
// the other and the call to action swells once, then everything is back at rest.
constexpr double kAttractWavePeriodS = 10.0;
constexpr double kAttractWaveS = 1.2;

// Seconds from `time_s` until the attract screen next moves by itself; 0 while it moves.
double AttractStillForS(double time_s);

}  // namespace touchpoint::ui
