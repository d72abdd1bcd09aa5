#include "tests/integration/amparod_process.h"

#include <atomic>
#include <csignal>
#include <filesystem>
#include <iostream>
#include <random>
#include <stdexcept>

#include <sqlite3.h>

#include <sys/wait.h>

namespace amparo::testing {

namespace {

std::string UniqueClientId() {
  static std::atomic<int> counter{0};
  std::random_device rd;
  return "amparod-test-" + std::to_string(getpid()) + "-" + std::to_string(counter++) + "-" +
         std::to_string(rd() % 100000);
}

}  // namespace

AmparodProcess::AmparodProcess(const TempDir& dir, int port, const AmparodSetup& setup)
    : dir_(dir), db_path_(setup.db_path.empty() ? dir.File("amparo.db") : setup.db_path) {
  WriteFile(dir.File("deployment.key"), "test-deployment-key-0123456789abcdef-0123456789\n");
  const std::string config =
      "instance: " + UniqueClientId() + "\n" +
      "broker:\n"
      "  uri: tcp://127.0.0.1:" +
      std::to_string(port) + "\n" + "  client_id: " + UniqueClientId() + "\n" +
      "  reconnect_min: 100ms\n"
      "  reconnect_max: 1s\n" +
      setup.broker_yaml +
      "store:\n"
      "  path: " +
      db_path_ + "\n" +
      "ingest:\n"
      "  receipt_coalesce: 5ms\n"
      "rules:\n"
      "  dir: " +
      (setup.rules_dir.empty() ? std::string(AMPARO_SOURCE_DIR) + "/rules" : setup.rules_dir) +
      "\n" +
      "directory:\n"
      "  dir: " +
      (setup.directory_dir.empty() ? std::string(AMPARO_SOURCE_DIR) + "/config/directory"
                                   : setup.directory_dir) +
      "\n" +
      "delivery:\n"
      "  retry_initial: 100ms\n"
      "  retry_max: 1s\n" +
      // The sample directory e-mails pa-senniaf: a relay on a
      // loopback port nothing listens on (no test routes there).
      "smtp:\n"
      "  url: smtp://127.0.0.1:9\n"
      "  tls: none\n"
      "  from: amparod-test@amparo.invalid\n"
      "http:\n"
      "  listen: 127.0.0.1:0\n"
      "logging:\n"
      "  level: debug\n"
      "privacy:\n"
      "  deployment_key_file: " +
      dir.File("deployment.key") + "\n" + setup.extra_yaml;
  WriteFile(config_path(), config);
}

AmparodProcess::~AmparodProcess() { Kill(); }

bool AmparodProcess::Start(std::chrono::milliseconds timeout) {
  const size_t ready_before = LogCount("ready: subscribed");
  process_ = std::make_unique<Process>(
      std::vector<std::string>{AMPAROD_PATH, "--config", config_path()}, log_path());
  ++starts_;
  return WaitUntil(
             [&] { return LogCount("ready: subscribed") > ready_before || !process_->running(); },
             timeout) &&
         process_->running();
}

int AmparodProcess::Terminate(std::chrono::milliseconds timeout) {
  if (!process_) return -1;
  process_->Signal(SIGTERM);
  const int status = process_->Wait(timeout);
  if (status == -1) ReportHang();
  return status;
}

void AmparodProcess::ReportHang() {
  // A daemon that does not end on SIGTERM is a bug to find from CI's output
  // alone: print where its threads are (if gdb is installed) and how its log
  // ends, before the test's destructor kills it.
  const std::string log = Log();
  size_t from = log.size();
  for (int lines = 0; lines < 60 && from > 0; ++lines) {
    from = log.rfind('\n', from - 1);
    if (from == std::string::npos) {
      from = 0;
      break;
    }
  }
  std::cerr << "amparod (pid " << process_->pid()
            << ") did not end on SIGTERM; the end of its log:\n"
            << log.substr(from) << "\n";
  if (std::filesystem::exists("/usr/bin/gdb")) {
    std::string threads;
    RunCommand({"/usr/bin/gdb", "-p", std::to_string(process_->pid()), "-batch", "-ex",
                "thread apply all bt"},
               &threads);
    std::cerr << "its threads:\n" << threads << "\n";
  }
  std::cerr.flush();
}

void AmparodProcess::Kill() {
  if (process_) process_->Kill();
}

bool AmparodProcess::running() { return process_ && process_->running(); }

int AmparodProcess::Wait(std::chrono::milliseconds timeout) {
  if (!process_) return -1;
  return process_->Wait(timeout);
}

size_t AmparodProcess::LogCount(const std::string& needle) const {
  const std::string log = Log();
  size_t n = 0;
  for (size_t pos = log.find(needle); pos != std::string::npos; pos = log.find(needle, pos + 1)) {
    ++n;
  }
  return n;
}

long long QueryInt(const std::string& db_path, const std::string& sql) {
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(db_path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
    sqlite3_close(db);
    throw std::runtime_error("cannot open " + db_path);
  }
  sqlite3_busy_timeout(db, 5000);
  sqlite3_stmt* stmt = nullptr;
  long long value = -1;
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr) == SQLITE_OK &&
      sqlite3_step(stmt) == SQLITE_ROW) {
    value = sqlite3_column_int64(stmt, 0);
  }
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  return value;
}

std::vector<std::string> QueryStrings(const std::string& db_path, const std::string& sql) {
  sqlite3* db = nullptr;
  std::vector<std::string> rows;
  if (sqlite3_open_v2(db_path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
    sqlite3_close(db);
    throw std::runtime_error("cannot open " + db_path);
  }
  sqlite3_busy_timeout(db, 5000);
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr) == SQLITE_OK) {
    while (sqlite3_step(stmt) == SQLITE_ROW) {
      const auto* text = sqlite3_column_text(stmt, 0);
      rows.emplace_back(text ? reinterpret_cast<const char*>(text) : "");
    }
  }
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  return rows;
}

}  // namespace amparo::testing
