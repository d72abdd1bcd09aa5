// The daemon: owns the event loop and wires the layers together.
//
// One boost::asio::io_context runs everything that is not blocking I/O, on
// the thread that calls Run(). Paho's callback thread only stores and posts
// (see ingest/mqtt_ingest.h). Start-up order: store (migrations) → MQTT
// (subscribed) → READY=1 to systemd. SIGTERM/SIGINT stop taking events,
// flush what is queued and let Run() return; SIGHUP reloads what can be
// reloaded. Shutdown cancels outstanding work so that run() returns by
// itself, as in the Asio examples.
//
// Thread-safety: construct and Run() on one thread.
#ifndef AMPARO_DAEMON_APP_DAEMON_H_
#define AMPARO_DAEMON_APP_DAEMON_H_

#include <cstdint>
#include <memory>
#include <optional>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>

#include "daemon/app/config.h"
#include "daemon/app/policy.h"
#include "daemon/core/clock.h"
#include "daemon/core/keyed_hash.h"
#include "daemon/delivery/ack_handler.h"
#include "daemon/delivery/adapter_set.h"
#include "daemon/delivery/clock_watcher.h"
#include "daemon/delivery/dispatcher.h"
#include "daemon/delivery/escalator.h"
#include "daemon/delivery/event_cache.h"
#include "daemon/delivery/payload_builder.h"
#include "daemon/delivery/pipeline.h"
#include "daemon/delivery/resolved_notifier.h"
#include "daemon/http/api.h"
#include "daemon/http/http_server.h"
#include "daemon/http/metrics.h"
#include "daemon/ingest/ingest_handler.h"
#include "daemon/ingest/mqtt_ingest.h"
#include "daemon/ingest/receipt_publisher.h"
#include "daemon/store/ack_store.h"
#include "daemon/store/alert_query.h"
#include "daemon/store/event_store.h"
#include "daemon/store/processing_store.h"

namespace amparo {

// Counts since start, for STATUS and /metrics.
struct IngestCounters {
  uint64_t stored = 0;
  uint64_t duplicates = 0;
  uint64_t dead_letters = 0;
};

class Daemon {
 public:
  explicit Daemon(Config config);
  ~Daemon();
  Daemon(const Daemon&) = delete;
  Daemon& operator=(const Daemon&) = delete;

  // Runs until a stop signal. Returns the process exit code: 0 after a clean
  // stop, 1 when start-up failed (the reason is logged).
  int Run();

 private:
  Status Start();
  Status StartDelivery();
  Status StartAcks(const StoreOptions& store_options);
  Status StartHttp();
  void OnAck(const AckReceipt& receipt);
  void ResolveStoppedClocks();
  void Stop();
  void Reload();
  void WaitForSignals();
  void ArmWatchdog(Duration interval);
  void ArmStatusTimer();
  // Purges personal data older than privacy.retention now and every hour
  // after (store/retention.h), on the loop, by the daemon's clock.
  void ArmRetention(Duration delay);
  void ProbeStoreLater();
  // OK when the store's file system has room and a probe commit succeeds.
  Status StoreTakesCommits();
  void OnIngested(const IngestResult& result);
  void OnSubscribed();
  // Hands the policy in force to every part that decides or builds payloads.
  void ApplyPolicy();
  std::string StatusLine() const;

  Config config_;
  SystemClock clock_;
  boost::asio::io_context io_;
  boost::asio::signal_set signals_;
  boost::asio::steady_timer watchdog_timer_;
  boost::asio::steady_timer status_timer_;
  boost::asio::steady_timer retention_timer_;
  // Probes a store that could not take a commit at start (ProbeStoreLater).
  boost::asio::steady_timer store_probe_timer_;
  bool store_writable_ = true;
  std::unique_ptr<EventStore> store_;            // the loop's connection
  std::unique_ptr<ProcessingStore> processing_;  // on the loop's connection
  Policy policy_;
  AdapterSet adapters_;
  EventCache events_cache_;
  std::unique_ptr<PayloadBuilder> payloads_;
  std::unique_ptr<Dispatcher> dispatcher_;
  std::unique_ptr<Pipeline> pipeline_;
  std::unique_ptr<SubjectHasher> hasher_;  // The deployment's subject key, as ingest uses it.
  std::unique_ptr<ClockWatcher> clocks_;
  std::unique_ptr<EscalationStore> escalation_store_;  // on the loop's connection
  std::unique_ptr<Escalator> escalator_;
  std::unique_ptr<ResolutionStore> resolution_store_;  // on the loop's connection
  std::unique_ptr<ResolvedNotifier> resolved_;
  std::unique_ptr<IngestHandler> ingest_handler_;
  std::unique_ptr<MqttIngest> mqtt_;
  std::unique_ptr<ReceiptPublisher> receipts_;
  Metrics metrics_;
  // Acks over MQTT are stored on Paho's thread, on a connection of their own.
  std::unique_ptr<EventStore> ack_connection_;
  std::unique_ptr<AckStore> mqtt_ack_store_;
  std::unique_ptr<AckHandler> mqtt_acks_;
  // The HTTP API runs on the loop, on the loop's connection.
  std::unique_ptr<AckStore> loop_ack_store_;
  std::unique_ptr<AlertQuery> alert_query_;
  std::unique_ptr<Api> api_;
  std::unique_ptr<HttpServer> http_;
  IngestCounters counters_;
  bool ready_sent_ = false;
  bool stopping_ = false;
};

}  // namespace amparo

#endif  // AMPARO_DAEMON_APP_DAEMON_H_
