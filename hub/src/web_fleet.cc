#include "web_fleet.h"

#include <set>

#include "touchpoint/core/event_json.h"

namespace touchpoint::hub::web {

Result<std::map<std::string, int64_t>> RejectsPerKiosk(sql::Database* db) {
  std::map<std::string, int64_t> out;
  auto st = db->Prepare("SELECT kiosk, COUNT(*) FROM rejects WHERE kiosk != '' GROUP BY kiosk");
  if (!st.ok()) return st.status();
  Status s = st->ForEachRow([&] { out[st->ColumnText(0)] = st->ColumnInt(1); });
  if (!s.ok()) return s;
  return out;
}

std::string HumanDuration(int64_t ms) {
  int64_t s = std::max<int64_t>(ms, 0) / 1000;
  if (s < 60) return std::to_string(s) + " s";
  int64_t min = s / 60;
  if (min < 60) return std::to_string(min) + " min";
  int64_t h = min / 60;
  if (h < 24) return std::to_string(h) + " h " + std::to_string(min % 60) + " min";
  return std::to_string(h / 24) + " d " + std::to_string(h % 24) + " h";
}

ApiResult<Json> FleetView(const ViewContext& c, const FleetInputs& in, int64_t now_ms,
                          const std::string* only_store) {
  const ResolvedFilter& f = *c.filter;
  std::set<std::string> stores(f.stores.begin(), f.stores.end());
  auto visible = [&](const std::string& store) {
    if (only_store) return store == *only_store;
    return f.every_store || stores.count(store) > 0;
  };
  // Coverage gaps per store over the period (cells).
  std::map<std::string, int64_t> gap_s;
  if (f.SelectsAny()) {
    ViewFilter gaps = f.View();
    gaps.gaps_only = true;  // no sums: the cells' detail is not decoded
    if (only_store) gaps.stores = {*only_store};
    auto rows = c.store->View(gaps, ViewBy::kStore);
    if (!rows.ok()) return ServerError("store: " + rows.status().ToString());
    for (const ViewRow& r : *rows) gap_s[r.store] += r.gap_s;
  }
  Json kiosks = Json::array();
  for (const KioskSummary& k : in.kiosks) {
    if (!visible(k.store)) continue;
    const std::optional<KioskStatus>& st = k.status;
    Json status_json;
    if (st && !st->json.empty()) {
      status_json = Json::parse(st->json, nullptr, /*allow_exceptions=*/false);
      if (!status_json.is_object()) status_json = Json::object();
    }
    auto field = [&](const char* name) -> const Json* {
      if (!status_json.is_object()) return nullptr;
      auto it = status_json.find(name);
      return it == status_json.end() || it->is_null() ? nullptr : &*it;
    };
    std::string state = st ? st->state : "unknown";
    bool stale = st && state == "online" && now_ms - st->received_ms > kStaleStatusMs;
    Json j;
    j["kiosk"] = k.kiosk;
    j["store"] = k.store;
    j["region"] = c.config->RegionOf(k.store);
    j["state"] = state;
    j["stale"] = stale;
    j["last_status_ms"] = st ? Json(st->status_time_ms) : Json(nullptr);
    j["received_ms"] = st ? Json(st->received_ms) : Json(nullptr);
    j["last_event_ms"] = k.last_received_ms ? Json(k.last_received_ms) : Json(nullptr);
    j["queue_depth"] = st && st->queue_depth ? Json(*st->queue_depth) : Json(nullptr);
    Json oldest = nullptr;
    if (const Json* age = field("oldest_pending_age_s"); age && age->is_number_integer()) {
      if (age->get<int64_t>() > 0) oldest = st->status_time_ms - age->get<int64_t>() * 1000;
    }
    j["oldest_pending_ms"] = oldest;
    Json last_ack = nullptr;
    if (const Json* a = field("last_hub_ack"); a && a->is_string()) {
      if (auto ms = ParseUtcMs(a->get<std::string>())) last_ack = *ms;
    }
    j["last_ack_ms"] = last_ack;
    std::string camera = "unknown";
    if (const Json* cam = field("camera_state"); cam && cam->is_string()) {
      std::string v = cam->get<std::string>();
      camera = v == "ok" || v == "counting" ? "counting" : v.empty() ? "unknown" : "off";
    }
    j["camera"] = camera;
    j["coverage_gap_s"] = gap_s[k.store];
    auto sg = in.seq_gaps.find(k.kiosk);
    int64_t seq_gaps = sg == in.seq_gaps.end() ? 0 : sg->second;
    auto rj = in.rejects.find(k.kiosk);
    int64_t rejects = rj == in.rejects.end() ? 0 : rj->second;
    j["seq_gaps"] = seq_gaps;
    j["rejects"] = rejects;
    j["conflicts"] = k.conflicts;
    j["time_out_of_range"] = k.time_out_of_range;
    j["software_version"] =
        st && !st->software_version.empty() ? Json(st->software_version) : Json(nullptr);
    j["config_version"] =
        st && !st->config_version.empty() ? Json(st->config_version) : Json(nullptr);
    Json problems = Json::array();
    if (!k.registration) problems.push_back("not registered: its events are refused");
    if (!st) problems.push_back("no status received yet");
    if (st && state == "offline") {
      problems.push_back("offline for " + HumanDuration(now_ms - st->received_ms));
    }
    if (stale) {
      problems.push_back("no status for " + HumanDuration(now_ms - st->received_ms));
    }
    if (st && st->queue_depth && *st->queue_depth >= 1000) {
      problems.push_back(std::to_string(*st->queue_depth) + " events waiting to be sent");
    }
    if (camera == "off") problems.push_back("camera not counting");
    if (seq_gaps > 0) problems.push_back(std::to_string(seq_gaps) + " events missing (seq gaps)");
    if (rejects > 0) problems.push_back(std::to_string(rejects) + " payloads rejected");
    if (k.conflicts > 0) problems.push_back(std::to_string(k.conflicts) + " conflicting events");
    if (k.time_out_of_range > 0) {
      problems.push_back(std::to_string(k.time_out_of_range) + " events with a bad clock");
    }
    j["problems"] = std::move(problems);
    kiosks.push_back(std::move(j));
  }
  return kiosks;
}

}  // namespace touchpoint::hub::web
