#include "touchpoint/hub/web_server.h"

#include <httplib.h>
#include <openssl/crypto.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <thread>

#include "hub_store_queries.h"
#include "touchpoint/hub/hub_store.h"
#include "web_alerts.h"
#include "web_auth.h"
#include "web_config.h"
#include "web_filter.h"
#include "web_fleet.h"
#include "web_views.h"

namespace touchpoint::hub {

using namespace web;  // NOLINT(google-build-using-namespace): this file is the web module's

namespace {

constexpr size_t kMaxBodyBytes = 64 * 1024;
constexpr int64_t kLiveMinGapMs = 500;
constexpr int64_t kLivePingMs = 15000;
constexpr int64_t kKnownStoresTtlMs = 5000;
constexpr int64_t kMetaTtlMs = 60000;
constexpr int64_t kMetaDays = 120;  // meta's stages and touchpoints: those with data this recently
constexpr int64_t kPollMs = 250;
const char* kCsp = "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'";

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Sets the response's body. Not with set_content: cpp-httplib then compresses the body on the fly
// with brotli at quality 11 whenever the browser accepts "br" (about 1 MB/s: 4 s for ECharts'
// 1 MB, tens of ms for a view's JSON). A body given by a fixed-length content provider is sent as
// it is (compression, if wanted, is a reverse proxy's job; docs/hub-api.md).
void SetBody(httplib::Response& res, std::string body, const std::string& type) {
  auto shared = std::make_shared<const std::string>(std::move(body));
  res.set_content_provider(
      shared->size(), type, [shared](size_t offset, size_t length, httplib::DataSink& sink) {
        if (offset > shared->size()) return false;
        return sink.write(shared->data() + offset, std::min(length, shared->size() - offset));
      });
}

void SendJson(httplib::Response& res, int status, const Json& body) {
  res.status = status;
  res.set_header("Cache-Control", "no-store");
  res.set_header("X-Content-Type-Options", "nosniff");
  if (status >= 400) {
    // Errors are short, and the error handler keeps a response whose body is set.
    res.set_content(body.dump(), "application/json");
  } else {
    SetBody(res, body.dump(), "application/json");
  }
}

void SendError(httplib::Response& res, const ApiError& e) {
  SendJson(res, e.status, Json{{"error", e.message}});
}

const char* ContentType(const std::string& path) {
  auto ext = std::filesystem::path(path).extension().string();
  if (ext == ".html") return "text/html; charset=utf-8";
  if (ext == ".js" || ext == ".mjs") return "text/javascript; charset=utf-8";
  if (ext == ".css") return "text/css; charset=utf-8";
  if (ext == ".json" || ext == ".map") return "application/json";
  if (ext == ".svg") return "image/svg+xml";
  if (ext == ".png") return "image/png";
  if (ext == ".ico") return "image/x-icon";
  if (ext == ".woff2") return "font/woff2";
  if (ext == ".woff") return "font/woff";
  if (ext == ".txt") return "text/plain; charset=utf-8";
  return "application/octet-stream";
}

std::string CookieValue(const httplib::Request& req, const std::string& name) {
  std::string cookies = req.get_header_value("Cookie");
  size_t pos = 0;
  while (pos < cookies.size()) {
    size_t end = cookies.find(';', pos);
    if (end == std::string::npos) end = cookies.size();
    std::string part = cookies.substr(pos, end - pos);
    size_t start = part.find_first_not_of(' ');
    if (start != std::string::npos) part = part.substr(start);
    if (part.rfind(name + "=", 0) == 0) return part.substr(name.size() + 1);
    pos = end + 1;
  }
  return "";
}

bool SameSecret(const std::string& a, const std::string& b) {
  return a.size() == b.size() && !a.empty() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

Json SessionJson(const Session& s) {
  return Json{
      {"user", s.user.user}, {"role", s.user.role}, {"regions", s.user.regions}, {"csrf", s.csrf}};
}

}  // namespace

std::string DefaultWebRoot() {
  std::error_code ec;
  auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    auto web = exe.parent_path() / "web";
    if (std::filesystem::is_directory(web, ec)) return web.string();
  }
  return "/usr/share/touchpoint/web";
}

struct WebServer::Impl {
  WebOptions options;
  // The hub config in force: replaced whole by PUT /api/v1/config; readers take a snapshot.
  std::mutex config_mu;
  std::shared_ptr<const WebConfig> config_now = std::make_shared<WebConfig>();
  std::mutex config_write_mu;  // one PUT /api/v1/config at a time
  std::string host;
  int port = 0;
  bool tls = false;
  std::unique_ptr<httplib::Server> server;
  std::thread listener, poller, evaluator;
  std::unique_ptr<Auth> auth;
  std::unique_ptr<Alerts> alerts;

  // HubStore connections, leased one request at a time.
  std::mutex pool_mu;
  std::condition_variable pool_cv;
  std::vector<std::unique_ptr<HubStore>> pool;

  // A connection for the fleet's rejects query and the caches below.
  std::mutex misc_mu;
  std::unique_ptr<sql::Database> misc_db;
  std::vector<std::string> known_stores;
  int64_t known_at_ms = -1;
  struct MetaCache {
    int64_t at_ms = 0;
    std::vector<std::string> stages, touchpoints;
    std::map<std::string, int32_t> offsets;
  };
  std::map<std::string, MetaCache> meta_cache;  // by scope

