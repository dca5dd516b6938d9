#include "touchpoint/core/event_stamper.h"

namespace touchpoint {

EventStamper::EventStamper(const KioskConfig& kiosk, std::shared_ptr<Clock> clock)
    : kiosk_id_(kiosk.kiosk_id),
      store_id_(kiosk.store_id),
      touchpoint_(kiosk.touchpoint),
      journey_stage_(kiosk.journey_stage),
      clock_(clock ? std::move(clock) : SystemClock()) {}

Event EventStamper::Make(Payload payload) const {
  return MakeAt(std::move(payload), clock_->NowUtcMs());
}

Event EventStamper::MakeAt(Payload payload, int64_t time_ms) const {
  Event e;
  e.id = NewUuidV7(clock_->NowUtcMs());
  e.kiosk_id = kiosk_id_;
  e.store_id = store_id_;
  e.touchpoint = touchpoint_;
  e.journey_stage = journey_stage_;
  e.time_ms = time_ms;
  e.utc_offset_min = clock_->UtcOffsetMin(time_ms);
  e.clock_synced = clock_->IsSynced();
  e.payload = std::move(payload);
  return e;
}

}  // namespace touchpoint
