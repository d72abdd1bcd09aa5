// Delivery throughput per adapter: N alerts handed to one adapter with at most
// K in flight, to a receiver on 127.0.0.1, timed from the first hand-over to
// the last outcome. Run by tests/bench/run-adapters, never by CTest.
//
//   bench_adapters webhook URL SECRET_FILE CA_FILE N K
//   bench_adapters smtp    URL CA_FILE USER PASSWORD N K   (STARTTLS)
//   bench_adapters mqtt    URI N K
//   bench_adapters file    PATH N K
#include <chrono>
#include <cstdio>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <nlohmann/json.hpp>

#include "adapters/file/file_adapter.h"
#include "adapters/mqtt/mqtt_adapter.h"
#include "adapters/smtp/smtp_adapter.h"
#include "adapters/webhook/webhook_adapter.h"

namespace {

std::string Payload(int i) {
  return nlohmann::json{
      {"schema", "amparo.alert.v1"},
      {"alert_id", "bench-" + std::to_string(i)},
      {"version", 1},
      {"severity", "high"},
      {"language", "en"},
      {"title", "Benchmark alert"},
      {"summary", std::string(300, 'x')},
      {"legal_basis", {"VCCR art. 37(b)"}},
      {"deadline", "2026-03-03T13:40:00Z"},
      {"recipient", {{"agency", "bench"}, {"disclosure", "p"}, {"time_zone", "UTC"}}},
      {"event", {{"subject", {{"nationalities", {"GT"}}}}}},
      {"acknowledge", {{"mqtt_topic", "rcm/v1/acks/bench"}}}}
      .dump();
}

int Usage() {
  std::fprintf(stderr,
               "usage: bench_adapters webhook URL SECRET_FILE CA_FILE N K\n"
               "       bench_adapters smtp URL CA_FILE USER PASSWORD N K\n"
               "       bench_adapters mqtt URI N K\n"
               "       bench_adapters file PATH N K\n");
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  using amparo::DeliveryOutcome;
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.size() < 3) return Usage();
  boost::asio::io_context io;
  std::unique_ptr<amparo::Adapter> adapter;
  std::string target;
  const std::string kind = args[0];
  size_t n_at = 0;
  if (kind == "webhook" && args.size() == 6) {
    amparo::WebhookAdapterOptions o;
    o.ca_file = args[3];
    o.max_in_flight = std::stoul(args[5]);
    const std::string secret = args[2];
    o.secret_file = [secret](const std::string&, const std::string&) {
      return std::optional<std::string>(secret);
    };
    auto a = amparo::WebhookAdapter::Create(io, o);
    if (!a.ok()) return std::fprintf(stderr, "%s\n", a.status().ToString().c_str()), 1;
    adapter = std::move(a).value();
    target = args[1];
    n_at = 4;
  } else if (kind == "smtp" && args.size() == 7) {
    amparo::SmtpAdapterOptions o;
    o.url = args[1];
    o.ca_file = args[2];
    o.username = args[3];
    o.password = args[4];
    o.from = "bench@amparo.example.org";
    o.max_in_flight = std::stoul(args[6]);
    auto a = amparo::SmtpAdapter::Create(io, o);
    if (!a.ok()) return std::fprintf(stderr, "%s\n", a.status().ToString().c_str()), 1;
    adapter = std::move(a).value();
    target = "agency@bench.example";
    n_at = 5;
  } else if (kind == "mqtt" && args.size() == 4) {
    amparo::MqttAdapterOptions o;
    o.uri = args[1];
    o.client_id = "bench-adapters";
    auto a = amparo::MqttAdapter::Create(io, o);
    if (!a.ok()) return std::fprintf(stderr, "%s\n", a.status().ToString().c_str()), 1;
    auto* mqtt = a->get();
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (!mqtt->connected() && std::chrono::steady_clock::now() < until) {
      io.restart();
      io.run_for(std::chrono::milliseconds(10));
    }
    adapter = std::move(a).value();
    target = "rcm/v1/alerts/bench";
    n_at = 2;
  } else if (kind == "file" && args.size() == 4) {
    adapter = std::make_unique<amparo::FileAdapter>(io, amparo::FileAdapterOptions{});
    target = args[1];
    n_at = 2;
  } else {
    return Usage();
  }
  const int n = std::stoi(args[n_at]);
  const int k = std::stoi(args[n_at + 1]);
  std::vector<std::string> payloads;
  for (int i = 0; i < n; ++i) payloads.push_back(Payload(i));

  int next = 0;
  int done = 0;
  int delivered = 0;
  int in_flight = 0;
  std::function<void()> pump;
  pump = [&] {
    while (in_flight < k && next < n) {
      const int i = next++;
      ++in_flight;
      amparo::OutboundMessage m{.delivery_id = i,
                                .alert_id = "bench-" + std::to_string(i),
                                .idempotency_key = "bench-" + std::to_string(i) + ":1",
                                .agency_id = "bench",
                                .channel_type = kind,
                                .target = target,
                                .payload = payloads[static_cast<size_t>(i)]};
      adapter->AsyncDeliver(m, [&](DeliveryOutcome outcome, const amparo::Status&) {
        --in_flight;
        ++done;
        if (outcome == DeliveryOutcome::kDelivered) ++delivered;
        pump();
      });
    }
  };
  const auto start = std::chrono::steady_clock::now();
  pump();
  while (done < n) {
    io.restart();  // run_for stops when no work is queued; outcomes come from other threads.
    io.run_for(std::chrono::milliseconds(5));
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("%s\t%d alerts\t%d in flight\t%d delivered\t%.2f s\t%.0f alerts/s\n", kind.c_str(), n,
              k, delivered, seconds, n / seconds);
  return delivered == n ? 0 : 1;
}