  // Live notices.
  std::mutex live_mu;
  std::condition_variable live_cv;
  uint64_t live_version = 0;
  int64_t live_events = 0;   // events committed since start (NotifyCommit's sum)
  bool live_counted = true;  // false once a notice came from polling (no event count)
  bool stopping = false;
  int live_streams = 0;

  class Lease {
   public:
    explicit Lease(Impl* impl) : impl_(impl) {
      std::unique_lock<std::mutex> lock(impl_->pool_mu);
      impl_->pool_cv.wait(lock, [&] { return !impl_->pool.empty(); });
      store_ = std::move(impl_->pool.back());
      impl_->pool.pop_back();
    }
    ~Lease() {
      std::lock_guard<std::mutex> lock(impl_->pool_mu);
      impl_->pool.push_back(std::move(store_));
      impl_->pool_cv.notify_one();
    }
    HubStore* get() { return store_.get(); }

   private:
    Impl* impl_;
    std::unique_ptr<HubStore> store_;
  };

  // Every store the hub knows (kiosks' stores and the config's), refreshed every 5 s.
  ApiResult<std::vector<std::string>> KnownStores(std::vector<KioskSummary>* kiosks_out = nullptr) {
    auto config_snap = Config();
    const WebConfig& config = *config_snap;
    int64_t now = NowMs();
    {
      std::lock_guard<std::mutex> lock(misc_mu);
      if (known_at_ms >= 0 && now - known_at_ms < kKnownStoresTtlMs && !kiosks_out) {
        return known_stores;
      }
    }
    std::vector<KioskSummary> ks;
    {
      Lease lease(this);
      auto r = lease.get()->Kiosks();
      if (!r.ok()) return ServerError("store: " + r.status().ToString());
      ks = std::move(r.value());
    }
    std::set<std::string> stores;
    for (const KioskSummary& k : ks) stores.insert(k.store);
    for (const auto& [region, ss] : config.regions) stores.insert(ss.begin(), ss.end());
    std::lock_guard<std::mutex> lock(misc_mu);
    known_stores.assign(stores.begin(), stores.end());
    known_at_ms = now;
    if (kiosks_out) *kiosks_out = ks;
    return known_stores;
  }

  std::optional<Session> SessionOf(const httplib::Request& req) {
    std::string token = CookieValue(req, "tp_session");
    if (token.empty()) return std::nullopt;
    return auth->Find(token, NowMs());
  }

  std::string CookieFor(const Session& s) const {
    return "tp_session=" + s.token + "; HttpOnly; SameSite=Strict; Path=/" +
           (tls ? "; Secure" : "");
  }

  // The session of a request that needs one (401 without), with the CSRF header checked for
  // state-changing requests (403) and the admin role when asked (403).
  ApiResult<Session> Require(const httplib::Request& req, bool csrf, bool admin) {
    auto s = SessionOf(req);
    if (!s) return Unauthorized("session: not logged in (or the session expired)");
    if (csrf && !SameSecret(req.get_header_value("X-CSRF-Token"), s->csrf)) {
      return Forbidden("X-CSRF-Token: missing or wrong");
    }
    if (admin && s->user.role != "admin") return Forbidden("role: admin only");
    return *s;
  }

  ApiResult<Json> Body(const httplib::Request& req) {
    Json j = Json::parse(req.body, nullptr, /*allow_exceptions=*/false);
    if (j.is_discarded() || !j.is_object()) return BadRequest("body: not a JSON object");
    return j;
  }

  static ApiResult<std::string> Field(const Json& body, const char* name) {
    auto it = body.find(name);
    if (it == body.end() || !it->is_string()) return BadRequest(std::string(name) + ": missing");
    return it->get<std::string>();
  }

  using ViewFn = std::function<ApiResult<Json>(ViewContext&, const ResolvedFilter&)>;

  // Every view endpoint: session, filter resolution (the scope), a store connection, the view,
  // then JSON or CSV (`list`: the key of the rows CSV lists).
  void ServeView(const httplib::Request& req, httplib::Response& res, const std::string& name,
                 const std::string& list, const ViewFn& fn,
                 const std::string* path_store = nullptr) {
    auto config_snap = Config();
    const WebConfig& config = *config_snap;
    auto session = Require(req, false, false);
    if (!session.ok()) return SendError(res, session.error());
    auto known = KnownStores();
    if (!known.ok()) return SendError(res, known.error());
    Params params(req.params.begin(), req.params.end());
    auto filter =
        ResolveFilter(params, session->user, config, *known, NowMs() / 86400000, path_store);
    if (!filter.ok()) return SendError(res, filter.error());
    Json out;
    {
      Lease lease(this);
      ViewContext c{lease.get(), &config, &*filter, &params};
      auto r = fn(c, *filter);
      if (!r.ok()) return SendError(res, r.error());
      out = std::move(*r);
    }
    if (!filter->csv) return SendJson(res, 200, out);
    Json rows = out.contains(list) ? out[list] : Json::array();
    res.status = 200;
    res.set_header("Cache-Control", "no-store");
    res.set_header("Content-Disposition", "attachment; filename=\"touchpoint-" + name + "-" +
                                              filter->period.from() + "-" + filter->period.to() +
                                              ".csv\"");
    SetBody(res, ToCsv(rows), "text/csv; charset=utf-8");
  }

