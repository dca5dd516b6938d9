// touchpoint-bench SUBCOMMAND [args]: runs one benchmark; without arguments lists them.
#include <dirent.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "bench.h"

namespace touchpoint::bench {
namespace {

struct Entry {
  const char* summary;
  BenchMain main;
};

std::map<std::string, Entry>& Registry() {
  static std::map<std::string, Entry> registry;
  return registry;
}

}  // namespace

Registrar::Registrar(const char* name, const char* summary, BenchMain main) {
  Registry()[name] = Entry{summary, main};
}

void PrintBench(const std::string& name, double value, const std::string& unit) {
  std::printf("BENCH %s %.6g %s\n", name.c_str(), value, unit.c_str());
  std::fflush(stdout);
}

namespace {

// utime + stime in seconds from a /proc/.../stat line ("pid (comm) state ..."), and the comm.
std::optional<double> StatCpuSeconds(const std::string& stat_path, std::string* comm = nullptr) {
  std::ifstream in(stat_path);
  std::string line;
  if (!std::getline(in, line)) return std::nullopt;
  size_t open = line.find('('), close = line.rfind(')');
  if (open == std::string::npos || close == std::string::npos || close < open) return std::nullopt;
  if (comm != nullptr) *comm = line.substr(open + 1, close - open - 1);
  std::istringstream rest(line.substr(close + 1));
  std::string field;
  long long utime = 0, stime = 0;
  // Fields after the comm start at field 3 (state); utime and stime are fields 14 and 15.
  for (int i = 3; i <= 15 && rest >> field; ++i) {
    if (i == 14) utime = std::atoll(field.c_str());
    if (i == 15) stime = std::atoll(field.c_str());
  }
  if (!rest) return std::nullopt;
  return static_cast<double>(utime + stime) / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

double CpuSecondsOf(clockid_t clock) {
  timespec ts{};
  clock_gettime(clock, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}
}  // namespace

double ProcessCpuSeconds() { return CpuSecondsOf(CLOCK_PROCESS_CPUTIME_ID); }
double ThreadCpuSeconds() { return CpuSecondsOf(CLOCK_THREAD_CPUTIME_ID); }

int64_t MinorFaults() {
  rusage u{};
  ::getrusage(RUSAGE_SELF, &u);
  return u.ru_minflt;
}

std::optional<double> CpuSecondsOfProcess(pid_t pid) {
  return StatCpuSeconds("/proc/" + std::to_string(pid) + "/stat");
}

std::map<std::string, double> CpuSecondsByThreadName(pid_t pid) {
  std::map<std::string, double> out;
  std::string dir = "/proc/" + std::to_string(pid) + "/task";
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) return out;
  while (dirent* e = ::readdir(d)) {
    if (e->d_name[0] == '.') continue;
    std::string comm;
    if (auto s = StatCpuSeconds(dir + "/" + e->d_name + "/stat", &comm)) out[comm] += *s;
  }
  ::closedir(d);
  return out;
}

double Percentile(std::vector<double>& samples, double pct) {
  if (samples.empty()) return 0;
  std::sort(samples.begin(), samples.end());
  double rank = pct / 100.0 * static_cast<double>(samples.size() - 1);
  size_t lo = static_cast<size_t>(std::floor(rank));
  size_t hi = std::min(lo + 1, samples.size() - 1);
  double frac = rank - static_cast<double>(lo);
  return samples[lo] + (samples[hi] - samples[lo]) * frac;
}

}  // namespace touchpoint::bench

int main(int argc, char** argv) {
  auto& registry = touchpoint::bench::Registry();
  if (argc < 2 || registry.find(argv[1]) == registry.end()) {
    std::fprintf(stderr, "usage: touchpoint-bench SUBCOMMAND [args]\n\nsubcommands:\n");
    for (const auto& [name, entry] : registry) {
      std::fprintf(stderr, "  %-10s %s\n", name.c_str(), entry.summary);
    }
    return argc < 2 ? 2 : 2;
  }
  std::vector<std::string> args(argv + 2, argv + argc);
  return registry[argv[1]].main(args);
}
