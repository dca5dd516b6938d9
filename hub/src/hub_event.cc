// HubEvent: the facts the journey map needs, extracted once from a validated event.
#include "touchpoint/hub/hub_store.h"

namespace touchpoint::hub {

using sync::RangesOf;

HubEvent ToHubEvent(Event e, std::string json, std::string source) {
  HubEvent h;
  FillHubEvent(std::move(e), std::move(json), std::move(source), &h);
  return h;
}

namespace {

// Gives the empty `*to` the items of `*from`, which keeps memory for as many.
template <typename T>
void KeepOrSwap(std::vector<T>* from, std::vector<T>* to) {
  if (to->capacity() >= from->size()) {
    to->swap(*from);  // *from: *to's emptied vector
  } else {
    to->assign(from->begin(), from->end());
  }
}

}  // namespace

// FillHubEvent sets every field: one added to HubEvent must be set there too.
static_assert(sizeof(HubEvent) == 464, "a HubEvent field was added: set it in FillHubEvent");

void FillHubEvent(Event&& e, std::string json, std::string source, HubEvent* out) {
  // *out may be a HubEvent filled before (a written message's, reused by the decode thread), so
  // every field is set. Strings are copied into its memory and `e` keeps its own: the next line
  // decoded into `e` (DecodeEventInto) and filled into the next reused HubEvent allocates
  // nothing. Vectors are swapped when the reused event's has room (`e` gets it back, emptied),
  // else copied (`e` keeps its own): swapping in an empty one, from an event of another type,
  // cost an allocation per feedback event.
  HubEvent& h = *out;
  h.kiosk.assign(e.kiosk_id);
  h.store.assign(e.store_id);
  h.touchpoint.assign(e.touchpoint);
  h.stage.assign(e.journey_stage);
  h.id.assign(e.id);
  h.seq = e.seq;
  h.type = e.type();
  h.time_ms = e.time_ms;
  h.utc_offset_min = e.utc_offset_min;
  h.source = std::move(source);
  h.time_out_of_range = false;
  h.json = std::move(json);
  h.block = -1;
  h.block_offset = 0;
  h.visitors_in = 0;
  h.visitors_out = 0;
  h.interval_s = 0;
  h.compacted.clear();
  h.zones.clear();
  h.answers.clear();
  h.context.reset();
  h.suspect = false;
  h.coverage_source.clear();
  h.coverage_start_ms = 0;
  h.coverage_end_ms = 0;
  if (auto* fb = std::get_if<FeedbackPayload>(&e.payload)) {
    h.suspect = fb->suspect;
    KeepOrSwap(&fb->answers, &h.answers);
    h.context = fb->context;
  } else if (auto* ff = std::get_if<FootfallPayload>(&e.payload)) {
    h.time_ms = ff->interval_start_ms;
    h.interval_s = ff->interval_s;
    for (const LineCount& l : ff->lines) {
      h.visitors_in += l.in;
      h.visitors_out += l.out;
    }
    if (!ff->compacted_seqs.empty()) h.compacted = RangesOf(std::move(ff->compacted_seqs));
    KeepOrSwap(&ff->zones, &h.zones);
  } else if (const auto* cv = std::get_if<CoveragePayload>(&e.payload)) {
    h.coverage_source = cv->source;
    h.coverage_start_ms = cv->start_ms;
    h.coverage_end_ms = cv->end_ms;
  }
}

}  // namespace touchpoint::hub
