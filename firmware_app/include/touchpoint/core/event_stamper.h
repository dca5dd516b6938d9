// Fills an event's header (id, kiosk, store, touchpoint, stage, time, offset, clock state).
// The store adds seq and boot count when the event becomes durable. Thread-safe.
#pragma once

#include <memory>

#include "touchpoint/core/clock.h"
#include "touchpoint/core/config.h"
#include "touchpoint/core/event.h"

namespace touchpoint {

class EventStamper {
 public:
  EventStamper(const KioskConfig& kiosk, std::shared_ptr<Clock> clock);

  // An event with the given payload, stamped now.
  Event Make(Payload payload) const;
  // Stamped with an explicit event time (e.g. the start of a footfall interval).
  Event MakeAt(Payload payload, int64_t time_ms) const;

  const Clock& clock() const { return *clock_; }

 private:
  std::string kiosk_id_, store_id_, touchpoint_, journey_stage_;
  std::shared_ptr<Clock> clock_;
};

}  // namespace touchpoint
