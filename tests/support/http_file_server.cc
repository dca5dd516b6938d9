#include "http_file_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>

namespace touchpoint::testing {
namespace {

[[noreturn]] void Die(const std::string& what) {
  std::fprintf(stderr, "HttpFileServer: %s\n", what.c_str());
  std::abort();
}

}  // namespace

HttpFileServer::HttpFileServer(const std::string& file, Options options) : options_(options) {
  std::ifstream in(file, std::ios::binary);
  if (!in) Die("cannot read " + file);
  std::ostringstream data;
  data << in.rdbuf();
  body_ = data.str();
  size_t slash = file.find_last_of('/');
  name_ = slash == std::string::npos ? file : file.substr(slash + 1);

  if (pipe(stop_pipe_) != 0) Die("pipe failed");
  listen_fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (listen_fd_ < 0) Die("socket failed");
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;  // the kernel picks a free port: no race with other tests
  socklen_t len = sizeof(addr);
  if (bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
      listen(listen_fd_, 8) != 0 ||
      getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    Die("cannot listen on 127.0.0.1");
  }
  port_ = ntohs(addr.sin_port);
  acceptor_ = std::thread([this] { AcceptLoop(); });
}

HttpFileServer::~HttpFileServer() {
  char byte = 1;
  if (write(stop_pipe_[1], &byte, 1) != 1) std::perror("HttpFileServer stop");
  acceptor_.join();
  std::vector<std::thread> workers;
  {
    std::lock_guard<std::mutex> lock(mu_);
    workers.swap(workers_);
  }
  for (auto& w : workers) w.join();
  close(listen_fd_);
  close(stop_pipe_[0]);
  close(stop_pipe_[1]);
}

std::string HttpFileServer::url() const {
  return "http://127.0.0.1:" + std::to_string(port_) + "/" + name_;
}

void HttpFileServer::AcceptLoop() {
  while (true) {
    pollfd fds[2] = {{listen_fd_, POLLIN, 0}, {stop_pipe_[0], POLLIN, 0}};
    if (poll(fds, 2, -1) < 0) continue;
    if (fds[1].revents != 0) return;
    if (fds[0].revents == 0) continue;
    int fd = accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) continue;
    ++connections_;
    std::lock_guard<std::mutex> lock(mu_);
    workers_.emplace_back([this, fd] {
      Serve(fd);
      close(fd);
    });
  }
}

bool HttpFileServer::SendAll(int fd, const char* data, size_t size) {
  while (size > 0) {
    pollfd fds[2] = {{fd, POLLOUT, 0}, {stop_pipe_[0], POLLIN, 0}};
    if (poll(fds, 2, -1) < 0) continue;
    if (fds[1].revents != 0) return false;
    ssize_t n = send(fd, data, size, MSG_NOSIGNAL);
    if (n <= 0) return false;
    data += n;
    size -= static_cast<size_t>(n);
  }
  return true;
}

void HttpFileServer::Serve(int fd) {
  // Read the request head; its path and headers (even Range) do not matter: every GET gets the
  // whole file, without Accept-Ranges, so the client treats it as an unseekable stream.
  std::string head;
  char buf[2048];
  while (head.find("\r\n\r\n") == std::string::npos && head.size() < 64 * 1024) {
    pollfd fds[2] = {{fd, POLLIN, 0}, {stop_pipe_[0], POLLIN, 0}};
    if (poll(fds, 2, -1) < 0) continue;
    if (fds[1].revents != 0) return;
    ssize_t n = recv(fd, buf, sizeof(buf), 0);
    if (n <= 0) return;
    head.append(buf, static_cast<size_t>(n));
  }
  std::string response = "HTTP/1.0 200 OK\r\nContent-Type: video/x-msvideo\r\nContent-Length: " +
                         std::to_string(body_.size()) + "\r\nConnection: close\r\n\r\n";
  if (!SendAll(fd, response.data(), response.size())) return;
  size_t send = body_.size();
  if (options_.fault != Fault::kNone) send = std::min(send, options_.fault_after_bytes);
  if (!SendAll(fd, body_.data(), send)) return;
  if (options_.fault == Fault::kStall) {
    // Keep the connection open and silent until the server stops.
    pollfd stop = {stop_pipe_[0], POLLIN, 0};
    while (poll(&stop, 1, -1) < 0) {
    }
  }
}

}  // namespace touchpoint::testing
