#include "test_support.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <set>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace touchpoint::testing {

namespace fs = std::filesystem;

TempDir::TempDir() {
  const char* base = std::getenv("TMPDIR");
  std::string tmpl = std::string(base && *base ? base : "/tmp") + "/touchpoint-test-XXXXXX";
  std::vector<char> buf(tmpl.begin(), tmpl.end());
  buf.push_back('\0');
  if (mkdtemp(buf.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  path_ = buf.data();
}

TempDir::~TempDir() {
  std::error_code ec;
  fs::remove_all(path_, ec);
}

bool WaitFor(const std::function<bool()>& condition, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    if (condition()) return true;
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

namespace {

// True if 127.0.0.1:port can be bound right now.
bool CanBindLoopback(int port) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) throw std::runtime_error("socket failed");
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(port));
  bool ok = bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  close(fd);
  return ok;
}

// The first port the kernel hands out for outgoing connections and port-0 binds.
int EphemeralPortStart() {
  std::ifstream in("/proc/sys/net/ipv4/ip_local_port_range");
  int first = 0;
  return in >> first && first > 1024 ? first : 32768;
}

}  // namespace

int FreeLoopbackPort() {
  // Below the ephemeral range: no client socket (a kiosk's, a hub's) can hold the port, and
  // the kernel never gives it to another test's port-0 bind. Random, so that tests running in
  // parallel rarely try the same one; the broker still checks the listener is its own.
  static std::mt19937 rng(std::random_device{}());
  int top = EphemeralPortStart() - 1;
  std::uniform_int_distribution<int> pick(std::min(20000, top - 1000), top);
  for (int attempt = 0; attempt < 100; ++attempt) {
    int port = pick(rng);
    if (CanBindLoopback(port)) return port;
  }
  throw std::runtime_error("no free loopback port below the ephemeral range");
}

bool ListensOnLoopback(pid_t pid, int port) {
  // Inodes of listening sockets on 127.0.0.1:port (/proc/net/tcp: "0100007F:1F90 ... 0A").
  char local[32];
  std::snprintf(local, sizeof local, "0100007F:%04X", port);
  std::set<std::string> inodes;
  std::ifstream tcp("/proc/" + std::to_string(pid) + "/net/tcp");
  std::string line;
  std::getline(tcp, line);  // header
  while (std::getline(tcp, line)) {
    std::istringstream fields(line);
    std::string slot, addr, remote, state, queues, timer, retransmits, uid, timeout, inode;
    fields >> slot >> addr >> remote >> state >> queues >> timer >> retransmits >> uid >> timeout >>
        inode;
    if (addr == local && state == "0A") inodes.insert(inode);
  }
  if (inodes.empty()) return false;
  std::error_code ec;
  for (const auto& fd : fs::directory_iterator("/proc/" + std::to_string(pid) + "/fd", ec)) {
    std::string target = fs::read_symlink(fd.path(), ec).string();
    if (target.rfind("socket:[", 0) == 0 && inodes.count(target.substr(8, target.size() - 9)) > 0) {
      return true;
    }
  }
  return false;
}

ChildProcess::ChildProcess(std::vector<std::string> argv, Options options) {
  int pipefd[2] = {-1, -1};
  if (options.capture_stdout && pipe2(pipefd, O_CLOEXEC) != 0) {
    throw std::runtime_error("pipe failed");
  }
  pid_ = fork();
  if (pid_ < 0) throw std::runtime_error("fork failed");
  if (pid_ == 0) {
    if (options.capture_stdout) dup2(pipefd[1], STDOUT_FILENO);
    if (options.quiet_stderr) {
      int devnull = open("/dev/null", O_WRONLY);
      if (devnull >= 0) dup2(devnull, STDERR_FILENO);
    }
    for (const auto& kv : options.extra_env) putenv(strdup(kv.c_str()));
    std::vector<char*> args;
    for (auto& a : argv) args.push_back(a.data());
    args.push_back(nullptr);
    execvp(args[0], args.data());
    _exit(127);
  }
  if (options.capture_stdout) {
    close(pipefd[1]);
    stdout_fd_ = pipefd[0];
  }
}

ChildProcess::~ChildProcess() {
  if (running()) {
    Kill(SIGKILL);
    Wait(std::chrono::seconds(10));
  }
  if (stdout_fd_ >= 0) close(stdout_fd_);
}

bool ChildProcess::running() {
  if (exit_code_ || pid_ <= 0) return false;
  int st = 0;
  pid_t r = waitpid(pid_, &st, WNOHANG);
  if (r == pid_) {
    exit_code_ = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
    return false;
  }
  return true;
}

void ChildProcess::Kill(int signal) {
  if (running()) ::kill(pid_, signal);
}

std::optional<int> ChildProcess::Wait(std::chrono::milliseconds timeout) {
  bool done = WaitFor([this] { return !running(); }, timeout);
  if (!done) return std::nullopt;
  return exit_code_;
}

