// A child process for tests: start a program, signal it, wait for it.
#ifndef AMPARO_TESTS_SUPPORT_PROCESS_H_
#define AMPARO_TESTS_SUPPORT_PROCESS_H_

#include <chrono>
#include <string>
#include <vector>

#include <sys/types.h>

namespace amparo::testing {

class Process {
 public:
  // Starts `argv[0]` with `argv`; stdout and stderr go to `log_path`
  // (appended). Throws std::runtime_error if it cannot start.
  Process(std::vector<std::string> argv, const std::string& log_path);
  ~Process();  // SIGKILLs the process if still running.
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;

  pid_t pid() const { return pid_; }
  void Signal(int sig);
  // Waits up to `timeout` for exit; returns the wait status (also when
  // running() already reaped it), or -1 on timeout.
  int Wait(std::chrono::milliseconds timeout);
  // SIGKILL and reap.
  void Kill();
  bool running();

 private:
  pid_t pid_ = -1;
  bool reaped_ = false;
  int status_ = 0;  // the wait status, once reaped
};

// Runs a command to completion; returns its exit code and appends its output
// to `output`.
int RunCommand(const std::vector<std::string>& argv, std::string* output);

// Polls `done` every 20 ms until it is true or `timeout` passes.
template <typename F>
bool WaitUntil(F done, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (done()) return true;
    struct timespec ts = {0, 20 * 1000 * 1000};
    nanosleep(&ts, nullptr);
  }
  return done();
}

}  // namespace amparo::testing

#endif  // AMPARO_TESTS_SUPPORT_PROCESS_H_
