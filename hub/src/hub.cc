#include "touchpoint/hub/hub.h"

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <map>
#include <mutex>
#include <thread>

#include "ingest.h"
#include "range_set.h"
#include "touchpoint/core/clock.h"
#include "touchpoint/sync/mqtt_common.h"

namespace touchpoint::hub {

using sync::Backoff;
using sync::EncodeHubMessage;
using sync::HubMessage;
using sync::MakeConnectOptions;
using sync::NameThisThread;
using sync::RangesOf;
using sync::TopicsFor;

namespace {

int64_t WallMs() { return SystemClock()->NowUtcMs(); }
int64_t MonoMs() { return SystemClock()->MonotonicMs(); }

constexpr size_t kQueueMessages = 64;  // prepared batches waiting for the writer
constexpr size_t kMaxEventsPerCommit = 20000;
// Per decode thread: the events of written messages kept to be filled again, at most as many as
// a commit writes (~16 MB), so that every message finds some (keeping one message's, as before,
// left two messages in three to allocate their events: ~1 malloc per event, now ~0.1-0.4).
constexpr size_t kRecycledEvents = kMaxEventsPerCommit;
constexpr size_t kMaxResendRanges = 16;             // per request
constexpr int64_t kMaxResendRequestsPerCheck = 32;  // per second, over all kiosks
constexpr int64_t kRegistryRefreshMs = 2000;        // `kiosks add/remove` reach a running hub

struct KioskState {
  std::string store;
  RangeSet seqs;
  std::map<uint64_t, int64_t> hole_seen_ms;       // hole first seq -> first seen (mono)
  std::map<uint64_t, int64_t> hole_requested_ms;  // hole first seq -> last request (mono)
};

}  // namespace

// The pipeline: Paho's callback thread only queues the message (no copy, no parsing); decode
// workers validate messages in parallel; the writer takes the decoded messages in arrival order,
// commits as many as are ready in one transaction (one fsync), then acknowledges them.
struct Slot {
  mqtt::const_message_ptr msg;  // released once decoded
  bool ready = false;
  size_t decoder = 0;  // which decode thread prepared it
  PreparedMessage prepared;
};

struct Hub::Impl {
  Heartbeat writer_heartbeat;
  HubOptions options;
  IngestPolicy policy;
  std::unique_ptr<HubStore> store;
  std::unique_ptr<mqtt::async_client> client;
  std::map<std::string, KioskState> kiosks;  // writer thread only
  std::string gap_cursor;                    // writer thread: where the last gap check stopped
  // Registered kiosks, swapped whole by the writer; decoders take the current one per message.
  std::shared_ptr<const KioskRegistry> registry;  // guarded by mu

  mutable std::mutex mu;
  std::condition_variable cv;                  // the front slot became ready / stop
  std::condition_variable decode_cv;           // a slot waits for a decoder / stop
  std::condition_variable space_cv;            // the pipeline has room
  std::deque<std::shared_ptr<Slot>> pipeline;  // arrival order
  size_t claimed = 0;                          // pipeline[0, claimed) are taken by decoders
  bool stopping = false;
  HubCounters counters;
  std::atomic<bool> connected{false};
  std::atomic<bool> subscribed{false};
  std::atomic<int64_t> connections_lost{0};  // bumped by Paho's connection-lost callback
  std::thread writer, acker;
  std::vector<std::thread> decoders;
  // Written messages handed back to the decode thread that prepared them, which frees them:
  // their memory came from its malloc arena, where freeing is cheap and the next messages reuse
  // it (freed on the writer, every block went back to another thread's arena under its lock).
  std::vector<std::vector<PreparedMessage>> spent;  // per decode thread, guarded by mu
  std::condition_variable ack_cv;
  std::vector<std::pair<std::string, std::string>> pending_acks;  // committed, not yet flushed
  bool acks_stopping = false;                                     // set after the writer stopped

  void OnMessage(mqtt::const_message_ptr msg) {
    auto slot = std::make_shared<Slot>();
    slot->msg = std::move(msg);
    std::unique_lock<std::mutex> lock(mu);
    ++counters.messages;
    // A full pipeline blocks Paho's receive thread: TCP back-pressure up to the broker, and the
    // kiosks keep the events in their outboxes.
    space_cv.wait(lock, [&] { return stopping || pipeline.size() < kQueueMessages; });
    if (stopping) return;
    pipeline.push_back(std::move(slot));
    decode_cv.notify_one();
  }

