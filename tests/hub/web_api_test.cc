// The hub's web API (docs/hub-api.md) against a real SQLite file and a real server on a free
// loopback port, through an HTTP client: every endpoint and filter; figures equal
// metrics::Compute over the same events; a regional user never sees another region; sessions,
// CSRF, setup, bad parameters, body limits; live notices after a commit by another connection.
#include <gtest/gtest.h>
#include <httplib.h>

#include <atomic>
#include <cmath>
#include <fstream>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <random>
#include <set>
#include <thread>

#include "sync_test_util.h"
#include "test_support.h"
#include "touchpoint/core/clock.h"
#include "touchpoint/core/event_json.h"
#include "touchpoint/core/event_stamper.h"
#include "touchpoint/core/metrics.h"
#include "touchpoint/hub/hub_store.h"
#include "touchpoint/hub/web_server.h"

namespace touchpoint::hub {
namespace {

using Json = nlohmann::json;
using touchpoint::testing::TempDir;
using touchpoint::testing::WaitFor;
constexpr int64_t kMin = 60 * 1000;
constexpr int64_t kHour = 60 * kMin;
constexpr int64_t kDayMs = 24 * kHour;
// 2026-11-23 (a Monday) is the current period of most tests, 2026-11-22 its previous one.
constexpr int64_t kDay23 = 1795392000000;  // 2026-11-23T00:00:00Z

const char* kHubConfig = R"toml(
[journey]
stages = ["pay", "arrive"]

[regions]
north = ["store-a", "store-b"]
south = ["store-c"]

# Every store always open (so that the camera rule's test does not depend on the hour it runs
# at), but store-c never.
[opening_hours]
mon = "00:00-24:00"
tue = "00:00-24:00"
wed = "00:00-24:00"
thu = "00:00-24:00"
fri = "00:00-24:00"
sat = "00:00-24:00"
sun = "00:00-24:00"
[opening_hours.regions.south]
mon = "closed"
tue = "closed"
wed = "closed"
thu = "closed"
fri = "closed"
sat = "closed"
sun = "closed"
)toml";

struct KioskDef {
  std::string kiosk, store, touchpoint, stage;
  int32_t offset_min;
};
const std::vector<KioskDef> kKiosks = {
    {"ka1", "store-a", "entrance", "arrive", 60}, {"ka2", "store-a", "checkout", "pay", 60},
    {"kb1", "store-b", "checkout", "pay", 0},     {"kc1", "store-c", "checkout", "pay", -300},
    {"kd1", "store-d", "checkout", "pay", 0},
};

// One event as the reference sees it: its dims, local time and the event itself.
struct RefEvent {
  KioskDef k;
  int64_t local_ms;  // event time (footfall: interval start) + offset
  Event e;
};

HubEvent Received(Event e, uint64_t seq, int32_t offset_min) {
  e.seq = seq;
  e.boot_count = 1;
  e.utc_offset_min = offset_min;
  std::string json = EncodeEvent(e);
  auto back = DecodeEvent(json);
  EXPECT_TRUE(back.ok()) << back.status().ToString();
  return ToHubEvent(back.value(), json, "mqtt");
}

Answer Score(const std::string& id, QuestionType type, int score) {
  Answer a;
  a.question_id = id;
  a.type = type;
  a.score = score;
  return a;
}

Event FeedbackEvent(const EventStamper& st, int64_t t, int csat, int nps,
                    std::vector<std::string> tags, bool suspect) {
  FeedbackPayload p;
  p.survey_id = "visit";
  p.survey_version = 1;
  p.language = "en";
  p.duration_ms = 3000;
  p.answers.push_back(Score("overall", QuestionType::kCsat, csat));
  if (nps >= 0) p.answers.push_back(Score("recommend", QuestionType::kNps, nps));
  if (!tags.empty()) {
    Answer a;
    a.question_id = "reasons";
    a.type = QuestionType::kTags;
    a.tags = std::move(tags);
    p.answers.push_back(a);
  }
  p.suspect = suspect;
  if (suspect) p.suspect_reason = "rapid_repeat";
  return st.MakeAt(p, t);
}

std::string Get(const Json& j, const char* key) {
  return j.contains(key) && j[key].is_string() ? j[key].get<std::string>() : "";
}

void ExpectNear(const Json& got, const std::optional<double>& want, const std::string& where) {
  if (!want) {
    EXPECT_TRUE(got.is_null()) << where << ": " << got;
  } else {
    ASSERT_TRUE(got.is_number()) << where << ": " << got;
    EXPECT_NEAR(got.get<double>(), *want, 1e-9) << where;
  }
}

// The API's figures object against metrics::Compute over the reference sums.
void ExpectFigures(const Json& got, const metrics::Sums& ref, bool suspect,
                   const std::string& where) {
  metrics::Figures f = metrics::Compute(ref, suspect);
  ASSERT_TRUE(got.is_object()) << where;
  EXPECT_EQ(got["visitors_in"], f.visitors_in) << where;
  EXPECT_EQ(got["visitors_out"], f.visitors_out) << where;
  EXPECT_EQ(got["responses"], f.responses) << where;
  EXPECT_EQ(got["suspect"], f.suspect) << where;
  EXPECT_EQ(got["abandoned"], f.abandoned) << where;
  EXPECT_EQ(got["csat_n"], f.csat_n) << where;
  EXPECT_EQ(got["nps_n"], f.nps_n) << where;
  EXPECT_EQ(got["unhappy"], f.scored.unhappy) << where;
  EXPECT_EQ(got["counted_s"], ref.counted_s) << where;
  ExpectNear(got["csat_mean"], f.csat_mean, where + " csat_mean");
  ExpectNear(got["nps"], f.nps, where + " nps");
  ExpectNear(got["response_rate"], f.response_rate, where + " response_rate");
  ExpectNear(got["csat_satisfied_pct"], f.csat_satisfied_pct, where + " csat_satisfied_pct");
  for (int s = 1; s <= 5; ++s) EXPECT_EQ(got["csat_dist"][s - 1], f.scored.csat.counts[s]) << where;
  EXPECT_EQ(got["dwell_n"], f.dwell_n) << where;
  ExpectNear(got["dwell_mean_s"], f.dwell_mean_s, where + " dwell_mean_s");
  ExpectNear(got["dwell_p90_s"], f.dwell_p90_s, where + " dwell_p90_s");
  EXPECT_EQ(got["dwell_by_zone"].size(), f.dwell_by_zone.size()) << where;
  for (const auto& [zone, d] : f.dwell_by_zone) {
    EXPECT_EQ(got["dwell_by_zone"][zone]["n"], d.n) << where << " " << zone;
    ExpectNear(got["dwell_by_zone"][zone]["mean_s"], d.mean_s, where + " dwell " + zone);
    ExpectNear(got["dwell_by_zone"][zone]["p90_s"], d.p90_s, where + " dwell p90 " + zone);
  }
  EXPECT_EQ(got["with_context"], f.scored.with_context) << where;
  for (size_t b = 0; b < metrics::kCrowdBands; ++b) {
    const Json& band = got["csat_by_crowd"][metrics::CrowdBandName(b)];
    EXPECT_EQ(band["csat_n"], f.csat_n_by_crowd[b]) << where << " band " << b;
    ExpectNear(band["csat_satisfied_pct"], f.csat_satisfied_pct_by_crowd[b],
               where + " crowd band " + metrics::CrowdBandName(b));
  }
}

class WebApiTest : public ::testing::Test {
 protected:
  struct Client {
    std::string cookie, csrf, user, role;
  };

  static void SetUpTestSuite() {
    dir_ = new TempDir();
    db_ = dir_->File("hub.db");
    std::ofstream(dir_->File("hub.toml")) << kHubConfig;
    std::filesystem::create_directories(dir_->File("web"));
    std::ofstream(dir_->File("web/index.html")) << "<!doctype html><title>touchpoint</title>";
    std::ofstream(dir_->File("web/app.js")) << "console.log('app');";
    events_ = new std::vector<RefEvent>();
    WriteEvents();
    WebOptions o;
    o.listen = "127.0.0.1:0";
    o.db_path = db_;
    o.hub_config = dir_->File("hub.toml");
    o.web_root = dir_->File("web");
    published_ = new std::vector<std::string>();
    o.on_alert = [](const std::string& alert) {
      std::lock_guard<std::mutex> lock(published_mu_);
      published_->push_back(alert);
    };
    auto s = WebServer::Create(o);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    server_ = s.value().release();
    ASSERT_TRUE(server_->Start().ok());
    std::string setup = server_->SetupUrl();
    ASSERT_NE(setup.find("setup#token="), std::string::npos) << setup;
    token_ = new std::string(setup.substr(setup.find("token=") + 6));
    ASSERT_EQ(token_->size(), 48u);
  }
  static void TearDownTestSuite() {
    if (server_) server_->Stop();
    delete server_;
    server_ = nullptr;
    delete events_;
    delete published_;
    delete token_;
    delete dir_;
  }

