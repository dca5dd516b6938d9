// Child for the crash test: appends events as fast as it can from two threads and prints the
// seq of every append that returned durable ("ack <seq>"), until it is SIGKILLed.
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <mutex>
#include <string>
#include <thread>

#include "touchpoint/core/event_store.h"

using namespace touchpoint;

namespace {

std::mutex out_mu;

void Report(uint64_t seq) {
  char line[32];
  int n = std::snprintf(line, sizeof line, "ack %llu\n", static_cast<unsigned long long>(seq));
  std::lock_guard<std::mutex> lock(out_mu);
  if (::write(STDOUT_FILENO, line, static_cast<size_t>(n)) != n) _exit(3);
}

Event Make(int i) {
  Event e;
  e.id = NewUuidV7(1795000000000 + i);
  e.kiosk_id = "crash";
  e.store_id = "lab";
  e.touchpoint = "door";
  e.journey_stage = "visit";
  e.time_ms = 1795000000000 + i;
  FeedbackPayload f;
  f.survey_id = "s";
  f.language = "en";
  f.answers = {Answer{"q", QuestionType::kCsat, 1 + i % 5, {}, ""}};
  e.payload = f;
  return e;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: store_crash_child DB\n");
    return 2;
  }
  EventStoreOptions o;
  o.path = argv[1];
  auto store = EventStore::Open(o);
  if (!store.ok()) {
    std::fprintf(stderr, "open: %s\n", store.status().ToString().c_str());
    return 1;
  }
  const char ready[] = "ready\n";
  if (::write(STDOUT_FILENO, ready, sizeof ready - 1) < 0) return 3;
  EventStore* s = store->get();
  std::thread singles([s] {
    for (int i = 0;; ++i) {
      auto r = s->Append(Make(i));
      if (r.ok()) Report(*r);
    }
  });
  for (int i = 0;; ++i) {
    std::vector<Event> batch;
    for (int k = 0; k < 1 + i % 40; ++k) batch.push_back(Make(k));
    auto r = s->AppendBatch(std::move(batch));
    if (r.ok()) {
      for (uint64_t seq : *r) Report(seq);
    }
  }
}
