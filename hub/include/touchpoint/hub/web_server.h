// The hub's web server (docs/hub-api.md): the JSON API under /api/v1/ (sessions, roles, the
// views over the rollup cells, live notices) and the web app's static files, over cpp-httplib.
//
// Threads: Start/Stop from one thread. The server answers on a fixed pool of `threads`
// threads; each request that reads figures leases one of a small pool of its own HubStore
// connections (HubStore is one thread at a time). NotifyCommit may be called from any thread
// (the hub's writer, after each commit that inserted events).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "touchpoint/core/status.h"

namespace touchpoint::hub {

struct WebOptions {
  std::string listen = "127.0.0.1:8080";  // HOST:PORT (port 0: any free port, see port())
  std::string db_path = "hub.db";         // the hub store (opened and migrated by Create)
  std::string hub_config;                 // TOML: stage order and regions (empty: none)
  std::string web_root;                   // the app's files (empty: DefaultWebRoot)
  std::string tls_cert, tls_key;          // both set: HTTPS (cookies then get `Secure`)
  int threads = 16;                       // request threads (fixed)
  int store_connections = 4;              // HubStore connections the views share
  int max_live_streams = 8;               // open /api/v1/live streams (each holds a thread)
  // Watch the store for other processes' commits (PRAGMA data_version, every 250 ms): `serve`.
  // `run --http` calls NotifyCommit from the writer instead.
  bool poll_data_version = true;
  // Called with each alert the rules open (JSON, docs/hub-api.md "Alerts"), on the server's
  // evaluation thread: `run --http` publishes it on <prefix>/alerts. Empty: not published.
  std::function<void(const std::string& alert_json)> on_alert;
  // Rules are evaluated after commits (at most once a second) and at least this often.
  int64_t alert_check_ms = 30000;
};

class WebServer {
 public:
  // Opens the store connections and reads the hub config; errors say what and where.
  static Result<std::unique_ptr<WebServer>> Create(WebOptions options);
  ~WebServer();  // Stop()s
  WebServer(const WebServer&) = delete;
  WebServer& operator=(const WebServer&) = delete;

  // Binds and starts answering on a thread of its own; returns once listening.
  Status Start();
  void Stop();
  int port() const;
  // "http://HOST:PORT/" (https with TLS).
  std::string url() const;
  // While no user exists: the one-time setup link (url() + "setup#token=<48 hex>"); else empty.
  std::string SetupUrl() const;
  // New events were committed: open live streams get a notice (at most one per 500 ms).
  void NotifyCommit(int64_t events);

 private:
  struct Impl;
  explicit WebServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// `<dir of the executable>/web` when it exists, else /usr/share/touchpoint/web.
std::string DefaultWebRoot();

}  // namespace touchpoint::hub
