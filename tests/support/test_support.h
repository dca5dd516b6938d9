// Helpers for tests and benchmarks that use real parts: temporary folders on the real
// filesystem, child processes, a real Mosquitto broker on a free loopback port.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace touchpoint::testing {

// A fresh folder under $TMPDIR (or /tmp), removed with its contents on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string File(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

// Polls `condition` every few ms until it holds or `timeout` passes. Returns whether it held.
bool WaitFor(const std::function<bool()>& condition,
             std::chrono::milliseconds timeout = std::chrono::seconds(10));

// True once something accepts TCP connections on 127.0.0.1:port.
bool CanConnectLoopback(int port);

// A free TCP port on 127.0.0.1 below the ephemeral range (bound and released; good enough for
// a test that starts soon).
int FreeLoopbackPort();

// True if process `pid` holds a socket listening on 127.0.0.1:port.
bool ListensOnLoopback(pid_t pid, int port);

// A child process running argv; stdout is readable through a pipe if asked for.
class ChildProcess {
 public:
  struct Options {
    bool capture_stdout = false;
    bool quiet_stderr = false;           // send stderr to /dev/null
    std::vector<std::string> extra_env;  // "NAME=value"
  };
  ChildProcess(std::vector<std::string> argv, Options options);
  explicit ChildProcess(std::vector<std::string> argv) : ChildProcess(std::move(argv), Options{}) {}
  ~ChildProcess();  // SIGKILLs the child if still running, and reaps it
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  pid_t pid() const { return pid_; }
  bool running();
  void Kill(int signal);
  // Waits for exit; returns the exit code, or 128+signal. nullopt on timeout.
  std::optional<int> Wait(std::chrono::milliseconds timeout = std::chrono::seconds(30));
  // Reads one line from the child's stdout (without '\n'); nullopt at EOF or timeout.
  std::optional<std::string> ReadLine(std::chrono::milliseconds timeout);
  // Everything read from stdout so far plus what remains until EOF (child must exit).
  std::string ReadAll();

 private:
  pid_t pid_ = -1;
  int stdout_fd_ = -1;
  std::string buffer_;
  std::optional<int> exit_code_;
};

// Runs a command to completion with its output discarded; true on exit code 0 within `timeout`.
bool RunToSuccess(std::vector<std::string> argv,
                  std::chrono::milliseconds timeout = std::chrono::seconds(30));

// A real Mosquitto broker on 127.0.0.1:<free port>, persistence off, started in the
// constructor (waits until it is the one listening on the port) and stopped in the destructor.
// Restart() keeps the same port.
class MosquittoBroker {
 public:
  MosquittoBroker();
  // A broker run with a complete configuration (e.g. the shipped deploy/mosquitto one): `config`
  // is used as it is, with every "{PORT}" replaced by the broker's loopback port.
  struct FullConfig {
    std::string text;
  };
  explicit MosquittoBroker(FullConfig config);
  ~MosquittoBroker();
  int port() const { return port_; }
  std::string uri() const { return "tcp://127.0.0.1:" + std::to_string(port_); }
  void Stop();   // SIGKILL
  void Start();  // waits until it is the one listening on its port
  void Restart() {
    Stop();
    Start();
  }
  bool running() const { return child_ != nullptr; }
  // Extra lines for mosquitto.conf, applied at the next Start().
  void SetExtraConfig(std::string lines) { extra_config_ = std::move(lines); }

 private:
  TempDir dir_;
  int port_;
  bool started_once_ = false;  // clients know port_: a restart must keep it
  std::string extra_config_;
  std::string full_config_;  // non-empty: the whole configuration
  std::unique_ptr<ChildProcess> child_;
};

// Path of the repo's source tree and of the shared test data folder (../shared beside the
// repo), e.g. SharedDataPath("footfall/pets09-s2l1-vtest/vtest.avi").
std::string SourcePath(const std::string& relative);
std::string BinaryPath(const std::string& relative);
std::string SharedDataPath(const std::string& relative);

}  // namespace touchpoint::testing