  void RunDecoder(size_t index) {
    NameThisThread("tp-hub-decode");
    // Written messages' events, filled again by the next messages (their strings' and vectors'
    // memory reused), kRecycledEvents at most.
    std::vector<std::vector<HubEvent>> recycled;
    size_t recycled_events = 0;
    while (true) {
      std::shared_ptr<Slot> slot;
      std::shared_ptr<const KioskRegistry> reg;
      std::vector<PreparedMessage> written;
      {
        std::unique_lock<std::mutex> lock(mu);
        decode_cv.wait(
            lock, [&] { return stopping || claimed < pipeline.size() || !spent[index].empty(); });
        if (stopping) return;
        written.swap(spent[index]);
        if (claimed < pipeline.size()) {
          slot = pipeline[claimed++];
          reg = registry;
        }
      }
      // The written messages are freed here, outside the lock, but for the events of a few,
      // which the next messages are decoded into.
      for (PreparedMessage& w : written) {
        size_t n = w.write.events.size();
        if (n > 0 && recycled_events + n <= kRecycledEvents) {
          recycled_events += n;
          recycled.push_back(std::move(w.write.events));
        }
      }
      written.clear();
      if (!slot) continue;
      std::vector<HubEvent> reuse;
      if (!recycled.empty()) {
        reuse = std::move(recycled.back());
        recycled.pop_back();
        recycled_events -= reuse.size();
      }
      auto start = std::chrono::steady_clock::now();
      const mqtt::const_message_ptr& m = slot->msg;
      IngestPolicy with_registry = policy;
      with_registry.registered = reg.get();
      PreparedMessage p = PrepareMessage(with_registry, m->get_topic(), m->get_payload_ref().str(),
                                         WallMs(), &reuse);
      int64_t us = std::chrono::duration_cast<std::chrono::microseconds>(
                       std::chrono::steady_clock::now() - start)
                       .count();
      {
        std::lock_guard<std::mutex> lock(mu);
        slot->prepared = std::move(p);
        slot->msg.reset();
        slot->ready = true;
        slot->decoder = index;
        counters.decode_us += us;
        if (slot == pipeline.front()) cv.notify_one();
      }
    }
  }

  void SetError(const std::string& e) {
    std::lock_guard<std::mutex> lock(mu);
    counters.last_error = e;
  }

