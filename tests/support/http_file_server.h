// A small HTTP/1.0 server on 127.0.0.1 that serves one file, for tests of network video
// streams: it can drop or stall every connection part-way through, as a network camera does.
#pragma once

#include <atomic>
#include <cstddef>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace touchpoint::testing {

class HttpFileServer {
 public:
  enum class Fault {
    kNone,   // send the whole file
    kDrop,   // close the connection after `fault_after_bytes` of the body
    kStall,  // stop sending after `fault_after_bytes` but keep the connection open
  };
  struct Options {
    Fault fault = Fault::kNone;
    size_t fault_after_bytes = 0;
  };

  // Listens on a port the kernel picks; serves `file` for any GET path. Aborts the test
  // program if the file cannot be read or the socket cannot be opened.
  HttpFileServer(const std::string& file, Options options);
  explicit HttpFileServer(const std::string& file) : HttpFileServer(file, Options{}) {}
  ~HttpFileServer();  // closes every connection, even stalled ones, and joins the threads
  HttpFileServer(const HttpFileServer&) = delete;
  HttpFileServer& operator=(const HttpFileServer&) = delete;

  std::string url() const;  // http://127.0.0.1:<port>/<file name>
  int connections() const { return connections_.load(); }

 private:
  void AcceptLoop();
  void Serve(int fd);
  bool SendAll(int fd, const char* data, size_t size);  // false when stopping or the peer left

  std::string body_;
  std::string name_;
  Options options_;
  int listen_fd_ = -1;
  int stop_pipe_[2] = {-1, -1};  // readable once the destructor runs
  int port_ = 0;
  std::atomic<int> connections_{0};
  std::thread acceptor_;
  std::mutex mu_;
  std::vector<std::thread> workers_;
};

}  // namespace touchpoint::testing
