// `run --http` wiring end to end: a kiosk's events go through a real Mosquitto into the hub,
// whose writer tells the web server in the same process of each commit (HubOptions::on_commit);
// an open /api/v1/live stream gets the notice with the number of events, the API's journey
// shows them, and the alert they trip is published on <prefix>/alerts.
#include <gtest/gtest.h>
#include <httplib.h>

#include <mqtt/async_client.h>

#include <atomic>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

#include "sync_test_util.h"
#include "test_support.h"
#include "touchpoint/core/clock.h"
#include "touchpoint/core/event_json.h"
#include "touchpoint/core/event_stamper.h"
#include "touchpoint/hub/hub.h"
#include "touchpoint/hub/web_server.h"

namespace touchpoint::hub {
namespace {

using Json = nlohmann::json;
using testing::WaitFor;

TEST(WebLive, HubWriterCommitsReachAnOpenLiveStream) {
  testing::MosquittoBroker broker;
  testing::TempDir dir;
  std::string db = dir.File("hub.db");
  std::atomic<WebServer*> web{nullptr};
  auto opts = synctest::HubOpts(broker.uri(), db);
  opts.on_commit = [&web](int64_t inserted) {
    if (WebServer* w = web.load()) w->NotifyCommit(inserted);
  };
  auto hub = Hub::Create(opts);
  ASSERT_TRUE(hub.ok()) << hub.status().ToString();
  WebOptions wo;
  wo.listen = "127.0.0.1:0";
  wo.db_path = db;
  wo.poll_data_version = false;  // as `run --http`: notices come from the writer only
  wo.web_root = dir.path();
  wo.on_alert = [h = hub->get()](const std::string& alert) { h->PublishAlert(alert); };
  auto server = WebServer::Create(wo);
  ASSERT_TRUE(server.ok()) << server.status().ToString();
  ASSERT_TRUE((*server)->Start().ok());
  web = server->get();
  ASSERT_TRUE((*hub)->Start().ok());
  ASSERT_TRUE(WaitFor([&] { return (*hub)->Subscribed(); }));

  httplib::Client http("127.0.0.1", (*server)->port());
  std::string setup = (*server)->SetupUrl();
  auto r = http.Post("/api/v1/setup",
                     Json{{"token", setup.substr(setup.find("token=") + 6)},
                          {"user", "root"},
                          {"password", "admin pass 123"}}
                         .dump(),
                     "application/json");
  ASSERT_TRUE(r && r->status == 201);
  std::string set = r->get_header_value("Set-Cookie");
  httplib::Headers cookie{{"Cookie", set.substr(0, set.find(';'))}};

  // An alert rule, and a subscriber to <prefix>/alerts.
  auto rule = http.Post("/api/v1/rules",
                        {{"Cookie", cookie.begin()->second},
                         {"X-CSRF-Token", Json::parse(r->body)["csrf"].get<std::string>()}},
                        Json{{"name", "unhappy"},
                             {"metric", "unhappy_pct"},
                             {"op", ">="},
                             {"threshold", 50},
                             {"window_min", 15},
                             {"min_n", 4},
                             {"scope", "stores"}}
                            .dump(),
                        "application/json");
  ASSERT_TRUE(rule && rule->status == 201) << (rule ? rule->body : "");
  std::mutex mu;
  std::string alerts_seen;
  mqtt::async_client watcher(broker.uri(), "alerts-watcher");
  watcher.set_message_callback([&](mqtt::const_message_ptr m) {
    std::lock_guard<std::mutex> lock(mu);
    alerts_seen += m->get_topic() + " " + m->get_payload_str() + "\n";
  });
  watcher.connect()->wait();
  watcher.subscribe("touchpoint/v1/alerts", 1)->wait();

  std::string received;
  std::atomic<bool> opened{false}, got{false};
  std::thread reader([&] {
    httplib::Client c("127.0.0.1", (*server)->port());
    c.set_read_timeout(30, 0);
    c.Get("/api/v1/live", cookie, [&](const char* d, size_t n) {
      std::lock_guard<std::mutex> lock(mu);
      received.append(d, n);
      opened = true;
      size_t at = received.find("event: commit\ndata: ");
      if (at != std::string::npos && received.find("\n\n", at) != std::string::npos) {
        got = true;
        return false;
      }
      return true;
    });
  });
  ASSERT_TRUE(WaitFor([&] { return opened.load(); }));

  synctest::KioskRig rig("k1", "s1", broker.uri());
  ASSERT_TRUE(rig.Start().ok());
  // Five unhappy sessions (CSAT 1) just now.
  int64_t now = std::chrono::duration_cast<std::chrono::milliseconds>(
                    std::chrono::system_clock::now().time_since_epoch())
                    .count();
  EventStamper stamper(rig.config, std::make_shared<ManualClock>(now));
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(rig.db->Append(synctest::Feedback(stamper, now - i * 1000, 1)).ok());
  }
  bool arrived = WaitFor([&] { return got.load(); }, std::chrono::seconds(20));
  reader.join();
  ASSERT_TRUE(arrived) << received;
  std::string data = received.substr(received.find("data: ") + 6);
  Json notice = Json::parse(data.substr(0, data.find('\n')));
  EXPECT_GE(notice["events"].get<int64_t>(), 1);
  EXPECT_LE(notice["events"].get<int64_t>(), 5);
  // Every event reaches the journey (today, UTC: the kiosk's offset is 0).
  int64_t day_ms = now / 86400000 * 86400000;
  std::string today = FormatUtcMs(day_ms).substr(0, 10);
  ASSERT_TRUE(WaitFor([&] {
    auto j = http.Get("/api/v1/journey?from=" + today + "&to=" + today, cookie);
    if (!j || j->status != 200) return false;
    Json body = Json::parse(j->body);
    return body["cells"].size() == 1 && body["cells"][0]["figures"]["responses"] == 5;
  }));
  ASSERT_TRUE(WaitFor(
      [&] {
        std::lock_guard<std::mutex> lock(mu);
        return alerts_seen.find("\"store\":\"s1\"") != std::string::npos;
      },
      std::chrono::seconds(20)));
  {
    std::lock_guard<std::mutex> lock(mu);
    EXPECT_EQ(alerts_seen.rfind("touchpoint/v1/alerts {", 0), 0u) << alerts_seen;
    EXPECT_NE(alerts_seen.find("\"state\":\"open\""), std::string::npos) << alerts_seen;
  }
  watcher.disconnect()->wait();
  rig.uplink->Stop();
  (*hub)->Stop();
  web = nullptr;
  (*server)->Stop();
}

}  // namespace
}  // namespace touchpoint::hub
