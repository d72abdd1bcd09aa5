// What the store micro-benchmarks (bench_clocks, bench_outbox,
// bench_escalations) share: timing a call, and their one size argument.
// Their scratch folder is testing::TempDir (tests/support/temp_dir.h).
#ifndef AMPARO_TESTS_BENCH_BENCH_SUPPORT_H_
#define AMPARO_TESTS_BENCH_BENCH_SUPPORT_H_

#include <chrono>
#include <cstdlib>
#include <iostream>
#include <optional>
#include <string_view>

namespace amparo::bench {

// The mean wall-clock milliseconds of `calls` calls of `fn`.
template <typename Fn>
double MillisPerCall(int calls, Fn fn) {
  const auto t0 = std::chrono::steady_clock::now();
  for (int i = 0; i < calls; ++i) fn();
  const std::chrono::duration<double, std::milli> spent = std::chrono::steady_clock::now() - t0;
  return spent.count() / calls;
}

// argv[1] as a whole number in [min, max], or `fallback` without one.
// Prints "usage: <usage>" to stderr and returns nullopt for anything else.
inline std::optional<int> SizeArgument(int argc, char** argv, int fallback, int min, int max,
                                       std::string_view usage) {
  if (argc < 2) return fallback;
  char* end = nullptr;
  const long value = std::strtol(argv[1], &end, 10);
  if (*end != '\0' || value < min || value > max) {
    std::cerr << "usage: " << usage << "\n";
    return std::nullopt;
  }
  return static_cast<int>(value);
}

}  // namespace amparo::bench

#endif  // AMPARO_TESTS_BENCH_BENCH_SUPPORT_H_
