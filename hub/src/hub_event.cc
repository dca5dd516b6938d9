// HubEvent: the facts the journey map needs, extracted once from a validated event.
#include "touchpoint/hub/hub_store.h"

namespace touchpoint::hub {

using sync::RangesOf;

HubEvent ToHubEvent(Event e, std::string json, std::string source) {
  HubEvent h;
  FillHubEvent(std::move(e), std::move(json), std::move(source), &h);
  return h;
}

void FillHubEvent(Event&& e, std::string json, std::string source, HubEvent* out) {
  HubEvent& h = *out;
  h.kiosk = std::move(e.kiosk_id);
  h.store = std::move(e.store_id);
  h.touchpoint = std::move(e.touchpoint);
  h.stage = std::move(e.journey_stage);
  h.id = std::move(e.id);
  h.seq = e.seq;
  h.type = e.type();
  h.time_ms = e.time_ms;
  h.utc_offset_min = e.utc_offset_min;
  h.source = std::move(source);
  h.json = std::move(json);
  if (auto* fb = std::get_if<FeedbackPayload>(&e.payload)) {
    h.suspect = fb->suspect;
    h.answers = std::move(fb->answers);
    h.context = fb->context;
  } else if (auto* ff = std::get_if<FootfallPayload>(&e.payload)) {
    h.time_ms = ff->interval_start_ms;
    h.interval_s = ff->interval_s;
    for (const LineCount& l : ff->lines) {
      h.visitors_in += l.in;
      h.visitors_out += l.out;
    }
    h.compacted = RangesOf(std::move(ff->compacted_seqs));
    h.zones = std::move(ff->zones);
  } else if (const auto* cv = std::get_if<CoveragePayload>(&e.payload)) {
    h.coverage_source = cv->source;
    h.coverage_start_ms = cv->start_ms;
    h.coverage_end_ms = cv->end_ms;
  }
}

}  // namespace touchpoint::hub