std::optional<std::string> ChildProcess::ReadLine(std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    size_t nl = buffer_.find('\n');
    if (nl != std::string::npos) {
      std::string line = buffer_.substr(0, nl);
      buffer_.erase(0, nl + 1);
      return line;
    }
    if (stdout_fd_ < 0) return std::nullopt;
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return std::nullopt;
    pollfd p{stdout_fd_, POLLIN, 0};
    int r = poll(&p, 1, static_cast<int>(left.count()));
    if (r <= 0) continue;
    char buf[4096];
    ssize_t n = read(stdout_fd_, buf, sizeof buf);
    if (n <= 0) {
      close(stdout_fd_);
      stdout_fd_ = -1;
      continue;
    }
    buffer_.append(buf, static_cast<size_t>(n));
  }
}

std::string ChildProcess::ReadAll() {
  while (stdout_fd_ >= 0) {
    char buf[4096];
    ssize_t n = read(stdout_fd_, buf, sizeof buf);
    if (n <= 0) {
      close(stdout_fd_);
      stdout_fd_ = -1;
      break;
    }
    buffer_.append(buf, static_cast<size_t>(n));
  }
  std::string all;
  all.swap(buffer_);
  return all;
}

bool CanConnectLoopback(int port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return false;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(port));
  bool ok = connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  close(fd);
  return ok;
}

namespace {

std::string MosquittoBinary() {
  for (const char* p : {"/usr/sbin/mosquitto", "/usr/bin/mosquitto"}) {
    if (access(p, X_OK) == 0) return p;
  }
  return "mosquitto";
}

}  // namespace

bool RunToSuccess(std::vector<std::string> argv, std::chrono::milliseconds timeout) {
  ChildProcess::Options o;
  o.quiet_stderr = true;
  o.capture_stdout = true;
  ChildProcess p(std::move(argv), o);
  p.ReadAll();
  auto code = p.Wait(timeout);
  return code && *code == 0;
}

MosquittoBroker::MosquittoBroker() : port_(FreeLoopbackPort()) { Start(); }

MosquittoBroker::MosquittoBroker(FullConfig config)
    : port_(FreeLoopbackPort()), full_config_(std::move(config.text)) {
  Start();
}

MosquittoBroker::~MosquittoBroker() { Stop(); }

void MosquittoBroker::Stop() {
  if (!child_) return;
  child_->Kill(SIGKILL);
  child_->Wait(std::chrono::seconds(10));
  child_.reset();
  // The port is free again once nothing accepts on it.
  WaitFor([this] { return !CanConnectLoopback(port_); }, std::chrono::seconds(5));
}

void MosquittoBroker::Start() {
  if (child_) return;
  for (int attempt = 0; attempt < 3; ++attempt) {
    std::string conf = dir_.File("mosquitto.conf");
    {
      std::ofstream out(conf);
      if (!full_config_.empty()) {
        std::string text = full_config_;
        std::string port = std::to_string(port_);
        for (size_t at; (at = text.find("{PORT}")) != std::string::npos;) {
          text.replace(at, 6, port);
        }
        out << text << "\n";
      } else {
        out << "listener " << port_ << " 127.0.0.1\n"
            << "allow_anonymous true\n"
            << "persistence false\n"
            << "max_queued_messages 100000\n"
            << "max_inflight_messages 0\n"
            << "message_size_limit 0\n"
            << "log_dest none\n"
            << extra_config_ << "\n";
      }
    }
    ChildProcess::Options opts;
    opts.quiet_stderr = true;
    child_ = std::make_unique<ChildProcess>(std::vector<std::string>{MosquittoBinary(), "-c", conf},
                                            opts);
    // Our broker must be the listener: another test's broker on the same port would also
    // accept connections, and the two tests' clients would then meet on one broker.
    pid_t pid = child_->pid();
    if (WaitFor([&] { return ListensOnLoopback(pid, port_) || !child_->running(); },
                std::chrono::seconds(10)) &&
        child_->running()) {
      started_once_ = true;
      return;
    }
    child_.reset();
    // The port was taken meanwhile: a first start takes another one; a restart keeps its port
    // (clients reconnect to it) and tries again.
    if (!started_once_) port_ = FreeLoopbackPort();
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  throw std::runtime_error("mosquitto did not start on port " + std::to_string(port_));
}

std::string SourcePath(const std::string& relative) {
  return std::string(TOUCHPOINT_SOURCE_DIR) + "/" + relative;
}

std::string BinaryPath(const std::string& relative) {
  return std::string(TOUCHPOINT_BINARY_DIR) + "/" + relative;
}

std::string SharedDataPath(const std::string& relative) {
  if (const char* env = std::getenv("TOUCHPOINT_SHARED_DIR"); env && *env) {
    return std::string(env) + "/data/" + relative;
  }
  return std::string(TOUCHPOINT_SOURCE_DIR) + "/../shared/data/" + relative;
}

}  // namespace touchpoint::testing