  // Events over 2026-11-16 .. 2026-11-23 (UTC), deterministic, in every store; plus store-d's
  // hand-checked ones on 2026-11-23 (local = UTC): CSAT 2 and 5, 10 visitors.
  static void WriteEvents() {
    auto store = OpenSqliteHubStore(db_);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    std::mt19937 rng(12);
    HubWrite w;
    std::map<std::string, uint64_t> seq;
    const std::vector<std::string> reasons = {"queue", "staff", "price", "clean"};
    for (const KioskDef& k : kKiosks) {
      auto clock = std::make_shared<ManualClock>(kDay23, k.offset_min);
      EventStamper st(synctest::Kiosk(k.kiosk, k.store, k.touchpoint), clock);
      KioskConfig kc = synctest::Kiosk(k.kiosk, k.store, k.touchpoint);
      kc.journey_stage = k.stage;
      EventStamper stamper(kc, clock);
      if (k.kiosk == "kd1") {
        for (int csat : {2, 5}) {
          Event e = FeedbackEvent(stamper, kDay23 + 12 * kHour, csat, -1, {}, false);
          events_->push_back({k, kDay23 + 12 * kHour, e});
          w.events.push_back(Received(e, ++seq[k.kiosk], k.offset_min));
        }
        Event f = synctest::Footfall(stamper, kDay23 + 11 * kHour, 10, 9);
        events_->push_back({k, kDay23 + 11 * kHour, f});
        w.events.push_back(Received(f, ++seq[k.kiosk], k.offset_min));
        continue;
      }
      for (int i = 0; i < 60; ++i) {
        int64_t t = kDay23 - 7 * kDayMs + static_cast<int64_t>(rng() % (8 * 24)) * kHour +
                    static_cast<int64_t>(rng() % 60) * kMin;
        Event e;
        if (i % 3 == 0) {
          e = synctest::Footfall(stamper, t, 1 + rng() % 9, rng() % 5);
          // One visit in the zone "queue" (footfall v2), and at the entrance one in "door".
          for (const char* zone : {"queue", "door"}) {
            if (zone == std::string("door") && k.touchpoint != "entrance") continue;
            double dwell = 5.0 + (i * 37 % 200);
            ZoneStats z;
            z.id = zone;
            z.visits = z.dwell_n = 1;
            z.occupancy_max = 1;
            z.occupancy_mean = 0.5;
            z.dwell_mean_s = z.dwell_p90_s = dwell;
            z.dwell_hist[DwellBucketOf(dwell)] = 1;
            std::get<FootfallPayload>(e.payload).zones.push_back(z);
          }
        } else {
          std::vector<std::string> tags;
          if (rng() % 2) tags.push_back(reasons[rng() % reasons.size()]);
          if (rng() % 3 == 0) tags.push_back(reasons[rng() % reasons.size()]);
          std::sort(tags.begin(), tags.end());
          tags.erase(std::unique(tags.begin(), tags.end()), tags.end());
          e = FeedbackEvent(stamper, t, 1 + static_cast<int>(rng() % 5),
                            rng() % 4 == 0 ? -1 : static_cast<int>(rng() % 11), tags,
                            rng() % 9 == 0);
          // The crowd when the session started (feedback v2 context), for CSAT by crowding.
          if (i % 4 != 1) {
            std::get<FeedbackPayload>(e.payload).context = FeedbackContext{i % 13, i % 30, {}};
          }
        }
        events_->push_back({k, t + int64_t{k.offset_min} * kMin, e});
        w.events.push_back(Received(e, ++seq[k.kiosk], k.offset_min));
      }
    }
    // A status for kb1 (online, queue 3) and an offline will for kc1.
    KioskStatus online{
        "kb1",   "store-b", "online",
        kDay23,  kDay23,    3,
        "1.2.3", "cfg-7",   R"({"state":"online","camera_state":"ok","oldest_pending_age_s":60})"};
    KioskStatus offline{"kc1",  "store-c", "offline",
                        kDay23, kDay23,    std::nullopt,
                        "",     "",        R"({"state":"offline"})"};
    w.statuses = {online, offline};
    auto r = (*store)->Write(w, kDay23 + kDayMs);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    ASSERT_EQ(r->inserted, static_cast<int64_t>(events_->size()));
  }

  // The reference sums of the events a filter selects (local days [from, to]).
  static metrics::Sums Ref(int64_t from_day_ms, int64_t to_day_ms,
                           const std::function<bool(const RefEvent&)>& pick) {
    metrics::Sums s;
    for (const RefEvent& r : *events_) {
      if (r.local_ms < from_day_ms || r.local_ms >= to_day_ms + kDayMs) continue;
      if (pick && !pick(r)) continue;
      s.AddEvent(r.e);
    }
    return s;
  }

  static httplib::Client Http() {
    httplib::Client c("127.0.0.1", server_->port());
    c.set_read_timeout(20, 0);
    return c;
  }
  static httplib::Headers H(const Client& c, bool csrf = false) {
    httplib::Headers h{{"Cookie", c.cookie}};
    if (csrf) h.emplace("X-CSRF-Token", c.csrf);
    return h;
  }

  // Adds an alert rule as `admin`; its id, or -1 (and a failure) when refused.
  static int64_t AddRule(const Client& admin, const Json& rule) {
    auto made = Http().Post("/api/v1/rules", H(admin, true), rule.dump(), "application/json");
    EXPECT_TRUE(made);
    if (!made) return -1;
    EXPECT_EQ(made->status, 201) << made->body;
    return made->status == 201 ? Json::parse(made->body)["id"].get<int64_t>() : -1;
  }
  static int64_t NowMs() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  }

  static Client FromResponse(const httplib::Result& r) {
    Client c;
    EXPECT_TRUE(r);
    if (!r) return c;
    std::string set = r->get_header_value("Set-Cookie");
    c.cookie = set.substr(0, set.find(';'));
    Json j = Json::parse(r->body);
    c.csrf = Get(j, "csrf");
    c.user = Get(j, "user");
    c.role = Get(j, "role");
    return c;
  }

  // The admin (made once through setup), and users made once by the admin.
  static Client& Admin() {
    static Client admin = [] {
      auto r = Http().Post(
          "/api/v1/setup",
          Json{{"token", *token_}, {"user", "root"}, {"password", "admin pass 123"}}.dump(),
          "application/json");
      EXPECT_TRUE(r && r->status == 201) << (r ? r->body : "no answer");
      return FromResponse(r);
    }();
    return admin;
  }
  static Client Login(const std::string& user, const std::string& password) {
    auto r = Http().Post("/api/v1/login", Json{{"user", user}, {"password", password}}.dump(),
                         "application/json");
    EXPECT_TRUE(r && r->status == 200) << (r ? r->body : "no answer");
    return FromResponse(r);
  }
  static Client& UserWith(const std::string& name, const std::string& role, Json regions) {
    static std::map<std::string, Client> users;
    auto it = users.find(name);
    if (it != users.end()) return it->second;
    auto r = Http().Post(
        "/api/v1/users", H(Admin(), true),
        Json{{"user", name}, {"password", "password " + name}, {"role", role}, {"regions", regions}}
            .dump(),
        "application/json");
    EXPECT_TRUE(r && r->status == 201) << (r ? r->body : "no answer");
    return users[name] = Login(name, "password " + name);
  }
  static Client& Analyst() { return UserWith("ana", "analyst", Json::array()); }
  static Client& North() { return UserWith("nora", "regional", Json::array({"north"})); }

  static Json GetJson(const Client& c, const std::string& path, int want = 200) {
    auto r = Http().Get(path, H(c));
    EXPECT_TRUE(r) << path;
    if (!r) return Json();
    EXPECT_EQ(r->status, want) << path << ": " << r->body;
    EXPECT_EQ(r->get_header_value("Content-Type"), "application/json") << path;
    return Json::parse(r->body, nullptr, false);
  }

  static TempDir* dir_;
  static std::string db_;
  static WebServer* server_;
  static std::string* token_;
  static std::vector<RefEvent>* events_;
  static std::mutex published_mu_;
  static std::vector<std::string>* published_;  // alerts given to WebOptions::on_alert
};

