// Metrics: what /metrics exposes, in the Prometheus text format, through
// prometheus-cpp (Debian's prometheus-cpp-dev; its core library only, the
// exposition is served by our own Beast server).
//
// Two sources. Counts that the store already keeps (events by outcome, dead
// letters by reason class, alerts by rule and severity, open alerts,
// deliveries by channel and state, refused acks, clocks due soon, store
// size) are read from SQLite at scrape time, so they survive restarts and
// never drift from the record. What only happens in memory (ack latency,
// acks by outcome since start) lives in a prometheus::Registry.
//
// Thread-safety: ObserveAck() may be called from any thread (prometheus-cpp
// metrics are thread-safe); Render() on the thread that owns `query`'s
// Database.
#ifndef AMPARO_DAEMON_HTTP_METRICS_H_
#define AMPARO_DAEMON_HTTP_METRICS_H_

#include <memory>
#include <string>
#include <string_view>

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include "daemon/core/clock.h"
#include "daemon/core/status.h"
#include "daemon/store/ack_store.h"
#include "daemon/store/alert_query.h"

namespace amparo {

inline constexpr std::string_view kMetricsContentType = "text/plain; version=0.0.4; charset=utf-8";

class Metrics {
 public:
  Metrics();
  Metrics(const Metrics&) = delete;
  Metrics& operator=(const Metrics&) = delete;

  // Count one handled ack (`via`: mqtt | http) and, when accepted, observe
  // its latency (from the alert's creation to the ack).
  void ObserveAck(std::string_view via, const AckResult& result);

  // The exposition at `now`: "clocks due soon" counts running clocks due
  // within `due_soon`. A store error is returned, not half a page.
  Result<std::string> Render(AlertQuery& query, Instant now, Duration due_soon);

 private:
  std::shared_ptr<prometheus::Registry> registry_;
  prometheus::Family<prometheus::Counter>& acks_;
  prometheus::Family<prometheus::Histogram>& ack_latency_;
};

}  // namespace amparo

#endif  // AMPARO_DAEMON_HTTP_METRICS_H_