  // The kiosks (their counters and seq gaps are kept at ingest: no event is read) and their
  // rejects. `only_store`: that store's kiosks only (the store page).
  FleetInputs Fleet(const std::string* only_store = nullptr) {
    FleetInputs in;
    auto known = KnownStores(&in.kiosks);
    (void)known;
    if (only_store) {
      std::erase_if(in.kiosks, [&](const KioskSummary& k) { return k.store != *only_store; });
    }
    for (const KioskSummary& k : in.kiosks) in.seq_gaps[k.kiosk] = k.seq_gaps;
    std::lock_guard<std::mutex> lock(misc_mu);
    auto rejects = RejectsPerKiosk(misc_db.get());
    if (rejects.ok()) in.rejects = std::move(*rejects);
    return in;
  }

  Json Meta(const Session& s) {
    auto config_snap = Config();
    const WebConfig& config = *config_snap;
    std::vector<std::string> known;
    if (auto k = KnownStores(); k.ok()) known = *k;
    Scope scope = ScopeOf(s.user, config, known);
    std::string key = scope.all ? "*" : "";
    for (const std::string& st : scope.stores) key += st + ",";
    MetaCache m;
    int64_t now = NowMs();
    bool cached = false;
    {
      std::lock_guard<std::mutex> lock(misc_mu);
      auto it = meta_cache.find(key);
      if (it != meta_cache.end() && now - it->second.at_ms < kMetaTtlMs) {
        m = it->second;
        cached = true;
      }
    }
    if (!cached && (scope.all || !scope.stores.empty())) {
      // Stages and touchpoints with cells in the last kMetaDays days; each store's current UTC
      // offset: its latest hour cell of the last two days. Index seeks per dim, no cell scan.
      int64_t today = now / 86400000;
      std::vector<std::string> stores(scope.stores.begin(), scope.stores.end());
      std::lock_guard<std::mutex> lock(misc_mu);
      auto dims = queries::RecentMetaDims(misc_db.get(), scope.all ? nullptr : &stores,
                                          today - kMetaDays, today + 2, today - 1);
      if (dims.ok()) {
        m.stages.assign(dims->stages.begin(), dims->stages.end());
        m.touchpoints.assign(dims->touchpoints.begin(), dims->touchpoints.end());
        m.offsets = std::move(dims->offsets);
      }
      m.at_ms = now;
      if (meta_cache.size() > 100) meta_cache.clear();
      meta_cache[key] = m;
    }
    Json regions = Json::object();
    Json stores = Json::array();
    for (const std::string& st : scope.stores) {
      std::string region = config.RegionOf(st);
      regions[region].push_back(st);
      auto off = m.offsets.find(st);
      stores.push_back(
          {{"store", st},
           {"region", region},
           {"utc_offset_min", off == m.offsets.end() ? Json(nullptr) : Json(off->second)}});
    }
    return Json{{"stages", config.OrderStages(m.stages)},
                {"touchpoints", m.touchpoints},
                {"regions", regions},
                {"stores", stores},
                {"user", SessionJson(s)},
                {"now_ms", now}};
  }

  void Notify(int64_t events, bool counted) {
    std::lock_guard<std::mutex> lock(live_mu);
    ++live_version;
    live_events += events;
    if (!counted) live_counted = false;
    live_cv.notify_all();
  }

  void Live(const httplib::Request& req, httplib::Response& res) {
    auto session = Require(req, false, false);
    if (!session.ok()) return SendError(res, session.error());
    {
      std::lock_guard<std::mutex> lock(live_mu);
      if (live_streams >= options.max_live_streams) {
        return SendError(res, TooMany("live: too many open streams (at most " +
                                      std::to_string(options.max_live_streams) + ")"));
      }
      ++live_streams;
    }
    struct Stream {
      uint64_t seen_version = 0;
      int64_t seen_events = 0;
      int64_t last_sent_ms = 0;
      bool hello = false;
    };
    auto stream = std::make_shared<Stream>();
    {
      std::lock_guard<std::mutex> lock(live_mu);
      stream->seen_version = live_version;
      stream->seen_events = live_events;
    }
    res.set_header("Cache-Control", "no-store");
    res.set_header("X-Accel-Buffering", "no");
    res.set_chunked_content_provider(
        "text/event-stream",
        [this, stream](size_t, httplib::DataSink& sink) {
          if (!stream->hello) {
            stream->hello = true;
            const std::string hello = ": live\n\n";
            return sink.write(hello.data(), hello.size());
          }
          std::unique_lock<std::mutex> lock(live_mu);
          auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(kLivePingMs);
          bool changed = live_cv.wait_until(
              lock, deadline, [&] { return stopping || live_version != stream->seen_version; });
          if (stopping) return false;
          std::string msg;
          if (!changed) {
            msg = ": ping\n\n";
          } else {
            // At most one notice per 500 ms: wait out the rest, then report all commits since.
            int64_t wait = stream->last_sent_ms + kLiveMinGapMs - NowMs();
            if (wait > 0) {
              live_cv.wait_for(lock, std::chrono::milliseconds(wait), [&] { return stopping; });
              if (stopping) return false;
            }
            int64_t events = live_events - stream->seen_events;
            stream->seen_version = live_version;
            stream->seen_events = live_events;
            stream->last_sent_ms = NowMs();
            Json data{{"ms", stream->last_sent_ms},
                      {"events", live_counted ? Json(events) : Json(nullptr)}};
            msg = "event: commit\ndata: " + data.dump() + "\n\n";
          }
          lock.unlock();
          return sink.write(msg.data(), msg.size());
        },
        [this](bool) {
          std::lock_guard<std::mutex> lock(live_mu);
          --live_streams;
        });
  }

