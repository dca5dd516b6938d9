// touchpoint-bench SUBCOMMAND [args]: runs one benchmark; without arguments lists them.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
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