TempDir* WebApiTest::dir_ = nullptr;
std::string WebApiTest::db_;
WebServer* WebApiTest::server_ = nullptr;
std::string* WebApiTest::token_ = nullptr;
std::vector<RefEvent>* WebApiTest::events_ = nullptr;
std::mutex WebApiTest::published_mu_;
std::vector<std::string>* WebApiTest::published_ = nullptr;

const std::vector<std::string> kViews = {
    "/api/v1/meta",   "/api/v1/journey",        "/api/v1/trends",     "/api/v1/heatmap",
    "/api/v1/stores", "/api/v1/stores/store-a", "/api/v1/painpoints", "/api/v1/fleet"};
const std::string kDay = "from=2026-11-23&to=2026-11-23";

TEST_F(WebApiTest, SetupWorksOnceAndSessionsNeedTheCookie) {
  Client& admin = Admin();
  EXPECT_EQ(admin.role, "admin");
  EXPECT_EQ(admin.csrf.size(), 64u);
  EXPECT_TRUE(server_->SetupUrl().empty());
  auto again = Http().Post(
      "/api/v1/setup",
      Json{{"token", *token_}, {"user", "root2"}, {"password", "admin pass 123"}}.dump(),
      "application/json");
  ASSERT_TRUE(again);
  EXPECT_EQ(again->status, 403);
  EXPECT_NE(Json::parse(again->body)["error"].get<std::string>().find("setup"), std::string::npos);
  Json s = GetJson(admin, "/api/v1/session");
  EXPECT_EQ(s["user"], "root");
  EXPECT_EQ(s["csrf"], admin.csrf);
  // The cookie's attributes.
  auto r =
      Http().Post("/api/v1/login", Json{{"user", "root"}, {"password", "admin pass 123"}}.dump(),
                  "application/json");
  ASSERT_TRUE(r);
  EXPECT_NE(r->get_header_value("Set-Cookie").find("; HttpOnly; SameSite=Strict; Path=/"),
            std::string::npos);
}

TEST_F(WebApiTest, NoSessionIs401OnEveryEndpoint) {
  std::vector<std::string> paths = kViews;
  paths.push_back("/api/v1/session");
  paths.push_back("/api/v1/users");
  for (const std::string& p : paths) {
    auto r = Http().Get(p);
    ASSERT_TRUE(r) << p;
    EXPECT_EQ(r->status, 401) << p;
    EXPECT_TRUE(Json::parse(r->body)["error"].is_string()) << p;
    auto bad = Http().Get(p, {{"Cookie", "tp_session=0123456789"}});
    ASSERT_TRUE(bad);
    EXPECT_EQ(bad->status, 401) << p;
  }
}

TEST_F(WebApiTest, StateChangesWithoutCsrfAre403) {
  Client& admin = Admin();
  auto r =
      Http().Post("/api/v1/users", H(admin),
                  Json{{"user", "x1"}, {"password", "0123456789ab"}, {"role", "analyst"}}.dump(),
                  "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 403);
  EXPECT_NE(r->body.find("X-CSRF-Token"), std::string::npos);
  httplib::Headers wrong{{"Cookie", admin.cookie}, {"X-CSRF-Token", std::string(64, '0')}};
  auto d = Http().Delete("/api/v1/users/ana", wrong);
  ASSERT_TRUE(d);
  EXPECT_EQ(d->status, 403);
  auto l = Http().Post("/api/v1/logout", H(admin), "", "application/json");
  ASSERT_TRUE(l);
  EXPECT_EQ(l->status, 403);
}

TEST_F(WebApiTest, UsersAreAdminOnly) {
  Client& analyst = Analyst();
  EXPECT_EQ(analyst.role, "analyst");
  GetJson(analyst, "/api/v1/users", 403);
  Json users = GetJson(Admin(), "/api/v1/users");
  std::set<std::string> names;
  for (const Json& u : users["users"]) names.insert(u["user"].get<std::string>());
  EXPECT_TRUE(names.count("root") && names.count("ana"));
  // Bad new users name the field.
  auto bad = Http().Post("/api/v1/users", H(Admin(), true),
                         Json{{"user", "reg"},
                              {"password", "0123456789ab"},
                              {"role", "regional"},
                              {"regions", {"west"}}}
                             .dump(),
                         "application/json");
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->status, 400);
  EXPECT_NE(bad->body.find("regions: unknown region (west)"), std::string::npos) << bad->body;
  // A user made and deleted loses its session.
  Client& temp = UserWith("temp", "analyst", Json::array());
  GetJson(temp, "/api/v1/session");
  auto d = Http().Delete("/api/v1/users/temp", H(Admin(), true));
  ASSERT_TRUE(d);
  EXPECT_EQ(d->status, 204);
  GetJson(temp, "/api/v1/session", 401);
  auto none = Http().Delete("/api/v1/users/nobody", H(Admin(), true));
  ASSERT_TRUE(none);
  EXPECT_EQ(none->status, 404);
}

TEST_F(WebApiTest, LogoutEndsTheSession) {
  Analyst();
  Client c = Login("ana", "password ana");
  GetJson(c, "/api/v1/session");
  auto r = Http().Post("/api/v1/logout", H(c, true), "", "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 204);
  GetJson(c, "/api/v1/session", 401);
}

TEST_F(WebApiTest, FailedLoginsAreRateLimited) {
  Analyst();
  int last = 0;
  for (int i = 0; i < 6; ++i) {
    auto r = Http().Post("/api/v1/login", Json{{"user", "ana"}, {"password", "wrong"}}.dump(),
                         "application/json");
    ASSERT_TRUE(r);
    last = r->status;
    if (i < 5) {
      EXPECT_EQ(r->status, 401) << i;
    }
  }
  EXPECT_EQ(last, 429);
  // Also with the right password while limited; other users are not affected.
  auto r = Http().Post("/api/v1/login", Json{{"user", "ana"}, {"password", "password ana"}}.dump(),
                       "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 429);
  auto unknown = Http().Post("/api/v1/login", Json{{"user", "nobody"}, {"password", "x"}}.dump(),
                             "application/json");
  ASSERT_TRUE(unknown);
  EXPECT_EQ(unknown->status, 401);
  EXPECT_EQ(Json::parse(unknown->body)["error"], "login: wrong user or password");
}

TEST_F(WebApiTest, BadParametersAre400NamingTheParameter) {
  Client& admin = Admin();
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"/api/v1/journey?from=2026-13-01", "from: not a date"},
      {"/api/v1/journey?to=yesterday", "to: not a date"},
      {"/api/v1/journey?from=2026-02-30", "from: not a date"},
      {"/api/v1/trends?from=2025-01-01&to=2026-11-23", "from: the range"},
      {"/api/v1/heatmap?from=2026-11-24&to=2026-11-23", "from: after to"},
      {"/api/v1/stores?suspect=yes", "suspect: expected 1 or 0"},
      {"/api/v1/painpoints?compare=2", "compare: expected 1 or 0"},
      {"/api/v1/fleet?format=xml", "format: json or csv"},
      {"/api/v1/trends?bucket=month", "bucket: day or week"},
      {"/api/v1/trends?by=store", "by: none, stage or touchpoint"},
      {"/api/v1/journey?curve_by=kiosk", "curve_by: chain, region or store"},
      {"/api/v1/journey?metric=happiness", "metric: not a figure"},
      {"/api/v1/journey?store=a%20b", "store: not an id"},
      {"/api/v1/journey?store=store-zz", "store: unknown store (store-zz)"},
      {"/api/v1/journey?region=west", "region: unknown region (west)"},
      {"/api/v1/journey?touchpoint=a/b", "touchpoint: not an id"},
      {"/api/v1/journey?stage=x&stage=y", "stage: given more than once"},
  };
  for (const auto& [path, want] : cases) {
    Json j = GetJson(admin, path, 400);
    EXPECT_NE(Get(j, "error").find(want), std::string::npos) << path << ": " << j;
  }
}