  void PollDataVersion() {
    auto db = sql::Database::Open(options.db_path, sql::Database::Mode::kReadOnly);
    if (!db.ok()) {
      std::fprintf(stderr, "hub: web: live: %s\n", db.status().ToString().c_str());
      return;
    }
    std::optional<int64_t> last;
    std::unique_lock<std::mutex> lock(live_mu);
    while (!stopping) {
      lock.unlock();
      auto v = (*db)->QueryInt("PRAGMA data_version");
      lock.lock();
      if (v.ok() && *v) {
        if (last && **v != *last) {
          ++live_version;
          live_counted = false;
          live_cv.notify_all();
        }
        last = **v;
      }
      live_cv.wait_for(lock, std::chrono::milliseconds(kPollMs), [&] { return stopping; });
    }
  }

  // Evaluates the alert rules after commits (at most once a second) and every
  // alert_check_ms; publishes what opens through options.on_alert.
  void EvaluateAlerts() {
    uint64_t seen = 0;
    std::unique_lock<std::mutex> lock(live_mu);
    while (!stopping) {
      live_cv.wait_for(lock, std::chrono::milliseconds(options.alert_check_ms),
                       [&] { return stopping || live_version != seen; });
      if (stopping) break;
      seen = live_version;
      lock.unlock();
      std::vector<KioskSummary> ks;
      auto known = KnownStores(&ks);
      if (known.ok()) {
        ApiResult<std::vector<Json>> opened = std::vector<Json>{};
        {
          Lease lease(this);
          opened = alerts->Evaluate(lease.get(), *Config(), ks, *known, NowMs());
        }
        if (!opened.ok()) {
          std::fprintf(stderr, "hub: web: %s\n", opened.error().message.c_str());
        } else if (options.on_alert) {
          for (const Json& a : *opened) options.on_alert(a.dump());
        }
      }
      lock.lock();
      live_cv.wait_for(lock, std::chrono::seconds(1), [&] { return stopping; });
    }
  }

  // Which alerts a user sees: everything for admins and analysts; a regional user those of its
  // stores and regions (chain alerts add up other regions' figures: not shown).
  AlertVisible VisibleTo(const Session& s) {
    auto config_snap = Config();
    const WebConfig& config = *config_snap;
    if (s.user.role != "regional")
      return [](const std::string&, const std::string&) { return true; };
    std::vector<std::string> known;
    if (auto k = KnownStores(); k.ok()) known = *k;
    Scope scope = ScopeOf(s.user, config, known);
    std::vector<std::string> regions = s.user.regions;
    return [scope, regions](const std::string& store, const std::string& region) {
      if (!store.empty()) return scope.stores.count(store) > 0;
      return !region.empty() && std::find(regions.begin(), regions.end(), region) != regions.end();
    };
  }

