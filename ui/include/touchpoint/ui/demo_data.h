// Synthetic but plausible data for the demo, the screenshot tour and the UI benchmark: a week of
// footfall intervals and survey answers ending now. Never used by a production kiosk.
#pragma once

#include <cstdint>

#include "touchpoint/core/event_stamper.h"
#include "touchpoint/core/event_store.h"
#include "touchpoint/core/survey.h"

namespace touchpoint::ui {

// Appends `days` days of 15-minute footfall intervals (store hours 8-20 local) and feedback
// answering `survey`, ending at the stamper's clock now. Deterministic for a given seed.
// Returns the number of events stored.
Result<int64_t> SeedDemoData(EventStore& store, const EventStamper& stamper,
                             const SurveyDefinition& survey, int days, uint32_t seed = 1);

}  // namespace touchpoint::ui
