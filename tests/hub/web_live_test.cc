// `run --http` wiring end to end: a kiosk's events go through a real Mosquitto into the hub,
// whose writer tells the web server in the same process of each commit (HubOptions::on_commit);
// an open /api/v1/live stream gets the notice with the number of events, and the API's journey
// shows them.
#include <gtest/gtest.h>
#include <httplib.h>

#include <atomic>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

#include "sync_test_util.h"
#include "test_support.h"
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

  std::mutex mu;
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
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(rig.db->Append(synctest::Feedback(rig.stamper, synctest::kT0 + i * 1000, 4)).ok());
  }
  bool arrived = WaitFor([&] { return got.load(); }, std::chrono::seconds(20));
  reader.join();
  ASSERT_TRUE(arrived) << received;
  std::string data = received.substr(received.find("data: ") + 6);
  Json notice = Json::parse(data.substr(0, data.find('\n')));
  EXPECT_GE(notice["events"].get<int64_t>(), 1);
  EXPECT_LE(notice["events"].get<int64_t>(), 5);
  // Every event reaches the journey (the stamper's day is 2026-11-23).
  ASSERT_TRUE(WaitFor([&] {
    auto j = http.Get("/api/v1/journey?from=2026-11-23&to=2026-11-23", cookie);
    if (!j || j->status != 200) return false;
    Json body = Json::parse(j->body);
    return body["cells"].size() == 1 && body["cells"][0]["figures"]["responses"] == 5;
  }));
  rig.uplink->Stop();
  (*hub)->Stop();
  web = nullptr;
  (*server)->Stop();
}

}  // namespace
}  // namespace touchpoint::hub
