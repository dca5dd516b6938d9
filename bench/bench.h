// Benchmark registry: each bench_<name>.cc defines a subcommand with
//   static touchpoint::bench::Registrar reg("name", "what it measures", &Run);
// and prints its figures as lines "BENCH <name> <value> <unit>" (PrintBench).
#pragma once

#include <string>
#include <vector>

namespace touchpoint::bench {

using BenchMain = int (*)(const std::vector<std::string>& args);

struct Registrar {
  Registrar(const char* name, const char* summary, BenchMain main);
};

// Prints "BENCH <name> <value> <unit>" and flushes.
void PrintBench(const std::string& name, double value, const std::string& unit);

// Percentile (0..100) of the samples (sorted in place).
double Percentile(std::vector<double>& samples, double pct);

}  // namespace touchpoint::bench