TEST_F(WebApiTest, BodyTooLargeIs413AndUnknownPathsAndMethods) {
  auto r = Http().Post("/api/v1/login", std::string(70 * 1024, 'x'), "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 413);
  EXPECT_EQ(Json::parse(r->body)["error"], "body: larger than 64 KiB");
  auto nf = Http().Get("/api/v1/nothing", H(Admin()));
  ASSERT_TRUE(nf);
  EXPECT_EQ(nf->status, 404);
  EXPECT_TRUE(Json::parse(nf->body)["error"].is_string());
  auto na = Http().Put("/api/v1/journey", H(Admin(), true), "{}", "application/json");
  ASSERT_TRUE(na);
  EXPECT_EQ(na->status, 405);
  auto nj = Http().Post("/api/v1/login", "{not json", "application/json");
  ASSERT_TRUE(nj);
  EXPECT_EQ(nj->status, 400);
  EXPECT_EQ(Json::parse(nj->body)["error"], "body: not a JSON object");
}

TEST_F(WebApiTest, StaticFilesWithHeadersAndClientRoutes) {
  auto r = Http().Get("/");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->get_header_value("Content-Type"), "text/html; charset=utf-8");
  EXPECT_EQ(r->get_header_value("Cache-Control"), "no-cache");
  EXPECT_EQ(r->get_header_value("Content-Security-Policy"),
            "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'");
  auto js = Http().Get("/app.js");
  ASSERT_TRUE(js);
  EXPECT_EQ(js->get_header_value("Content-Type"), "text/javascript; charset=utf-8");
  EXPECT_EQ(js->body, "console.log('app');");
  auto route = Http().Get("/stores/store-a");
  ASSERT_TRUE(route);
  EXPECT_EQ(route->status, 200);
  EXPECT_NE(route->body.find("<title>touchpoint</title>"), std::string::npos);
  auto escape = Http().Get("/../hub.toml");
  ASSERT_TRUE(escape);
  EXPECT_EQ(escape->body.find("regions"), std::string::npos);
}

TEST_F(WebApiTest, MetaListsStagesInConfiguredOrderAndRegions) {
  Json m = GetJson(Admin(), "/api/v1/meta");
  EXPECT_EQ(m["stages"], Json::array({"pay", "arrive"}));
  EXPECT_EQ(m["touchpoints"], Json::array({"checkout", "entrance"}));
  EXPECT_EQ(m["regions"]["north"], Json::array({"store-a", "store-b"}));
  EXPECT_EQ(m["regions"]["(none)"], Json::array({"store-d"}));
  EXPECT_EQ(m["stores"].size(), 4u);
  EXPECT_EQ(m["user"]["user"], "root");
  EXPECT_TRUE(m["now_ms"].is_number());
}

TEST_F(WebApiTest, HandCheckedFigures) {
  Json j = GetJson(Admin(), "/api/v1/stores/store-d?" + kDay);
  const Json& f = j["figures"];
  EXPECT_EQ(f["responses"], 2);
  EXPECT_EQ(f["csat_mean"], 3.5);
  EXPECT_EQ(f["csat_dist"], Json::array({0, 1, 0, 0, 1}));
  EXPECT_EQ(f["csat_satisfied_pct"], 50.0);
  EXPECT_EQ(f["visitors_in"], 10);
  EXPECT_EQ(f["response_rate"], 0.2);
  EXPECT_TRUE(f["nps"].is_null());
  EXPECT_TRUE(f["effort_mean"].is_null());
  EXPECT_EQ(f["unhappy"], 1);
  EXPECT_EQ(f["confidence"], "low_n");
  EXPECT_EQ(j["region"], "(none)");
  Json empty = GetJson(Admin(), "/api/v1/stores/store-d?from=2026-10-01&to=2026-10-02");
  EXPECT_EQ(empty["figures"]["confidence"], "no_data");
  EXPECT_TRUE(empty["figures"]["csat_mean"].is_null());
}

TEST_F(WebApiTest, JourneyEqualsComputeWithEveryFilter) {
  struct Case {
    std::string query;
    std::function<bool(const RefEvent&)> pick;
    bool suspect = false;
  };
  const std::vector<Case> cases = {
      {"", nullptr},
      {"&suspect=1", nullptr, true},
      {"&store=store-a", [](const RefEvent& r) { return r.k.store == "store-a"; }},
      {"&store=store-a,store-c",
       [](const RefEvent& r) { return r.k.store == "store-a" || r.k.store == "store-c"; }},
      {"&region=south", [](const RefEvent& r) { return r.k.store == "store-c"; }},
      {"&region=north&store=store-d", [](const RefEvent& r) { return r.k.store != "store-c"; }},
      {"&region=(none)", [](const RefEvent& r) { return r.k.store == "store-d"; }},
      {"&touchpoint=checkout", [](const RefEvent& r) { return r.k.touchpoint == "checkout"; }},
      {"&stage=arrive", [](const RefEvent& r) { return r.k.stage == "arrive"; }},
  };
  for (const std::string& range : {std::string("from=2026-11-23&to=2026-11-23"),
                                   std::string("from=2026-11-17&to=2026-11-23")}) {
    int64_t from = range.find("11-17") != std::string::npos ? kDay23 - 6 * kDayMs : kDay23;
    int64_t days = (kDay23 - from) / kDayMs + 1;
    for (const Case& c : cases) {
      std::string where = range + c.query;
      Json j = GetJson(Admin(), "/api/v1/journey?compare=1&" + range + c.query);
      ASSERT_TRUE(j.contains("cells")) << where << j;
      EXPECT_EQ(j["filter"]["suspect"], c.suspect);
      EXPECT_EQ(j["previous_period"]["to"], from == kDay23 ? "2026-11-22" : "2026-11-16");
      EXPECT_EQ(j["stages"][0], "pay") << where;
      std::set<std::pair<std::string, std::string>> seen;
      for (const Json& cell : j["cells"]) {
        std::string tp = cell["touchpoint"], stage = cell["stage"];
        seen.insert({tp, stage});
        auto pick = [&](const RefEvent& r) {
          return r.k.touchpoint == tp && r.k.stage == stage && (!c.pick || c.pick(r));
        };
        ExpectFigures(cell["figures"], Ref(from, kDay23, pick), c.suspect, where + " " + tp);
        ExpectFigures(cell["previous"], Ref(from - days * kDayMs, from - kDayMs, pick), c.suspect,
                      where + " previous " + tp);
        // Pain points: the top 3 of the cell's sums.
        auto pp = PainPoints(Ref(from, kDay23, pick), c.suspect);
        ASSERT_EQ(cell["pain_points"].size(), std::min<size_t>(3, pp.size())) << where;
        for (size_t i = 0; i < cell["pain_points"].size(); ++i) {
          EXPECT_EQ(cell["pain_points"][i]["reason"], pp[i].reason);
          EXPECT_EQ(cell["pain_points"][i]["unhappy"], pp[i].unhappy);
        }
      }
      // Every (touchpoint, stage) with events in either period is a cell.
      std::set<std::pair<std::string, std::string>> want;
      for (const RefEvent& r : *events_) {
        if (r.local_ms >= from - days * kDayMs && r.local_ms < kDay23 + kDayMs &&
            (!c.pick || c.pick(r))) {
          want.insert({r.k.touchpoint, r.k.stage});
        }
      }
      EXPECT_EQ(seen, want) << where;
      // The chain curve: per stage across touchpoints.
      ASSERT_EQ(j["curve"].size(), 1u);
      for (const Json& p : j["curve"][0]["points"]) {
        std::string stage = p["stage"];
        ExpectFigures(
            p["figures"],
            Ref(from, kDay23,
                [&](const RefEvent& r) { return r.k.stage == stage && (!c.pick || c.pick(r)); }),
            c.suspect, where + " curve " + stage);
      }
    }
  }
}

TEST_F(WebApiTest, JourneyCurveByStoreAndRegion) {
  Json j = GetJson(Admin(), "/api/v1/journey?" + kDay + "&curve_by=store&region=north");
  ASSERT_EQ(j["curve"].size(), 2u);
  EXPECT_EQ(j["curve"][0]["name"], "store-a");
  EXPECT_EQ(j["curve"][1]["name"], "store-b");
  for (const Json& series : j["curve"]) {
    std::string store = series["name"];
    for (const Json& p : series["points"]) {
      std::string stage = p["stage"];
      ExpectFigures(
          p["figures"],
          Ref(kDay23, kDay23,
              [&](const RefEvent& r) { return r.k.store == store && r.k.stage == stage; }),
          false, store + " " + stage);
    }
  }
  Json r = GetJson(Admin(), "/api/v1/journey?" + kDay + "&curve_by=region");
  std::set<std::string> names;
  for (const Json& s : r["curve"]) names.insert(s["name"].get<std::string>());
  EXPECT_EQ(names, (std::set<std::string>{"north", "south", "(none)"}));
}

