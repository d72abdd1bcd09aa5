// Time in amparo: one instant type, and an injectable clock.
//
// Everything that reads "now" takes a Clock&, so tests (and `amparoctl test`)
// can run 72-hour legal clocks in milliseconds with a FakeClock. engine/ and
// routing/ never read a clock at all: "now" is an argument.
#ifndef AMPARO_DAEMON_CORE_CLOCK_H_
#define AMPARO_DAEMON_CORE_CLOCK_H_

#include <chrono>

namespace amparo {

// An instant, in UTC, with millisecond resolution.
using Instant = std::chrono::time_point<std::chrono::system_clock, std::chrono::milliseconds>;
using Duration = std::chrono::milliseconds;

// Thread-safety: implementations must be safe to call from any thread.
class Clock {
 public:
  virtual ~Clock() = default;
  virtual Instant Now() const = 0;
};

// The wall clock.
class SystemClock final : public Clock {
 public:
  Instant Now() const override {
    return std::chrono::time_point_cast<std::chrono::milliseconds>(
        std::chrono::system_clock::now());
  }
};

// A clock that moves only when told to. Not thread-safe: for tests.
class FakeClock final : public Clock {
 public:
  explicit FakeClock(Instant start) : now_(start) {}
  Instant Now() const override { return now_; }
  void Advance(Duration d) { now_ += d; }
  void Set(Instant t) { now_ = t; }

 private:
  Instant now_;
};

}  // namespace amparo

#endif  // AMPARO_DAEMON_CORE_CLOCK_H_
