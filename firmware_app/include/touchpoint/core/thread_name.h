// Thread names for top -H, perf and the per-thread CPU of the benches.
#pragma once

#include <pthread.h>

namespace touchpoint {

// Names the calling thread (at most 15 chars) so that top/perf show who spends the time.
inline void NameThisThread(const char* name) { pthread_setname_np(pthread_self(), name); }

}  // namespace touchpoint