TEST_F(WebApiTest, TrendsByDayAndWeekPerStageAndTouchpoint) {
  const std::string range = "from=2026-11-17&to=2026-11-23";
  Json d = GetJson(Admin(), "/api/v1/trends?" + range + "&compare=1");
  ASSERT_EQ(d["series"].size(), 1u);
  EXPECT_EQ(d["series"][0]["key"], "all");
  ASSERT_EQ(d["series"][0]["points"].size(), 7u);
  for (int i = 0; i < 7; ++i) {
    int64_t day = kDay23 - (6 - i) * kDayMs;
    const Json& p = d["series"][0]["points"][i];
    ExpectFigures(p["figures"], Ref(day, day, nullptr), false, p["date"].get<std::string>());
    const Json& pp = d["previous_series"][0]["points"][i];
    ExpectFigures(pp["figures"], Ref(day - 7 * kDayMs, day - 7 * kDayMs, nullptr), false,
                  "previous " + pp["date"].get<std::string>());
  }
  EXPECT_EQ(d["series"][0]["points"][0]["date"], "2026-11-17");
  Json s = GetJson(Admin(), "/api/v1/trends?" + range + "&by=stage");
  ASSERT_EQ(s["series"].size(), 2u);
  EXPECT_EQ(s["series"][0]["key"], "pay");  // configured order
  for (const Json& series : s["series"]) {
    std::string stage = series["key"];
    for (size_t i = 0; i < 7; ++i) {
      int64_t day = kDay23 - (6 - static_cast<int64_t>(i)) * kDayMs;
      ExpectFigures(series["points"][i]["figures"],
                    Ref(day, day, [&](const RefEvent& r) { return r.k.stage == stage; }), false,
                    stage);
    }
  }
  // Weeks: 2026-11-17..22 lie in the week of Monday 2026-11-16 (W47), Monday 2026-11-23 starts
  // W48; each week's figures are those of its days within the range.
  Json w = GetJson(Admin(), "/api/v1/trends?" + range + "&bucket=week&by=touchpoint");
  ASSERT_EQ(w["series"].size(), 2u);
  for (const Json& series : w["series"]) {
    std::string tp = series["key"];
    auto at = [&](const RefEvent& r) { return r.k.touchpoint == tp; };
    ASSERT_EQ(series["points"].size(), 2u);
    EXPECT_EQ(series["points"][0]["date"], "2026-11-16");
    EXPECT_EQ(series["points"][0]["week"], "2026-W47");
    EXPECT_EQ(series["points"][1]["week"], "2026-W48");
    ExpectFigures(series["points"][0]["figures"], Ref(kDay23 - 6 * kDayMs, kDay23 - kDayMs, at),
                  false, tp + " W47");
    ExpectFigures(series["points"][1]["figures"], Ref(kDay23, kDay23, at), false, tp + " W48");
  }
}

TEST_F(WebApiTest, HeatmapByLocalWeekdayAndHour) {
  const std::string range = "from=2026-11-17&to=2026-11-23";
  Json h = GetJson(Admin(), "/api/v1/heatmap?" + range + "&store=store-a,store-c");
  std::map<std::pair<int, int>, metrics::Sums> ref;
  for (const RefEvent& r : *events_) {
    if (r.local_ms < kDay23 - 6 * kDayMs || r.local_ms >= kDay23 + kDayMs) continue;
    if (r.k.store != "store-a" && r.k.store != "store-c") continue;
    int64_t day = r.local_ms / kDayMs;
    int weekday = static_cast<int>((day + 3) % 7) + 1;
    int hour = static_cast<int>((r.local_ms % kDayMs) / kHour);
    ref[{weekday, hour}].AddEvent(r.e);
  }
  ASSERT_EQ(h["cells"].size(), ref.size());
  for (const Json& c : h["cells"]) {
    std::pair<int, int> k{c["weekday"], c["hour"]};
    ASSERT_TRUE(ref.count(k));
    ExpectFigures(c["figures"], ref[k], false, "heatmap");
  }
}

TEST_F(WebApiTest, StoresRankedByBayesianScore) {
  const std::string range = "from=2026-11-17&to=2026-11-23";
  Json s = GetJson(Admin(), "/api/v1/stores?" + range + "&compare=1");
  EXPECT_NE(Get(s, "method").find("20"), std::string::npos);
  metrics::Figures chain = metrics::Compute(Ref(kDay23 - 6 * kDayMs, kDay23, nullptr), false);
  ASSERT_EQ(s["stores"].size(), 4u);
  double last = 1e9;
  for (size_t i = 0; i < s["stores"].size(); ++i) {
    const Json& row = s["stores"][i];
    std::string store = row["store"];
    metrics::Sums ref =
        Ref(kDay23 - 6 * kDayMs, kDay23, [&](const RefEvent& r) { return r.k.store == store; });
    ExpectFigures(row["figures"], ref, false, store);
    metrics::Figures f = metrics::Compute(ref, false);
    double n = static_cast<double>(f.csat_n);
    double want = (n * *f.csat_mean + 20 * *chain.csat_mean) / (n + 20);
    EXPECT_NEAR(row["score"].get<double>(), want, 1e-9) << store;
    EXPECT_NEAR(row["raw_csat_mean"].get<double>(), *f.csat_mean, 1e-9);
    EXPECT_LE(row["score"].get<double>(), last);
    last = row["score"].get<double>();
    EXPECT_EQ(row["rank"], static_cast<int>(i) + 1);
    EXPECT_TRUE(row.contains("previous_rank"));
    EXPECT_EQ(row["region"], store == "store-c"   ? "south"
                             : store == "store-d" ? "(none)"
                                                  : "north");
  }
}

TEST_F(WebApiTest, StorePageDrillsIntoTouchpointsHoursDaysAndKiosks) {
  const std::string range = "from=2026-11-17&to=2026-11-23";
  Json p = GetJson(Admin(), "/api/v1/stores/store-a?" + range + "&compare=1");
  auto in_a = [](const RefEvent& r) { return r.k.store == "store-a"; };
  ExpectFigures(p["figures"], Ref(kDay23 - 6 * kDayMs, kDay23, in_a), false, "store-a");
  ExpectFigures(p["previous"], Ref(kDay23 - 13 * kDayMs, kDay23 - 7 * kDayMs, in_a), false,
                "store-a previous");
  ASSERT_EQ(p["touchpoints"].size(), 2u);
  EXPECT_EQ(p["touchpoints"][0]["stage"], "pay");
  EXPECT_EQ(p["days"].size(), 7u);
  EXPECT_FALSE(p["hours"].empty());
  ASSERT_EQ(p["kiosks"].size(), 2u);
  EXPECT_EQ(p["kiosks"][0]["kiosk"], "ka1");
  GetJson(Admin(), "/api/v1/stores/store-zz", 404);
}

TEST_F(WebApiTest, PainPointsRankedByUnhappy) {
  const std::string range = "from=2026-11-17&to=2026-11-23";
  Json p = GetJson(Admin(), "/api/v1/painpoints?" + range + "&compare=1");
  metrics::Sums ref = Ref(kDay23 - 6 * kDayMs, kDay23, nullptr);
  auto want = PainPoints(ref, false);
  ASSERT_EQ(p["reasons"].size(), want.size());
  int64_t unhappy = metrics::Compute(ref, false).scored.unhappy;
  for (size_t i = 0; i < want.size(); ++i) {
    const Json& r = p["reasons"][i];
    EXPECT_EQ(r["reason"], want[i].reason);
    EXPECT_EQ(r["sessions"], want[i].sessions);
    EXPECT_EQ(r["unhappy"], want[i].unhappy);
    EXPECT_NEAR(r["unhappy_share"].get<double>(),
                static_cast<double>(want[i].unhappy) / static_cast<double>(unhappy), 1e-9);
    int64_t by_sessions = 0;
    for (const Json& b : r["by"]) by_sessions += b["sessions"].get<int64_t>();
    EXPECT_EQ(by_sessions, want[i].sessions);
    ASSERT_EQ(r["weeks"].size(), 2u);
    EXPECT_EQ(r["weeks"][0]["week"], "2026-W47");
    EXPECT_EQ(r["weeks"][0]["sessions"].get<int64_t>() + r["weeks"][1]["sessions"].get<int64_t>(),
              want[i].sessions);
    EXPECT_TRUE(r["previous"]["sessions"].is_number());
  }
}