  void ServeStatic(const httplib::Request& req, httplib::Response& res) {
    std::string path = req.path;
    bool safe = path.find("..") == std::string::npos && path.find('\0') == std::string::npos &&
                path.find('\\') == std::string::npos;
    std::filesystem::path root(options.web_root);
    std::filesystem::path file = root / (path.size() > 1 ? path.substr(1) : "index.html");
    std::error_code ec;
    if (!safe || !std::filesystem::is_regular_file(file, ec)) {
      if (!safe) return SendError(res, NotFoundError("path: not found (" + path + ")"));
      // Client-side routes (/journey, /stores/x) get the app.
      file = root / "index.html";
      if (!std::filesystem::is_regular_file(file, ec)) {
        return SendError(res, NotFoundError("web root: no index.html in " + options.web_root));
      }
    }
    std::ifstream in(file, std::ios::binary);
    std::string content((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    res.status = 200;
    res.set_header("Cache-Control", "no-cache");
    res.set_header("Content-Security-Policy", kCsp);
    res.set_header("X-Content-Type-Options", "nosniff");
    SetBody(res, std::move(content), ContentType(file.string()));
  }

  std::shared_ptr<const WebConfig> Config() {
    std::lock_guard<std::mutex> lock(config_mu);
    return config_now;
  }

  // GET /api/v1/config's body: the file (path, text as on disk) and the config in force.
  Json ConfigJson() {
    Json j;
    const std::string& path = options.hub_config;
    j["path"] = path.empty() ? Json(nullptr) : Json(path);
    j["writable"] = !path.empty();
    std::string text;
    if (!path.empty()) {
      auto t = ReadWebConfigText(path);
      if (t.ok()) text = *t;
    }
    j["text"] = text;
    j["config"] = Config()->ToJson();
    return j;
  }

  // PUT /api/v1/config: validate with the file's parser, write atomically, use at once.
  void PutConfig(const httplib::Request& req, httplib::Response& res) {
    auto session = Require(req, true, true);
    if (!session.ok()) return SendError(res, session.error());
    const std::string& path = options.hub_config;
    if (path.empty()) {
      return SendError(res, ApiError{409,
                                     "config: this hub was started without --hub-config, so "
                                     "there is no file to save to (start it with --hub-config "
                                     "FILE; the file must exist)"});
    }
    auto body = Body(req);
    if (!body.ok()) return SendError(res, body.error());
    auto text = Field(*body, "text");
    if (!text.ok()) return SendError(res, text.error());
    auto parsed = ParseWebConfig(*text, path);
    if (!parsed.ok()) {
      // "FILE:LINE:COL: key: what", one a line: the page points at each line.
      Json problems = Json::array();
      std::string all = parsed.status().message();
      size_t pos = 0;
      while (pos < all.size()) {
        size_t end = all.find('\n', pos);
        if (end == std::string::npos) end = all.size();
        std::string line = all.substr(pos, end - pos);
        pos = end + 1;
        Json p{{"line", nullptr}, {"col", nullptr}, {"message", line}};
        if (line.rfind(path + ":", 0) == 0) {
          std::string rest = line.substr(path.size() + 1);
          int l = 0, c = 0, used = 0;
          if (std::sscanf(rest.c_str(), "%d:%d: %n", &l, &c, &used) == 2 && used > 0) {
            p["line"] = l;
            p["col"] = c;
            p["message"] = rest.substr(static_cast<size_t>(used));
          }
        }
        problems.push_back(std::move(p));
      }
      return SendJson(res, 400, Json{{"error", all}, {"problems", problems}});
    }
    {
      std::lock_guard<std::mutex> write(config_write_mu);
      if (Status s = WriteWebConfigText(path, *text); !s.ok()) {
        return SendError(res, ServerError("config: " + s.ToString()));
      }
      std::lock_guard<std::mutex> lock(config_mu);
      config_now = std::make_shared<const WebConfig>(std::move(parsed.value()));
    }
    {
      std::lock_guard<std::mutex> lock(misc_mu);
      known_at_ms = -1;
      meta_cache.clear();
    }
    std::fprintf(stderr, "hub: web: %s saved the hub config %s\n", session->user.user.c_str(),
                 path.c_str());
    SendJson(res, 200, ConfigJson());
    Notify(0, true);  // open views refetch, rules are evaluated against the new config
  }

  void Routes();
};

void WebServer::Impl::Routes() {
  httplib::Server& s = *server;
  s.Post("/api/v1/setup", [this](const httplib::Request& req, httplib::Response& res) {
    auto body = Body(req);
    if (!body.ok()) return SendError(res, body.error());
    auto token = Field(*body, "token");
    auto user = Field(*body, "user");
    auto password = Field(*body, "password");
    for (auto* f : {&token, &user, &password}) {
      if (!f->ok()) return SendError(res, f->error());
    }
    auto session = auth->Setup(*token, User{*user, "admin", {}}, *password, NowMs());
    if (!session.ok()) return SendError(res, session.error());
    // A new hub watches from its first admin on; the admin may change or delete these.
    if (auto starters = alerts->AddStarterRules(*Config(), NowMs()); !starters.ok()) {
      return SendError(res, starters.error());
    }
    res.set_header("Set-Cookie", CookieFor(*session));
    SendJson(res, 201, SessionJson(*session));
  });
  s.Post("/api/v1/login", [this](const httplib::Request& req, httplib::Response& res) {
    auto body = Body(req);
    if (!body.ok()) return SendError(res, body.error());
    auto user = Field(*body, "user");
    auto password = Field(*body, "password");
    for (auto* f : {&user, &password}) {
      if (!f->ok()) return SendError(res, f->error());
    }
    auto session = auth->Login(*user, *password, req.remote_addr, NowMs());
    if (!session.ok()) return SendError(res, session.error());
    res.set_header("Set-Cookie", CookieFor(*session));
    SendJson(res, 200, SessionJson(*session));
  });
  s.Get("/api/v1/session", [this](const httplib::Request& req, httplib::Response& res) {
    auto session = Require(req, false, false);
    if (!session.ok()) return SendError(res, session.error());
    SendJson(res, 200, SessionJson(*session));
  });
  s.Post("/api/v1/logout", [this](const httplib::Request& req, httplib::Response& res) {
    auto session = Require(req, true, false);
    if (!session.ok()) return SendError(res, session.error());
    auth->Logout(session->token);
    res.set_header("Set-Cookie", std::string("tp_session=; HttpOnly; SameSite=Strict; Path=/; "
                                             "Max-Age=0") +
                                     (tls ? "; Secure" : ""));
    res.status = 204;
  });
  s.Get("/api/v1/users", [this](const httplib::Request& req, httplib::Response& res) {
    auto session = Require(req, false, true);
    if (!session.ok()) return SendError(res, session.error());
    auto users = auth->Users();
    if (!users.ok()) return SendError(res, users.error());
    Json list = Json::array();
    for (const User& u : *users) {
      list.push_back({{"user", u.user}, {"role", u.role}, {"regions", u.regions}});
    }
    SendJson(res, 200, Json{{"users", list}});
  });
  s.Post("/api/v1/users", [this](const httplib::Request& req, httplib::Response& res) {
    auto session = Require(req, true, true);
    if (!session.ok()) return SendError(res, session.error());
    auto body = Body(req);
    if (!body.ok()) return SendError(res, body.error());
    auto user = Field(*body, "user");
    auto password = Field(*body, "password");
    auto role = Field(*body, "role");
    for (auto* f : {&user, &password, &role}) {
      if (!f->ok()) return SendError(res, f->error());
    }
    User u{*user, *role, {}};
    if (body->contains("regions")) {
      const Json& r = (*body)["regions"];
      if (!r.is_array()) return SendError(res, BadRequest("regions: expected an array"));
      for (const Json& x : r) {
        if (!x.is_string()) return SendError(res, BadRequest("regions: expected strings"));
        u.regions.push_back(x.get<std::string>());
      }
    }
    std::vector<std::string> regions{kNoRegion};
    for (const auto& [name, stores] : Config()->regions) regions.push_back(name);
    auto added = auth->AddUser(u, *password, regions, NowMs());
    if (!added.ok()) return SendError(res, added.error());
    SendJson(res, 201, Json{{"user", u.user}, {"role", u.role}, {"regions", u.regions}});
  });
  s.Delete(R"(/api/v1/users/([^/]+))", [this](const httplib::Request& req, httplib::Response& res) {
    auto session = Require(req, true, true);
    if (!session.ok()) return SendError(res, session.error());
    auto r = auth->DeleteUser(req.matches[1]);
    if (!r.ok()) return SendError(res, r.error());
    res.status = 204;
  });
  s.Get("/api/v1/config", [this](const httplib::Request& req, httplib::Response& res) {
    auto session = Require(req, false, true);
    if (!session.ok()) return SendError(res, session.error());
    SendJson(res, 200, ConfigJson());
  });
  s.Put("/api/v1/config",
        [this](const httplib::Request& req, httplib::Response& res) { PutConfig(req, res); });
  s.Get("/api/v1/meta", [this](const httplib::Request& req, httplib::Response& res) {
    auto session = Require(req, false, false);
    if (!session.ok()) return SendError(res, session.error());
    SendJson(res, 200, Meta(*session));
  });
  s.Get("/api/v1/journey", [this](const httplib::Request& req, httplib::Response& res) {
    ServeView(req, res, "journey", "cells",
              [](ViewContext& c, const ResolvedFilter&) { return JourneyView(c); });
  });
  s.Get("/api/v1/trends", [this](const httplib::Request& req, httplib::Response& res) {
    ServeView(req, res, "trends", "rows", [](ViewContext& c, const ResolvedFilter& f) {
      auto r = TrendsView(c);
      if (!r.ok() || !f.csv) return r;
      // CSV: one row per series point, its previous-period point beside it.
      Json rows = Json::array();
      const Json& series = (*r)["series"];
      for (size_t i = 0; i < series.size(); ++i) {
        for (size_t p = 0; p < series[i]["points"].size(); ++p) {
          Json row{{"key", series[i]["key"]}};
          for (const auto& [k, v] : series[i]["points"][p].items()) row[k] = v;
          if (r->contains("previous_series")) {
            const Json& prev = (*r)["previous_series"][i]["points"];
            if (p < prev.size()) {
              row["previous_date"] = prev[p]["date"];
              row["previous"] = prev[p]["figures"];
            }
          }
          rows.push_back(std::move(row));
        }
      }
      (*r)["rows"] = std::move(rows);
      return r;
    });
  });
  s.Get("/api/v1/heatmap", [this](const httplib::Request& req, httplib::Response& res) {
    ServeView(req, res, "heatmap", "cells",
              [](ViewContext& c, const ResolvedFilter&) { return HeatmapView(c); });
  });
  s.Get("/api/v1/stores", [this](const httplib::Request& req, httplib::Response& res) {
    ServeView(req, res, "stores", "stores",
              [](ViewContext& c, const ResolvedFilter&) { return StoresView(c); });
  });
  s.Get(R"(/api/v1/stores/([^/]+))", [this](const httplib::Request& req, httplib::Response& res) {
    std::string store = req.matches[1];
    if (auto session = Require(req, false, false); !session.ok()) {
      return SendError(res, session.error());  // before the fleet's reads
    }
    FleetInputs fleet = Fleet(&store);
    ServeView(
        req, res, "store-" + store, "touchpoints",
        [&](ViewContext& c, const ResolvedFilter&) -> ApiResult<Json> {
          auto kiosks = FleetView(c, fleet, NowMs(), &store);
          if (!kiosks.ok()) return kiosks.error();
          return StorePageView(c, store, std::move(*kiosks));
        },
        &store);
  });
  s.Get("/api/v1/painpoints", [this](const httplib::Request& req, httplib::Response& res) {
    ServeView(req, res, "painpoints", "reasons",
              [](ViewContext& c, const ResolvedFilter&) { return PainPointsView(c); });
  });
  s.Get("/api/v1/fleet", [this](const httplib::Request& req, httplib::Response& res) {
    if (auto session = Require(req, false, false); !session.ok()) {
      return SendError(res, session.error());  // before the fleet's reads
    }
    FleetInputs fleet = Fleet();
    ServeView(req, res, "fleet", "kiosks",
              [&](ViewContext& c, const ResolvedFilter& f) -> ApiResult<Json> {
                int64_t now = NowMs();
                auto kiosks = FleetView(c, fleet, now);
                if (!kiosks.ok()) return kiosks.error();
                Json out{{"filter", FilterJson(f)}, {"now_ms", now}};
                out["kiosks"] = std::move(*kiosks);
                return out;
              });
  });
  s.Get("/api/v1/live",
        [this](const httplib::Request& req, httplib::Response& res) { Live(req, res); });
  s.Get("/api/v1/alerts", [this](const httplib::Request& req, httplib::Response& res) {
    auto session = Require(req, false, false);
    if (!session.ok()) return SendError(res, session.error());
    auto list = alerts->List(VisibleTo(*session));
    if (!list.ok()) return SendError(res, list.error());
    SendJson(res, 200, *list);
  });
  s.Post(R"(/api/v1/alerts/(\d{1,18})/ack)",
         [this](const httplib::Request& req, httplib::Response& res) {
           auto session = Require(req, true, false);
           if (!session.ok()) return SendError(res, session.error());
           auto a = alerts->Ack(std::stoll(req.matches[1]), session->user.user, NowMs(),
                                VisibleTo(*session));
           if (!a.ok()) return SendError(res, a.error());
           SendJson(res, 200, *a);
         });
  s.Get("/api/v1/rules", [this](const httplib::Request& req, httplib::Response& res) {
    auto session = Require(req, false, true);
    if (!session.ok()) return SendError(res, session.error());
    auto r = alerts->Rules();
    if (!r.ok()) return SendError(res, r.error());
    SendJson(res, 200, *r);
  });
  s.Post("/api/v1/rules", [this](const httplib::Request& req, httplib::Response& res) {
    auto session = Require(req, true, true);
    if (!session.ok()) return SendError(res, session.error());
    auto body = Body(req);
    if (!body.ok()) return SendError(res, body.error());
    auto r = alerts->AddRule(*body, *Config(), NowMs());
    if (!r.ok()) return SendError(res, r.error());
    SendJson(res, 201, *r);
    Notify(0, true);  // evaluate the new rule soon
  });
  s.Delete(R"(/api/v1/rules/(\d{1,18}))",
           [this](const httplib::Request& req, httplib::Response& res) {
             auto session = Require(req, true, true);
             if (!session.ok()) return SendError(res, session.error());
             auto r = alerts->DeleteRule(std::stoll(req.matches[1]));
             if (!r.ok()) return SendError(res, r.error());
             res.status = 204;
           });

  // Anything else under /api/: 405 for a known path with another method, else 404.
  auto unknown = [](const char* method) {
    return [method](const httplib::Request& req, httplib::Response& res) {
      static const std::vector<std::string> kKnown = {
          "/api/v1/setup",   "/api/v1/login",  "/api/v1/session",    "/api/v1/logout",
          "/api/v1/users",   "/api/v1/meta",   "/api/v1/journey",    "/api/v1/trends",
          "/api/v1/heatmap", "/api/v1/stores", "/api/v1/painpoints", "/api/v1/fleet",
          "/api/v1/live",    "/api/v1/alerts", "/api/v1/rules",      "/api/v1/config"};
      bool known =
          std::find(kKnown.begin(), kKnown.end(), req.path) != kKnown.end() ||
          req.path.rfind("/api/v1/stores/", 0) == 0 || req.path.rfind("/api/v1/users/", 0) == 0 ||
          req.path.rfind("/api/v1/alerts/", 0) == 0 || req.path.rfind("/api/v1/rules/", 0) == 0;
      if (known) {
        return SendError(
            res, ApiError{405, std::string("method: ") + method + " not allowed on " + req.path});
      }
      SendError(res, NotFoundError("path: no such endpoint (" + req.path + ")"));
    };
  };
  s.Get(R"(/api/.*)", unknown("GET"));
  s.Post(R"(/api/.*)", unknown("POST"));
  s.Put(R"(/api/.*)", unknown("PUT"));
  s.Delete(R"(/api/.*)", unknown("DELETE"));
  s.Patch(R"(/api/.*)", unknown("PATCH"));
  s.Get(R"(/.*)",
        [this](const httplib::Request& req, httplib::Response& res) { ServeStatic(req, res); });
}

WebServer::WebServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
WebServer::~WebServer() { Stop(); }

Result<std::unique_ptr<WebServer>> WebServer::Create(WebOptions options) {
  auto impl = std::make_unique<Impl>();
  auto colon = options.listen.rfind(':');
  if (colon == std::string::npos) {
    return Status::InvalidArgument("--http: expected HOST:PORT (" + options.listen + ")");
  }
  impl->host = options.listen.substr(0, colon);
  try {
    size_t used = 0;
    impl->port = std::stoi(options.listen.substr(colon + 1), &used);
    if (used != options.listen.size() - colon - 1) throw std::invalid_argument("port");
  } catch (...) {
    return Status::InvalidArgument("--http: not a port number (" + options.listen + ")");
  }
  if (impl->port < 0 || impl->port > 65535 || impl->host.empty()) {
    return Status::InvalidArgument("--http: expected HOST:PORT (" + options.listen + ")");
  }
  if (options.threads < 2 || options.store_connections < 1) {
    return Status::InvalidArgument("web: at least 2 threads and 1 store connection");
  }
  auto config = LoadWebConfig(options.hub_config);
  if (!config.ok()) return config.status();
  impl->config_now = std::make_shared<const WebConfig>(std::move(config.value()));
  if (options.web_root.empty()) options.web_root = DefaultWebRoot();
  if (options.tls_cert.empty() != options.tls_key.empty()) {
    return Status::InvalidArgument("--tls-cert and --tls-key go together");
  }
  for (int i = 0; i < options.store_connections; ++i) {
    auto store = OpenSqliteHubStore(options.db_path);
    if (!store.ok()) return Status(store.status());
    impl->pool.push_back(std::move(store.value()));
  }
  auto users_db = sql::Database::Open(options.db_path, sql::Database::Mode::kReadWriteCreate);
  if (!users_db.ok()) return users_db.status();
  impl->auth = Auth::Open(std::move(users_db.value()));
  auto alerts_db = sql::Database::Open(options.db_path, sql::Database::Mode::kReadWriteCreate);
  if (!alerts_db.ok()) return alerts_db.status();
  impl->alerts = std::make_unique<Alerts>(std::move(alerts_db.value()));
  auto misc = sql::Database::Open(options.db_path, sql::Database::Mode::kReadOnly);
  if (!misc.ok()) return misc.status();
  impl->misc_db = std::move(misc.value());
  impl->tls = !options.tls_cert.empty();
  if (impl->tls) {
    auto ssl =
        std::make_unique<httplib::SSLServer>(options.tls_cert.c_str(), options.tls_key.c_str());
    if (!ssl->is_valid()) {
      return Status::InvalidArgument("--tls-cert " + options.tls_cert + " / --tls-key " +
                                     options.tls_key + ": cannot load the certificate or key");
    }
    impl->server = std::move(ssl);
  } else {
    impl->server = std::make_unique<httplib::Server>();
  }
  impl->options = std::move(options);
  httplib::Server& s = *impl->server;
  int threads = impl->options.threads;
  s.new_task_queue = [threads] { return new httplib::ThreadPool(static_cast<size_t>(threads)); };
  s.set_payload_max_length(kMaxBodyBytes);
  s.set_read_timeout(10, 0);
  s.set_write_timeout(10, 0);
  s.set_keep_alive_timeout(5);
  s.set_keep_alive_max_count(100);
  s.set_error_handler(
      httplib::Server::HandlerWithResponse([](const httplib::Request&, httplib::Response& res) {
        if (!res.body.empty()) return httplib::Server::HandlerResponse::Unhandled;
        std::string m = res.status == 413   ? "body: larger than 64 KiB"
                        : res.status == 404 ? "path: not found"
                        : res.status == 405 ? "method: not allowed"
                                            : "request: refused";
        SendJson(res, res.status, Json{{"error", m}});
        return httplib::Server::HandlerResponse::Handled;
      }));
  s.set_exception_handler(
      [](const httplib::Request& req, httplib::Response& res, std::exception_ptr ep) {
        std::string what = "unknown";
        try {
          if (ep) std::rethrow_exception(ep);
        } catch (const std::exception& e) {
          what = e.what();
        } catch (...) {
        }
        std::fprintf(stderr, "hub: web: %s %s: %s\n", req.method.c_str(), req.path.c_str(),
                     what.c_str());
        SendJson(res, 500, Json{{"error", "server: internal error"}});
      });
  impl->Routes();
  return std::unique_ptr<WebServer>(new WebServer(std::move(impl)));
}

Status WebServer::Start() {
  Impl& i = *impl_;
  if (i.port == 0) {
    i.port = i.server->bind_to_any_port(i.host);
    if (i.port < 0) return Status::Unavailable("--http: cannot bind " + i.host);
  } else if (!i.server->bind_to_port(i.host, i.port)) {
    return Status::Unavailable("--http: cannot listen on " + i.options.listen +
                               " (in use, or not an address of this host)");
  }
  i.listener = std::thread([&i] { i.server->listen_after_bind(); });
  if (i.options.poll_data_version) i.poller = std::thread([&i] { i.PollDataVersion(); });
  i.evaluator = std::thread([&i] { i.EvaluateAlerts(); });
  return Status::Ok();
}

void WebServer::Stop() {
  Impl& i = *impl_;
  {
    std::lock_guard<std::mutex> lock(i.live_mu);
    i.stopping = true;
    i.live_cv.notify_all();
  }
  if (i.server) i.server->stop();
  if (i.listener.joinable()) i.listener.join();
  if (i.poller.joinable()) i.poller.join();
  if (i.evaluator.joinable()) i.evaluator.join();
}

int WebServer::port() const { return impl_->port; }

std::string WebServer::url() const {
  return std::string(impl_->tls ? "https" : "http") + "://" + impl_->host + ":" +
         std::to_string(impl_->port) + "/";
}

std::string WebServer::SetupUrl() const {
  std::string token = impl_->auth->SetupToken();
  return token.empty() ? "" : url() + "setup#token=" + token;
}

void WebServer::NotifyCommit(int64_t events) { impl_->Notify(events, true); }

}  // namespace touchpoint::hub