  bool Connect() {
    writer_heartbeat.Beat(40'000);  // connect and three subscribes, 10 s each at most
    try {
      auto opts = MakeConnectOptions(options.broker_uri, options.keepalive_s, options.username,
                                     options.password,
                                     {options.ca_file, options.cert_file, options.key_file});
      int64_t lost_before = connections_lost;
      client->connect(opts)->wait_for(std::chrono::seconds(10));
      if (!client->is_connected()) return false;
      std::string filter = options.topic_prefix + "/+/+/events";
      if (!options.shared_group.empty()) filter = "$share/" + options.shared_group + "/" + filter;
      bool subscribed_all = client->subscribe(filter, 1)->wait_for(std::chrono::seconds(10));
      // Every instance reads the kiosks' retained status (and last will): no shared group.
      subscribed_all = subscribed_all && client->subscribe(options.topic_prefix + "/+/+/status", 1)
                                             ->wait_for(std::chrono::seconds(10));
      subscribed = true;
      connected = true;
      // A connection lost while subscribing (a broker restarting) must not leave the hub
      // believing it is connected: the callback bumps the count before it clears `connected`,
      // so either it clears it after this point or the count shows it here.
      if (!subscribed_all || connections_lost != lost_before || !client->is_connected()) {
        connected = false;
        subscribed = false;
        try {
          if (client->is_connected()) client->disconnect()->wait_for(std::chrono::seconds(5));
        } catch (const mqtt::exception&) {
        }
        return false;
      }
      std::lock_guard<std::mutex> lock(mu);
      counters.connected = true;
      ++counters.connects;
      return true;
    } catch (const mqtt::exception& e) {
      SetError(std::string("connect: ") + e.what());
      return false;
    }
  }

  void Publish(const std::string& topic, const std::string& payload) {
    if (!connected) return;
    try {
      client->publish(topic, payload.data(), payload.size(), 0, false);
    } catch (const mqtt::exception& e) {
      SetError(std::string("publish: ") + e.what());
    }
  }

  void Account(const std::string& kiosk, const std::string& store_id, SeqRange r) {
    KioskState& k = kiosks[kiosk];
    if (!store_id.empty()) k.store = store_id;
    k.seqs.Add(r);
  }

  void WriteBatch(std::vector<PreparedMessage>& batch) {
    // One transaction for every message, each write as it was prepared (no event is moved).
    std::vector<const HubWrite*> writes;
    writes.reserve(batch.size());
    for (const PreparedMessage& p : batch) writes.push_back(&p.write);
    auto start = std::chrono::steady_clock::now();
    // Committed but not yet flushed: the ack thread flushes (one fdatasync for every commit
    // queued meanwhile) and only then acknowledges, while this thread commits the next batch.
    auto result = store->WriteDeferredAll(writes, WallMs());
    int64_t write_us = std::chrono::duration_cast<std::chrono::microseconds>(
                           std::chrono::steady_clock::now() - start)
                           .count();
    if (!result.ok()) {
      // Nothing is acknowledged: the kiosks re-send after their ack timeout.
      std::lock_guard<std::mutex> lock(mu);
      ++counters.write_errors;
      counters.last_error = "store: " + result.status().ToString();
      return;
    }
    std::map<std::string, std::vector<uint64_t>> acks;
    std::map<std::string, std::string> stores;
    for (PreparedMessage& p : batch) {
      if (p.kiosk.empty()) continue;
      auto& v = acks[p.kiosk];
      v.insert(v.end(), p.acked.begin(), p.acked.end());
      stores[p.kiosk] = p.store;
    }
    size_t enrolled = 0, rejects = 0, gaps = 0, statuses = 0;
    for (const HubWrite* w : writes) {
      for (const KnownGap& g : w->gaps) Account(g.kiosk, "", g.range);
      for (const HubEvent& e : w->events) {
        for (const SeqRange& r : e.compacted) Account(e.kiosk, e.store, r);
      }
      enrolled += w->enrolments.size();
      rejects += w->rejects.size();
      gaps += w->gaps.size();
      statuses += w->statuses.size();
    }
    std::vector<std::pair<std::string, std::string>> out;  // topic, payload
    for (auto& [kiosk, seqs] : acks) {
      auto ranges = RangesOf(std::move(seqs));
      for (const SeqRange& r : ranges) Account(kiosk, stores[kiosk], r);
      if (ranges.empty()) continue;
      HubMessage m{HubMessage::Kind::kAck, std::move(ranges)};
      out.emplace_back(TopicsFor(options.topic_prefix, stores[kiosk], kiosk).ack,
                       EncodeHubMessage(m));
    }
    // Enrolled kiosks are registered from now on (the next messages do not enrol them again).
    if (enrolled > 0) RefreshRegistry();
    if (result->inserted > 0 && options.on_commit) options.on_commit(result->inserted);
    std::lock_guard<std::mutex> lock(mu);
    for (auto& a : out) pending_acks.push_back(std::move(a));
    ack_cv.notify_one();
    counters.write_us += write_us;
    ++counters.commits;
    counters.events_inserted += result->inserted;
    counters.duplicates += result->duplicates;
    counters.conflicts += result->conflicts;
    counters.enrolled += static_cast<int64_t>(enrolled);
    counters.tracked_kiosks = static_cast<int64_t>(kiosks.size());
    counters.rejects += static_cast<int64_t>(rejects);
    counters.known_gaps += static_cast<int64_t>(gaps);
    counters.statuses += static_cast<int64_t>(statuses);
  }

  // Flushes the store, then publishes every acknowledgement committed before the flush.
  void RunAcks() {
    NameThisThread("tp-hub-acks");
    while (true) {
      std::vector<std::pair<std::string, std::string>> out;
      {
        std::unique_lock<std::mutex> lock(mu);
        ack_cv.wait(lock, [&] { return acks_stopping || !pending_acks.empty(); });
        if (pending_acks.empty()) return;  // stopping
        out.swap(pending_acks);
      }
      if (Status s = store->Sync(); !s.ok()) {
        // Not durable: not acknowledged; the kiosks re-send after their ack timeout (dedup).
        std::lock_guard<std::mutex> lock(mu);
        ++counters.write_errors;
        counters.last_error = "store flush: " + s.ToString();
        continue;
      }
      for (const auto& [topic, payload] : out) Publish(topic, payload);
      std::lock_guard<std::mutex> lock(mu);
      counters.acks_sent += static_cast<int64_t>(out.size());
    }
  }

  // Of the holes `due`, what the store does not account for either (it may have been written by
  // another hub sharing the store); what it holds is added to the kiosk's seqs.
  std::vector<SeqRange> StillMissing(const std::string& kiosk, KioskState& k,
                                     const std::vector<SeqRange>& due) {
    for (const SeqRange& h : due) {
      auto held = store->AccountedSeqsIn(kiosk, h);
      if (!held.ok()) return due;  // ask anyway: a resend only costs a duplicate
      for (const SeqRange& r : *held) k.seqs.Add(r);
    }
    std::vector<SeqRange> out;
    for (const SeqRange& hole : k.seqs.Holes()) {
      for (const SeqRange& h : due) {
        SeqRange both{std::max(hole.first, h.first), std::min(hole.last, h.last)};
        if (both.first <= both.last) out.push_back(both);
      }
    }
    return out;
  }

  // Re-reads the registered kiosks (operators add and remove them while the hub runs).
  void RefreshRegistry() {
    auto regs = store->RegisteredKiosks();
    if (!regs.ok()) {
      SetError("registered kiosks: " + regs.status().ToString());
      return;
    }
    auto fresh = std::make_shared<KioskRegistry>();
    for (const KioskRegistration& r : *regs) (*fresh)[r.kiosk] = r.store;
    // A kiosk no longer registered gets no resend requests and keeps no state here.
    for (auto it = kiosks.begin(); it != kiosks.end();) {
      it = fresh->count(it->first) ? std::next(it) : kiosks.erase(it);
    }
    std::lock_guard<std::mutex> lock(mu);
    registry = std::move(fresh);
  }

  // Asks registered kiosks for holes older than the gap timeout: at most
  // kMaxResendRequestsPerCheck requests per check, taking the kiosks in turn.
  void CheckGaps() {
    if (options.gap_timeout_ms <= 0 || !connected) return;
    int64_t now = MonoMs();
    int64_t requests = 0;
    std::vector<std::map<std::string, KioskState>::iterator> order;
    for (auto it = kiosks.upper_bound(gap_cursor); it != kiosks.end(); ++it) order.push_back(it);
    for (auto it = kiosks.begin(); it != kiosks.upper_bound(gap_cursor); ++it) {
      order.push_back(it);
    }
    for (auto entry : order) {
      const std::string& kiosk = entry->first;
      KioskState& k = entry->second;
      if (requests >= kMaxResendRequestsPerCheck) break;
      gap_cursor = kiosk;
      if (k.store.empty()) continue;
      auto holes = k.seqs.Holes();
      std::map<uint64_t, int64_t> seen;
      std::vector<SeqRange> due;
      for (const SeqRange& h : holes) {
        auto it = k.hole_seen_ms.find(h.first);
        int64_t first_seen = it == k.hole_seen_ms.end() ? now : it->second;
        seen[h.first] = first_seen;
        if (now - first_seen < options.gap_timeout_ms) continue;
        auto req = k.hole_requested_ms.find(h.first);
        if (req != k.hole_requested_ms.end() && now - req->second < options.gap_timeout_ms) {
          continue;
        }
        if (due.size() < kMaxResendRanges) due.push_back(h);
      }
      k.hole_seen_ms = std::move(seen);
      if (due.empty()) continue;
      // Hubs on one shared subscription share the store: another one may hold the hole.
      due = StillMissing(kiosk, k, due);
      if (due.empty()) continue;
      for (const SeqRange& h : due) k.hole_requested_ms[h.first] = now;
      Publish(TopicsFor(options.topic_prefix, k.store, kiosk).ack,
              EncodeHubMessage({HubMessage::Kind::kResend, due}));
      ++requests;
    }
    std::lock_guard<std::mutex> lock(mu);
    counters.resend_requests += requests;
  }

  void Run() {
    NameThisThread("tp-hub-writer");
    Backoff backoff(200, 5000, static_cast<uint64_t>(MonoMs()));
    int64_t next_connect = 0, next_gap_check = MonoMs() + 1000;
    int64_t next_registry = MonoMs() + kRegistryRefreshMs;
    while (true) {
      std::vector<PreparedMessage> batch;
      std::vector<size_t> decoded_by;  // per message of the batch, its decode thread
      {
        std::unique_lock<std::mutex> lock(mu);
        auto front_ready = [&] { return !pipeline.empty() && pipeline.front()->ready; };
        writer_heartbeat.Beat(100);
        cv.wait_for(lock, std::chrono::milliseconds(100),
                    [&] { return stopping || front_ready(); });
        // At a stop, what is decoded is still stored and acknowledged; the rest is not
        // acknowledged, so the kiosks send it again.
        if (stopping && !front_ready()) break;
        size_t events = 0;
        while (front_ready() && events < kMaxEventsPerCommit) {
          Slot& slot = *pipeline.front();
          events += slot.prepared.write.events.size() + 1;
          batch.push_back(std::move(slot.prepared));
          decoded_by.push_back(slot.decoder);
          pipeline.pop_front();
          --claimed;
        }
        space_cv.notify_all();
      }
      if (!batch.empty()) {
        WriteBatch(batch);
        std::lock_guard<std::mutex> lock(mu);
        // At a stop the decoders may be gone: the messages are freed here.
        if (!stopping) {
          for (size_t i = 0; i < batch.size(); ++i) {
            spent[decoded_by[i]].push_back(std::move(batch[i]));
          }
          decode_cv.notify_all();
        }
      }
      int64_t now = MonoMs();
      bool is_stopping;
      {
        std::lock_guard<std::mutex> lock(mu);
        is_stopping = stopping;
      }
      if (!connected && !is_stopping && now >= next_connect) {
        if (Connect()) {
          backoff.Reset();
        } else {
          next_connect = MonoMs() + backoff.NextDelayMs();
        }
      }
      if (now >= next_registry) {
        RefreshRegistry();
        next_registry = now + kRegistryRefreshMs;
      }
      if (now >= next_gap_check) {
        CheckGaps();
        next_gap_check = now + 1000;
      }
    }
  }
};

Hub::Hub(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Hub::~Hub() { Stop(); }

Result<std::unique_ptr<Hub>> Hub::Create(HubOptions options) {
  auto impl = std::make_unique<Impl>();
  impl->options = std::move(options);
  impl->policy.topic_prefix = impl->options.topic_prefix;
  impl->policy.enrol_unknown = impl->options.enrol_on_first_sight;
  impl->policy.max_message_bytes = impl->options.max_message_bytes;
  auto store = OpenSqliteHubStore(impl->options.db_path);
  if (!store.ok()) return store.status();
  impl->store = std::move(store.value());
  impl->RefreshRegistry();
  if (!impl->registry) return Status::IoError("hub store: cannot read the registered kiosks");
  auto seqs = impl->store->AccountedSeqs();
  if (!seqs.ok()) return seqs.status();
  for (const KioskSeqs& k : seqs.value()) {
    if (!impl->registry->count(k.kiosk)) continue;  // not registered: no state, no resends
    KioskState& st = impl->kiosks[k.kiosk];
    st.store = k.store;
    for (const SeqRange& r : k.ranges) st.seqs.Add(r);
  }
  try {
    mqtt::create_options create(MQTTVERSION_5);
    create.set_max_buffered_messages(10000);
    impl->client = std::make_unique<mqtt::async_client>(impl->options.broker_uri,
                                                        impl->options.client_id, create);
  } catch (const mqtt::exception& e) {
    return Status::InvalidArgument(std::string("broker uri: ") + e.what());
  }
  return std::unique_ptr<Hub>(new Hub(std::move(impl)));
}

Status Hub::Start() {
  Impl* impl = impl_.get();
  impl->client->set_message_callback([impl](mqtt::const_message_ptr m) { impl->OnMessage(m); });
  impl->client->set_connection_lost_handler([impl](const std::string& cause) {
    ++impl->connections_lost;
    impl->connected = false;
    impl->subscribed = false;
    std::lock_guard<std::mutex> lock(impl->mu);
    impl->counters.connected = false;
    impl->counters.last_error = "connection lost: " + cause;
  });
  impl->writer = std::thread([impl] { impl->Run(); });
  impl->acker = std::thread([impl] { impl->RunAcks(); });
  int decoders = impl->options.decode_threads;
  if (decoders <= 0) {
    decoders = static_cast<int>(std::min(4u, std::max(1u, std::thread::hardware_concurrency())));
  }
  impl->spent.resize(static_cast<size_t>(decoders));
  for (int i = 0; i < decoders; ++i) {
    impl->decoders.emplace_back([impl, i] { impl->RunDecoder(static_cast<size_t>(i)); });
  }
  return Status::Ok();
}

void Hub::Stop() {
  if (!impl_ || !impl_->writer.joinable()) return;
  {
    std::lock_guard<std::mutex> lock(impl_->mu);
    impl_->stopping = true;
  }
  impl_->cv.notify_all();
  impl_->decode_cv.notify_all();
  impl_->space_cv.notify_all();
  try {
    if (impl_->client->is_connected())
      impl_->client->disconnect()->wait_for(std::chrono::seconds(5));
  } catch (const mqtt::exception&) {
  }
  impl_->writer.join();
  {
    std::lock_guard<std::mutex> lock(impl_->mu);
    impl_->acks_stopping = true;
  }
  impl_->ack_cv.notify_all();
  impl_->acker.join();
  for (std::thread& t : impl_->decoders) t.join();
  impl_->decoders.clear();
}

HubCounters Hub::Counters() const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  return impl_->counters;
}

const Heartbeat& Hub::writer_heartbeat() const { return impl_->writer_heartbeat; }

bool Hub::Subscribed() const { return impl_->subscribed; }

bool Hub::PublishAlert(const std::string& payload) {
  if (!impl_->connected || !impl_->client) return false;
  try {
    impl_->client->publish(impl_->options.topic_prefix + "/alerts", payload.data(), payload.size(),
                           1, false);
    return true;
  } catch (const mqtt::exception& e) {
    return false;
  }
}

Result<ImportReport> ImportJsonLines(HubStore* store, const std::string& path, bool enrol,
                                     int64_t now_ms) {
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> in(std::fopen(path.c_str(), "rb"), &std::fclose);
  if (!in) return Status::NotFound(path + ": cannot open");
  auto regs = store->RegisteredKiosks();
  if (!regs.ok()) return regs.status();
  KioskRegistry registry;
  for (const KioskRegistration& r : *regs) registry[r.kiosk] = r.store;
  IngestPolicy policy;
  policy.registered = &registry;
  policy.enrol_unknown = enrol;
  policy.enrol_how = "enrol:import";
  ImportReport report;
  HubWrite w;
  auto flush = [&]() -> Status {
    auto r = store->Write(w, now_ms);
    if (!r.ok()) return r.status();
    report.inserted += r->inserted;
    report.duplicates += r->duplicates;
    report.conflicts += r->conflicts;
    report.rejected += static_cast<int64_t>(w.rejects.size()) + r->conflicts;
    w = HubWrite{};
    return Status::Ok();
  };
  // Lines are read in bounded pieces: a line longer than kMaxImportLineBytes is refused with
  // its first bytes, never held whole.
  std::string line;
  size_t line_no = 0;
  bool too_long = false;
  auto end_line = [&] {
    ++line_no;
    ++report.lines;
    if (too_long) {
      Reject r;
      r.received_ms = now_ms;
      r.source = "import:" + path + ":" + std::to_string(line_no);
      r.reason = "line longer than " + std::to_string(kMaxImportLineBytes) + " bytes: not parsed";
      r.payload = line.substr(0, kRejectExcerptBytes);
      w.rejects.push_back(std::move(r));
    } else {
      PrepareImportLine(policy, line, path, line_no, now_ms, &w);
      for (const KioskRegistration& r : w.enrolments) {
        if (registry.emplace(r.kiosk, r.store).second) report.enrolled.push_back(r);
      }
    }
    line.clear();
    too_long = false;
  };
  char buf[64 * 1024];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, in.get())) > 0) {
    std::string_view chunk(buf, n);
    while (!chunk.empty()) {
      size_t nl = chunk.find('\n');
      std::string_view piece = chunk.substr(0, nl);
      if (!too_long) {
        if (line.size() + piece.size() > kMaxImportLineBytes) {
          line.append(piece.substr(
              0, kRejectExcerptBytes > line.size() ? kRejectExcerptBytes - line.size() : 0));
          too_long = true;
        } else {
          line.append(piece);
        }
      }
      if (nl == std::string_view::npos) break;
      chunk.remove_prefix(nl + 1);
      end_line();
      if (w.events.size() + w.rejects.size() >= 5000) {
        if (Status s = flush(); !s.ok()) return s;
      }
    }
  }
  if (std::ferror(in.get())) {
    return Status::IoError(path + ": read error after line " + std::to_string(line_no));
  }
  if (!line.empty() || too_long) end_line();
  if (Status s = flush(); !s.ok()) return s;
  return report;
}

}  // namespace touchpoint::hub