TEST_F(WebApiTest, FleetFromKioskStatuses) {
  Json f = GetJson(Admin(), "/api/v1/fleet?" + kDay);
  ASSERT_EQ(f["kiosks"].size(), kKiosks.size());
  std::map<std::string, Json> by;
  for (const Json& k : f["kiosks"]) by[k["kiosk"]] = k;
  EXPECT_EQ(by["kb1"]["state"], "online");
  EXPECT_EQ(by["kb1"]["queue_depth"], 3);
  EXPECT_EQ(by["kb1"]["software_version"], "1.2.3");
  EXPECT_EQ(by["kb1"]["camera"], "counting");
  EXPECT_EQ(by["kb1"]["oldest_pending_ms"], kDay23 - 60000);
  EXPECT_TRUE(by["kb1"]["stale"]);  // its status is from 2026-11-23
  EXPECT_EQ(by["kc1"]["state"], "offline");
  EXPECT_EQ(by["kc1"]["region"], "south");
  EXPECT_NE(by["kc1"]["problems"].dump().find("offline for"), std::string::npos);
  EXPECT_EQ(by["ka1"]["state"], "unknown");
  EXPECT_TRUE(by["ka1"]["queue_depth"].is_null());
  EXPECT_EQ(by["ka1"]["seq_gaps"], 0);
  Json south = GetJson(Admin(), "/api/v1/fleet?region=south");
  ASSERT_EQ(south["kiosks"].size(), 1u);
  EXPECT_EQ(south["kiosks"][0]["kiosk"], "kc1");
}

TEST_F(WebApiTest, CsvOfEveryView) {
  const std::vector<std::pair<std::string, std::string>> views = {
      {"journey", "csat_mean"},        {"trends", "csat_mean"},
      {"heatmap", "weekday"},          {"stores", "score"},
      {"painpoints", "unhappy_share"}, {"fleet", "kiosk"},
      {"stores/store-a", "touchpoint"}};
  for (const auto& [view, column] : views) {
    auto r = Http().Get("/api/v1/" + view + "?from=2026-11-17&to=2026-11-23&compare=1&format=csv",
                        H(Admin()));
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200) << view << r->body;
    EXPECT_EQ(r->get_header_value("Content-Type"), "text/csv; charset=utf-8");
    std::string name = view == "stores/store-a" ? "store-store-a" : view;
    EXPECT_EQ(r->get_header_value("Content-Disposition"),
              "attachment; filename=\"touchpoint-" + name + "-2026-11-17-2026-11-23.csv\"");
    std::string header = r->body.substr(0, r->body.find("\r\n"));
    EXPECT_NE(header.find(column), std::string::npos) << view << ": " << header;
    if (view != "fleet" && view != "heatmap" && view != "stores/store-a") {
      EXPECT_NE(header.find("previous_"), std::string::npos) << view << ": " << header;
    }
    EXPECT_GT(std::count(r->body.begin(), r->body.end(), '\n'), 1) << view;
  }
}

TEST_F(WebApiTest, RegionalUserNeverSeesAnotherRegion) {
  Client& nora = North();
  EXPECT_EQ(nora.role, "regional");
  const std::vector<std::string> outside = {"store-c", "store-d", "kc1", "kd1", "south"};
  const std::string range = "from=2026-11-17&to=2026-11-23";
  for (const std::string& v : kViews) {
    for (const std::string& q :
         {std::string(""), std::string("&compare=1"), std::string("&format=csv&compare=1")}) {
      std::string path = v + "?" + range + q;
      if (v == "/api/v1/meta" && !q.empty()) continue;
      auto r = Http().Get(path, H(nora));
      ASSERT_TRUE(r) << path;
      EXPECT_EQ(r->status, 200) << path << r->body;
      for (const std::string& o : outside) {
        EXPECT_EQ(r->body.find(o), std::string::npos) << path << " shows " << o;
      }
    }
  }
  // Her figures are north's.
  Json t = GetJson(nora, "/api/v1/stores?" + range);
  ASSERT_EQ(t["stores"].size(), 2u);
  Json j = GetJson(nora, "/api/v1/journey?" + range);
  EXPECT_EQ(j["filter"]["stores"], Json::array({"store-a", "store-b"}));
  for (const Json& cell : j["cells"]) {
    std::string tp = cell["touchpoint"], stage = cell["stage"];
    ExpectFigures(cell["figures"],
                  Ref(kDay23 - 6 * kDayMs, kDay23,
                      [&](const RefEvent& r) {
                        return r.k.touchpoint == tp && r.k.stage == stage &&
                               (r.k.store == "store-a" || r.k.store == "store-b");
                      }),
                  false, "north " + tp);
  }
  // Naming what is outside: 403.
  for (const char* path :
       {"/api/v1/journey?store=store-c", "/api/v1/journey?store=store-a,store-d",
        "/api/v1/trends?region=south", "/api/v1/heatmap?region=(none)", "/api/v1/stores/store-c",
        "/api/v1/stores/store-zz", "/api/v1/fleet?store=store-c",
        "/api/v1/painpoints?format=csv&store=store-c", "/api/v1/stores?store=store-zz"}) {
    auto r = Http().Get(path, H(nora));
    ASSERT_TRUE(r) << path;
    EXPECT_EQ(r->status, 403) << path << ": " << r->body;
    EXPECT_NE(r->body.find("outside your regions"), std::string::npos) << path;
  }
  GetJson(nora, "/api/v1/users", 403);
}

TEST_F(WebApiTest, LiveNoticeAfterAnotherConnectionCommits) {
  Client& admin = Admin();
  std::atomic<bool> got{false}, opened{false};
  std::string received;
  std::mutex mu;
  // Waits are long for emulated (qemu) runs; they end as soon as the condition holds.
  // Each stream's reader ends at its notice or its 60 s read timeout; joined on every exit.
  struct Joined {
    std::thread t;
    ~Joined() {
      if (t.joinable()) t.join();
    }
  };
  Joined reader;
  reader.t = std::thread([&] {
    httplib::Client c("127.0.0.1", server_->port());
    c.set_read_timeout(60, 0);
    c.Get("/api/v1/live", H(admin), [&](const char* data, size_t n) {
      std::lock_guard<std::mutex> lock(mu);
      received.append(data, n);
      opened = true;
      if (received.find("event: commit\ndata: ") != std::string::npos &&
          received.find("\n\n", received.find("event: commit")) != std::string::npos) {
        got = true;
        return false;  // done: close the stream
      }
      return true;
    });
  });
  ASSERT_TRUE(WaitFor([&] { return opened.load(); }, std::chrono::seconds(30)));
  // Another connection (as another hub process would) commits new events.
  {
    auto store = OpenSqliteHubStore(db_);
    ASSERT_TRUE(store.ok());
    KioskConfig kc = synctest::Kiosk("kl1", "store-b", "checkout");
    EventStamper st(kc, std::make_shared<ManualClock>(kDay23));
    HubWrite w;
    w.events.push_back(Received(synctest::Footfall(st, kDay23 - 30 * kDayMs, 1, 1), 1, 0));
    auto r = (*store)->Write(w, kDay23);
    ASSERT_TRUE(r.ok());
    ASSERT_EQ(r->inserted, 1);
  }
  bool arrived = WaitFor([&] { return got.load(); }, std::chrono::seconds(30));
  reader.t.join();
  ASSERT_TRUE(arrived) << received;
  std::string data = received.substr(received.find("data: ") + 6);
  data = data.substr(0, data.find('\n'));
  Json j = Json::parse(data);
  EXPECT_TRUE(j["ms"].is_number());
  EXPECT_TRUE(j.contains("events"));
  // NotifyCommit (run --http) carries the count.
  // Its own "opened": the first stream's flag may still be set by a late callback.
  std::atomic<bool> got2{false}, opened2{false};
  std::string received2;
  Joined reader2;
  reader2.t = std::thread([&] {
    httplib::Client c("127.0.0.1", server_->port());
    c.set_read_timeout(60, 0);
    c.Get("/api/v1/live", H(admin), [&](const char* d, size_t n) {
      received2.append(d, n);
      if (received2.find("\"events\":") != std::string::npos &&
          received2.find("\n\n", received2.find("\"events\":")) != std::string::npos) {
        got2 = true;
        return false;
      }
      if (received2.find(": live") != std::string::npos) opened2 = true;
      return true;
    });
  });
  ASSERT_TRUE(WaitFor([&] { return opened2.load(); }, std::chrono::seconds(30)));
  server_->NotifyCommit(7);
  ASSERT_TRUE(WaitFor([&] { return got2.load(); }, std::chrono::seconds(30))) << received2;
}

