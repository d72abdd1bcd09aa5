// ack_storm: the ack path under a storm (tests/bench/README.md, "Ack storm").
//
//   ack_storm populate DB N
//     Opens (and migrates) the store at DB and writes N open alerts to
//     gt-consulate-tapachula straight into it, as the pipeline would have.
//   ack_storm storm PORT DB N PID [WINDOW]
//     Publishes one ack per alert of DB to rcm/v1/acks/gt-consulate-tapachula
//     on the broker at 127.0.0.1:PORT, at most WINDOW (100) without a receipt
//     yet, and times each from its publish to its receipt on
//     rcm/v1/ack-receipts/#. Prints acks/s, latency percentiles and the RSS of
//     amparod (PID) from /proc.
//
// A benchmark, never a test: it asserts nothing, it reports.
#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <fstream>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include <mqtt/async_client.h>
#include <nlohmann/json.hpp>

#include "daemon/store/event_store.h"

namespace {

using Clock = std::chrono::steady_clock;
constexpr char kAgency[] = "gt-consulate-tapachula";

int Populate(const std::string& db, int n) {
  auto store = amparo::EventStore::Open({.path = db});
  if (!store.ok()) {
    std::fprintf(stderr, "%s\n", store.status().ToString().c_str());
    return 1;
  }
  amparo::Database& d = (*store)->db();
  if (!d.Execute("BEGIN").ok()) return 1;
  auto insert = d.Prepare(R"sql(
    INSERT INTO alerts(alert_id, rule_id, subject_key, agency_id, role, opening_event_id,
                       last_event_id, severity, version, deadline_ms, created_at_ms,
                       updated_at_ms, payload)
    VALUES (?, 'bench-rule', ?, ?, 'consulate', ?, ?, 'critical', 1, NULL, ?, ?, '{}'))sql");
  if (!insert.ok()) return 1;
  const int64_t now = std::chrono::duration_cast<std::chrono::milliseconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
  for (int i = 0; i < n; ++i) {
    const std::string id = "bench-" + std::to_string(i);
    if (!insert
             ->Bind(id, "subject-" + std::to_string(i), std::string(kAgency), "ev-" + id,
                    "ev-" + id, now, now)
             .ok() ||
        !insert->Run().ok()) {
      return 1;
    }
    insert->Reset();
  }
  if (!d.Execute("COMMIT").ok()) return 1;
  std::printf("populated %d open alerts\n", n);
  return 0;
}

std::string ProcStatus(int pid, const std::string& key) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(in, line);) {
    if (line.rfind(key + ":", 0) == 0) return line.substr(key.size() + 1);
  }
  return "?";
}

int Storm(int port, int n, int pid, int window) {
  mqtt::async_client client("tcp://127.0.0.1:" + std::to_string(port),
                            "ack-storm-" + std::to_string(pid));
  std::mutex mu;
  std::condition_variable cv;
  std::map<std::string, Clock::time_point> sent;
  std::vector<double> latencies_ms;
  std::map<std::string, int> statuses;
  client.set_message_callback([&](const mqtt::const_message_ptr& msg) {
    const auto now = Clock::now();
    auto j = nlohmann::json::parse(msg->get_payload_str(), nullptr, false);
    std::lock_guard<std::mutex> lock(mu);
    const std::string id = j.value("alert_id", "");
    ++statuses[j.value("status", "?")];
    auto it = sent.find(id);
    if (it != sent.end()) {
      latencies_ms.push_back(std::chrono::duration<double, std::milli>(now - it->second).count());
      sent.erase(it);
    }
    cv.notify_all();
  });
  client.connect(mqtt::connect_options_builder().clean_session(true).max_inflight(1000).finalize())
      ->wait();
  client.subscribe("rcm/v1/ack-receipts/#", 1)->wait();
  const std::string rss_before = ProcStatus(pid, "VmRSS");
  const auto start = Clock::now();
  for (int i = 0; i < n; ++i) {
    const std::string id = "bench-" + std::to_string(i);
    {
      std::unique_lock<std::mutex> lock(mu);
      cv.wait(lock, [&] { return static_cast<int>(sent.size()) < window; });
      sent[id] = Clock::now();
    }
    const nlohmann::json ack = {{"alert_id", id}, {"version", 1}, {"by", "bench officer"}};
    client.publish(std::string("rcm/v1/acks/") + kAgency, ack.dump(), 1, false);
  }
  {
    std::unique_lock<std::mutex> lock(mu);
    cv.wait_for(lock, std::chrono::seconds(120), [&] { return sent.empty(); });
  }
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  std::sort(latencies_ms.begin(), latencies_ms.end());
  auto pct = [&](double p) {
    if (latencies_ms.empty()) return 0.0;
    return latencies_ms[std::min(
        latencies_ms.size() - 1,
        static_cast<size_t>(p * static_cast<double>(latencies_ms.size())))];
  };
  std::printf("acks sent %d, receipts %zu (", n, latencies_ms.size());
  for (const auto& [status, count] : statuses) std::printf(" %s=%d", status.c_str(), count);
  std::printf(" ), window %d\n", window);
  std::printf("acks/s %.0f   latency ms p50 %.2f p99 %.2f max %.2f\n", n / seconds, pct(0.50),
              pct(0.99), latencies_ms.empty() ? 0.0 : latencies_ms.back());
  std::printf("amparod RSS before %s, after %s, peak %s\n", rss_before.c_str(),
              ProcStatus(pid, "VmRSS").c_str(), ProcStatus(pid, "VmHWM").c_str());
  client.disconnect()->wait();
  return latencies_ms.size() == static_cast<size_t>(n) ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  const std::vector<std::string> args(argv + 1, argv + argc);
  if (args.size() == 3 && args[0] == "populate") return Populate(args[1], std::stoi(args[2]));
  if ((args.size() == 5 || args.size() == 6) && args[0] == "storm") {
    return Storm(std::stoi(args[1]), std::stoi(args[3]), std::stoi(args[4]),
                 args.size() == 6 ? std::stoi(args[5]) : 100);
  }
  std::fprintf(stderr,
               "usage: ack_storm populate DB N\n"
               "       ack_storm storm PORT DB N AMPAROD_PID [WINDOW]\n");
  return 2;
}
