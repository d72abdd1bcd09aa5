// An amparod child process with a private config, state folder and log, for
// integration tests against the fixture broker.
#ifndef AMPARO_TESTS_INTEGRATION_AMPAROD_PROCESS_H_
#define AMPARO_TESTS_INTEGRATION_AMPAROD_PROCESS_H_

#include <chrono>
#include <memory>
#include <string>

#include "tests/support/process.h"
#include "tests/support/temp_dir.h"

namespace amparo::testing {

// What a test changes in the daemon's config; empty strings change nothing.
struct AmparodSetup {
  std::string extra_yaml;     // Appended to the config.
  std::string rules_dir;      // Instead of the shipped rules/.
  std::string directory_dir;  // Instead of the sample config/directory/.
  std::string broker_yaml;    // Lines (indented by two spaces) for its broker section.
  std::string db_path;        // The store, instead of dir/amparo.db.
};

class AmparodProcess {
 public:
  // Prepares dir/amparod.yaml (broker on `port`, db dir/amparo.db, a fresh
  // deployment key, unique client id), changed by `setup`.
  AmparodProcess(const TempDir& dir, int port, const AmparodSetup& setup = {});
  ~AmparodProcess();

  // Starts the daemon and waits until it logs that it is subscribed.
  bool Start(std::chrono::milliseconds timeout = std::chrono::seconds(20));
  // SIGTERM and wait; returns the exit status (-1 on timeout).
  int Terminate(std::chrono::milliseconds timeout = std::chrono::seconds(20));
  // SIGKILL: no chance to clean up.
  void Kill();
  bool running();
  // Waits for the process to end; its wait status, -1 on timeout.
  int Wait(std::chrono::milliseconds timeout);

  std::string db_path() const { return db_path_; }
  std::string config_path() const { return dir_.File("amparod.yaml"); }
  std::string log_path() const { return dir_.File("amparod.log"); }
  std::string Log() const { return ReadFile(log_path()); }
  // Sends `sig` to the running daemon (e.g. SIGHUP to reload).
  void Signal(int sig) { process_->Signal(sig); }
  // Occurrences of `needle` in the log so far.
  size_t LogCount(const std::string& needle) const;

 private:
  // Prints the end of the log and the threads' stacks to stderr.
  void ReportHang();

  const TempDir& dir_;
  std::string db_path_;
  std::unique_ptr<Process> process_;
  size_t starts_ = 0;
};

// Runs `sql` (one integer column, one row) against the SQLite file.
long long QueryInt(const std::string& db_path, const std::string& sql);
// Runs `sql` (one text column) and returns every row.
std::vector<std::string> QueryStrings(const std::string& db_path, const std::string& sql);

}  // namespace amparo::testing

#endif  // AMPARO_TESTS_INTEGRATION_AMPAROD_PROCESS_H_