TEST_F(WebApiTest, AlertsOpenAsEventsCommitAreScopedAndAcknowledged) {
  Client& admin = Admin();
  Json rule{{"name", "unhappy"}, {"metric", "unhappy_pct"}, {"op", ">="},
            {"threshold", 50},   {"window_min", 15},        {"min_n", 4},
            {"scope", "stores"}};
  Json bad = rule;
  bad["metric"] = "happiness";
  auto b = Http().Post("/api/v1/rules", H(admin, true), bad.dump(), "application/json");
  ASSERT_TRUE(b);
  EXPECT_EQ(b->status, 400);
  EXPECT_NE(b->body.find("metric: "), std::string::npos);
  auto no_csrf = Http().Post("/api/v1/rules", H(admin), rule.dump(), "application/json");
  ASSERT_TRUE(no_csrf);
  EXPECT_EQ(no_csrf->status, 403);
  auto analyst = Http().Post("/api/v1/rules", H(Analyst(), true), rule.dump(), "application/json");
  ASSERT_TRUE(analyst);
  EXPECT_EQ(analyst->status, 403);
  int64_t rule_id = AddRule(admin, rule);
  ASSERT_GE(rule_id, 0);

  // Four unhappy sessions now in store-b (north) and in store-c (south), from another
  // connection: the server notices the commit and evaluates.
  int64_t now = NowMs();
  {
    auto store = OpenSqliteHubStore(db_);
    ASSERT_TRUE(store.ok());
    HubWrite w;
    for (const char* k : {"kb1", "kc1"}) {
      KioskConfig kc = synctest::Kiosk(k, k == std::string("kb1") ? "store-b" : "store-c");
      kc.journey_stage = "pay";
      EventStamper st(kc, std::make_shared<ManualClock>(now));
      for (int i = 0; i < 4; ++i) {
        w.events.push_back(Received(FeedbackEvent(st, now - i * 1000, 1, 0, {"queue"}, false),
                                    1000 + static_cast<uint64_t>(i), 0));
      }
    }
    auto r = (*store)->Write(w, now);
    ASSERT_TRUE(r.ok());
    ASSERT_EQ(r->inserted, 8);
  }
  std::map<std::string, Json> open;
  ASSERT_TRUE(WaitFor(
      [&] {
        Json a = GetJson(admin, "/api/v1/alerts");
        open.clear();
        for (const Json& x : a["alerts"]) {
          if (x["rule"] == rule_id && x["state"] == "open") open[x["store"]] = x;
        }
        return open.count("store-b") && open.count("store-c");
      },
      std::chrono::seconds(20)));
  EXPECT_EQ(open["store-b"]["value"], 100.0);
  EXPECT_EQ(open["store-b"]["region"], "north");
  EXPECT_NE(Get(open["store-b"], "message").find("store-b: unhappy_pct 100 >= 50 with 4"),
            std::string::npos)
      << open["store-b"];
  // Given to on_alert after the alert's commit (so maybe a moment after the API lists it).
  std::string all;
  EXPECT_TRUE(WaitFor([&] {
    std::lock_guard<std::mutex> lock(published_mu_);
    all.clear();
    for (const std::string& p : *published_) all += p;
    return all.find("\"store\":\"store-b\"") != std::string::npos &&
           all.find("\"store\":\"store-c\"") != std::string::npos;
  })) << all;
  // The regional user sees north's alert only, and may acknowledge only it.
  Client& nora = North();
  Json mine = GetJson(nora, "/api/v1/alerts");
  for (const Json& x : mine["alerts"]) EXPECT_EQ(x["region"], "north") << x;
  std::string ack_c =
      "/api/v1/alerts/" + std::to_string(open["store-c"]["id"].get<int64_t>()) + "/ack";
  std::string ack_b =
      "/api/v1/alerts/" + std::to_string(open["store-b"]["id"].get<int64_t>()) + "/ack";
  auto c = Http().Post(ack_c, H(nora, true), "", "application/json");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->status, 404);
  auto nc = Http().Post(ack_b, H(nora), "", "application/json");
  ASSERT_TRUE(nc);
  EXPECT_EQ(nc->status, 403);
  auto ok = Http().Post(ack_b, H(nora, true), "", "application/json");
  ASSERT_TRUE(ok);
  ASSERT_EQ(ok->status, 200) << ok->body;
  Json acked = Json::parse(ok->body);
  EXPECT_EQ(acked["state"], "acked");
  EXPECT_EQ(acked["acked_by"], "nora");
  // Rules: admin only; deleting one.
  GetJson(nora, "/api/v1/rules", 403);
  // The three starter rules the first admin's setup added, and this one.
  Json rules = GetJson(admin, "/api/v1/rules");
  std::set<std::string> metrics;
  for (const Json& r : rules["rules"]) metrics.insert(r["metric"].get<std::string>());
  ASSERT_EQ(rules["rules"].size(), 4u) << rules;
  EXPECT_EQ(metrics,
            (std::set<std::string>{"unhappy_pct", "kiosk_offline_min", "camera_not_counting_min"}));
  auto del = Http().Delete("/api/v1/rules/" + std::to_string(rule_id), H(admin, true));
  ASSERT_TRUE(del);
  EXPECT_EQ(del->status, 204);
}

TEST_F(WebApiTest, CameraNotCountingDuringOpeningHours) {
  Client& admin = Admin();
  Json rule{{"name", "camera"}, {"metric", "camera_not_counting_min"},
            {"op", ">="},       {"threshold", 15},
            {"window_min", 15}, {"min_n", 0},
            {"scope", "stores"}};
  int64_t rule_id = AddRule(admin, rule);
  ASSERT_GE(rule_id, 0);
  int64_t now = NowMs();
  // Two camera kiosks whose last minute counted ended 40 minutes ago and whose status says the
  // camera is retrying: kcam1 in store-b (open), kcam2 in store-c (south: closed all week).
  auto write = [&](const char* kiosk, const char* store, uint64_t seq, int64_t start, bool status) {
    auto hub = OpenSqliteHubStore(db_);
    ASSERT_TRUE(hub.ok());
    KioskConfig kc = synctest::Kiosk(kiosk, store, "door");
    kc.journey_stage = "arrive";
    EventStamper st(kc, std::make_shared<ManualClock>(start));
    HubWrite w;
    w.events.push_back(Received(synctest::Footfall(st, start, 3, 2), seq, 0));
    if (status) {
      w.statuses.push_back({kiosk, store, "online", now, now, 0, "1.2.3", "cfg-7",
                            R"({"state":"online","camera_state":"retrying"})"});
    }
    auto r = (*hub)->Write(w, now);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
  };
  write("kcam1", "store-b", 1, now - 41 * kMin, true);
  write("kcam2", "store-c", 1, now - 41 * kMin, true);
  auto camera_alerts = [&] {
    std::map<std::string, Json> out;  // kiosk scope -> latest alert of the rule
    Json a = GetJson(admin, "/api/v1/alerts");
    for (const Json& x : a["alerts"]) {
      if (x["rule"] == rule_id && !out.count(x["scope"])) out[x["scope"]] = x;
    }
    return out;
  };
  std::map<std::string, Json> seen;
  ASSERT_TRUE(WaitFor(
      [&] {
        seen = camera_alerts();
        return seen.count("kiosk:kcam1") > 0;
      },
      std::chrono::seconds(20)));
  const Json& a = seen["kiosk:kcam1"];
  EXPECT_EQ(a["state"], "open");
  EXPECT_EQ(a["store"], "store-b");
  EXPECT_GE(a["value"].get<double>(), 40.0);
  EXPECT_LT(a["value"].get<double>(), 45.0);
  EXPECT_NE(Get(a, "message")
                .find("kiosk kcam1 (store-b) camera not counting for 40 min during "
                      "opening hours, camera retrying (camera)"),
            std::string::npos)
      << a;
  // Closed all week: the same silence opens nothing.
  EXPECT_EQ(seen.count("kiosk:kcam2"), 0u);
  // An offline kiosk is left to kiosk_offline_min: kc1 (store-c) is closed anyway, kb1 (online,
  // counting last a week ago in an open store) fires too.
  EXPECT_EQ(seen.count("kiosk:kc1"), 0u);
  EXPECT_TRUE(WaitFor([&] {
    std::lock_guard<std::mutex> lock(published_mu_);
    for (const std::string& p : *published_) {
      if (p.find("kiosk kcam1 (store-b) camera not counting") != std::string::npos) return true;
    }
    return false;
  }));
  // Counting resumes: the alert closes.
  write("kcam1", "store-b", 2, now - kMin, false);
  ASSERT_TRUE(WaitFor(
      [&] {
        seen = camera_alerts();
        return seen.count("kiosk:kcam1") && seen["kiosk:kcam1"]["state"] == "closed";
      },
      std::chrono::seconds(20)))
      << seen["kiosk:kcam1"];
  EXPECT_EQ(seen.count("kiosk:kcam2"), 0u);
  auto del = Http().Delete("/api/v1/rules/" + std::to_string(rule_id), H(admin, true));
  ASSERT_TRUE(del);
  EXPECT_EQ(del->status, 204);
}

