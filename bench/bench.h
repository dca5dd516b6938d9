// Benchmark registry: each bench_<name>.cc defines a subcommand with
//   static touchpoint::bench::Registrar reg("name", "what it measures", &Run);
// and prints its figures as lines "BENCH <name> <value> <unit>" (PrintBench).
#pragma once

#include <sys/types.h>

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace touchpoint::bench {

using BenchMain = int (*)(const std::vector<std::string>& args);

struct Registrar {
  Registrar(const char* name, const char* summary, BenchMain main);
};

// Prints "BENCH <name> <value> <unit>" and flushes.
void PrintBench(const std::string& name, double value, const std::string& unit);

// CPU seconds used so far by this whole process (every thread) or by the calling thread only:
// figures that other load on a shared machine inflates much less than wall time.
double ProcessCpuSeconds();
double ThreadCpuSeconds();
// Minor page faults of this whole process so far (getrusage).
int64_t MinorFaults();

// CPU seconds of process `pid` (utime + stime of /proc/<pid>/stat, every thread); nullopt if
// it cannot be read. And the same per thread name, summed over same-named threads (threads that
// ended are not included): where a process's CPU goes. Clock-tick resolution (10 ms).
std::optional<double> CpuSecondsOfProcess(pid_t pid);
std::map<std::string, double> CpuSecondsByThreadName(pid_t pid);

// Percentile (0..100) of the samples (sorted in place).
double Percentile(std::vector<double>& samples, double pct);

}  // namespace touchpoint::bench