TEST_F(WebApiTest, AdminEditsTheHubConfigAndTheServerUsesItAtOnce) {
  Client& admin = Admin();
  std::string path = dir_->File("hub.toml");
  std::filesystem::permissions(
      path, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  GetJson(Analyst(), "/api/v1/config", 403);
  GetJson(North(), "/api/v1/config", 403);
  Json got = GetJson(admin, "/api/v1/config");
  EXPECT_EQ(got["path"], path);
  EXPECT_EQ(got["writable"], true);
  EXPECT_EQ(got["text"], kHubConfig);
  EXPECT_EQ(got["config"]["stages"], Json::array({"pay", "arrive"}));
  EXPECT_EQ(got["config"]["regions"]["south"], Json::array({"store-c"}));
  EXPECT_EQ(got["config"]["opening_hours"]["default"]["mon"], Json::array({"00:00-24:00"}));
  EXPECT_EQ(got["config"]["opening_hours"]["regions"]["south"]["sun"], Json::array());

  std::string edited = kHubConfig;
  edited.replace(edited.find(R"(["pay", "arrive"])"), 17, R"(["arrive", "pay"])");
  auto put = [&](const Client& c, const std::string& text, bool csrf = true) {
    auto r =
        Http().Put("/api/v1/config", H(c, csrf), Json{{"text", text}}.dump(), "application/json");
    EXPECT_TRUE(r);
    return r ? std::make_pair(r->status, Json::parse(r->body, nullptr, false))
             : std::make_pair(0, Json());
  };
  EXPECT_EQ(put(admin, edited, false).first, 403);
  EXPECT_EQ(put(Analyst(), edited).first, 403);
  // A bad config: 400, every problem with its line and column; nothing changes.
  auto [bad_status, bad] =
      put(admin, "[journey]\nstages = [\"a\", \"a\"]\n[regions]\nnorth = [\"s 1\"]\n");
  EXPECT_EQ(bad_status, 400) << bad;
  ASSERT_EQ(bad["problems"].size(), 2u) << bad;
  EXPECT_EQ(bad["problems"][0]["line"], 2) << bad;
  EXPECT_EQ(bad["problems"][0]["col"], 10) << bad;
  EXPECT_EQ(bad["problems"][0]["message"], "journey.stages: a stage is listed twice") << bad;
  EXPECT_EQ(bad["problems"][1]["line"], 4) << bad;
  EXPECT_NE(Get(bad, "error").find(path + ":4:10: regions.north: expected an id"),
            std::string::npos)
      << bad;
  EXPECT_EQ(GetJson(admin, "/api/v1/meta")["stages"][0], "pay");
  // A good one: written whole (mode kept), used by the next request.
  auto [ok_status, ok] = put(admin, edited);
  ASSERT_EQ(ok_status, 200) << ok;
  EXPECT_EQ(ok["config"]["stages"], Json::array({"arrive", "pay"}));
  std::ifstream in(path);
  std::string on_disk((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(on_disk, edited);
  EXPECT_EQ(std::filesystem::status(path).permissions() & std::filesystem::perms::all,
            std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  Json meta = GetJson(admin, "/api/v1/meta");
  EXPECT_EQ(meta["stages"][0], "arrive");
  EXPECT_EQ(meta["stages"][1], "pay");
  Json journey = GetJson(admin, "/api/v1/journey?" + kDay);
  EXPECT_EQ(journey["stages"][0], "arrive") << journey["stages"];
  // Regions too: store-c moved to north, so the regional user of north now sees it.
  std::string moved = edited;
  moved.replace(moved.find(R"(north = ["store-a", "store-b"])"), 30,
                R"(north = ["store-a", "store-b", "store-c"])");
  moved.replace(moved.find(R"(south = ["store-c"])"), 19, R"(south = [])");
  ASSERT_EQ(put(admin, moved).first, 200);
  GetJson(North(), "/api/v1/stores/store-c?" + kDay, 200);
  ASSERT_EQ(put(admin, kHubConfig).first, 200);
  GetJson(North(), "/api/v1/stores/store-c?" + kDay, 403);
  EXPECT_EQ(GetJson(admin, "/api/v1/meta")["stages"][0], "pay");
}

TEST(WebServerConfig, WithoutAHubConfigFileSavingIsRefused) {
  TempDir dir;
  WebOptions o;
  o.listen = "127.0.0.1:0";
  o.db_path = dir.File("hub.db");
  o.web_root = dir.File("web");
  auto s = WebServer::Create(o);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  ASSERT_TRUE((*s)->Start().ok());
  std::string setup = (*s)->SetupUrl();
  httplib::Client c("127.0.0.1", (*s)->port());
  auto made = c.Post("/api/v1/setup",
                     Json{{"token", setup.substr(setup.find("token=") + 6)},
                          {"user", "root"},
                          {"password", "admin pass 123"}}
                         .dump(),
                     "application/json");
  ASSERT_TRUE(made && made->status == 201);
  std::string set = made->get_header_value("Set-Cookie");
  httplib::Headers h{{"Cookie", set.substr(0, set.find(';'))},
                     {"X-CSRF-Token", Json::parse(made->body)["csrf"].get<std::string>()}};
  auto got = c.Get("/api/v1/config", h);
  ASSERT_TRUE(got && got->status == 200);
  Json j = Json::parse(got->body);
  EXPECT_TRUE(j["path"].is_null());
  EXPECT_EQ(j["writable"], false);
  auto put =
      c.Put("/api/v1/config", h, R"({"text":"[journey]\nstages = [\"a\"]\n"})", "application/json");
  ASSERT_TRUE(put);
  EXPECT_EQ(put->status, 409);
  EXPECT_NE(put->body.find("without --hub-config"), std::string::npos) << put->body;
  (*s)->Stop();
}

TEST(WebServerConfig, BadHubConfigNamesFileAndLine) {
  TempDir dir;
  std::string path = dir.File("hub.toml");
  std::ofstream(path) << "[journey]\nstages = [\"a\", 3]\n[regions]\nnorth = [\"s1\"]\n"
                         "south = [\"s1\"]\n[extra]\n";
  WebOptions o;
  o.listen = "127.0.0.1:0";
  o.db_path = dir.File("hub.db");
  o.hub_config = path;
  auto s = WebServer::Create(o);
  ASSERT_FALSE(s.ok());
  std::string m = s.status().message();
  EXPECT_NE(m.find(path + ":2:"), std::string::npos) << m;
  EXPECT_NE(m.find("journey.stages"), std::string::npos) << m;
  EXPECT_NE(m.find("store s1 is already in region north"), std::string::npos) << m;
  EXPECT_NE(m.find("extra: unknown key"), std::string::npos) << m;
  std::ofstream(path) << "[journey\n";
  auto syntax = WebServer::Create(o);
  ASSERT_FALSE(syntax.ok());
  EXPECT_NE(syntax.status().message().find(path + ":1:"), std::string::npos)
      << syntax.status().message();
  std::ofstream(path) << "[regions]\nnorth = [\"s1\"]\n[opening_hours]\nmon = \"09:00-20:00\"\n"
                         "tue = \"20:00-09:00\"\nwed = 9\nholiday = \"closed\"\n"
                         "[opening_hours.regions.east]\nsat = \"10:00-12:00, 11:00-13:00\"\n";
  auto hours = WebServer::Create(o);
  ASSERT_FALSE(hours.ok());
  std::string h = hours.status().message();
  EXPECT_NE(h.find(path + ":5:7: opening_hours.tue: a range ends after it starts"),
            std::string::npos)
      << h;
  EXPECT_NE(h.find(path + ":6:7: opening_hours.wed: expected a string"), std::string::npos) << h;
  EXPECT_NE(h.find("opening_hours.holiday: unknown key"), std::string::npos) << h;
  EXPECT_NE(h.find("opening_hours.regions.east.sat: ranges in order and not overlapping"),
            std::string::npos)
      << h;
  EXPECT_NE(h.find("opening_hours.regions.east: no such region in [regions]"), std::string::npos)
      << h;
  o.hub_config = "";
  o.listen = "localhost";
  EXPECT_FALSE(WebServer::Create(o).ok());
}

}  // namespace
}  // namespace touchpoint::hub
