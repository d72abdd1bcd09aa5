#include "daemon/http/metrics.h"

#include <sstream>
#include <vector>

#include <prometheus/metric_family.h>
#include <prometheus/text_serializer.h>

namespace amparo {
namespace {

using prometheus::ClientMetric;
using prometheus::MetricFamily;
using prometheus::MetricType;

// Ack latency buckets, in seconds: 1 s to 1 day (ack_within is minutes to hours).
prometheus::Histogram::BucketBoundaries LatencyBuckets() {
  return {1, 10, 60, 300, 900, 1800, 3600, 7200, 14400, 28800, 86400};
}

MetricFamily Family(std::string name, std::string help, MetricType type) {
  MetricFamily f;
  f.name = std::move(name);
  f.help = std::move(help);
  f.type = type;
  return f;
}

void AddSample(MetricFamily& family, std::vector<ClientMetric::Label> labels, double value) {
  ClientMetric m;
  m.label = std::move(labels);
  if (family.type == MetricType::Counter) {
    m.counter.value = value;
  } else {
    m.gauge.value = value;
  }
  family.metric.push_back(std::move(m));
}

// A family from `counts`, labelled `first` (and `second` unless empty).
Result<MetricFamily> FromCounts(const Result<std::vector<LabelledCount>>& counts, std::string name,
                                std::string help, MetricType type, const std::string& first,
                                const std::string& second = "") {
  if (!counts.ok()) return counts.status();
  MetricFamily family = Family(std::move(name), std::move(help), type);
  for (const LabelledCount& c : *counts) {
    std::vector<ClientMetric::Label> labels = {{first, c.first}};
    if (!second.empty()) labels.push_back({second, c.second});
    AddSample(family, std::move(labels), static_cast<double>(c.count));
  }
  return family;
}

}  // namespace

Metrics::Metrics()
    : registry_(std::make_shared<prometheus::Registry>()),
      acks_(prometheus::BuildCounter()
                .Name("amparo_acks_total")
                .Help("Acknowledgements handled since start, by channel and outcome")
                .Register(*registry_)),
      ack_latency_(prometheus::BuildHistogram()
                       .Name("amparo_ack_latency_seconds")
                       .Help("From an alert's creation to its first accepted ack, since start")
                       .Register(*registry_)) {}

void Metrics::ObserveAck(std::string_view via, const AckResult& result) {
  acks_.Add({{"via", std::string(via)}, {"outcome", std::string(AckOutcomeName(result.outcome))}})
      .Increment();
  if (result.outcome == AckOutcome::kAccepted && result.state_changed && result.latency) {
    const double seconds = std::chrono::duration<double>(*result.latency).count();
    ack_latency_.Add({}, LatencyBuckets()).Observe(seconds < 0 ? 0 : seconds);
  }
}

Result<std::string> Metrics::Render(AlertQuery& query, Instant now, Duration due_soon) {
  std::vector<MetricFamily> families = registry_->Collect();
  std::vector<Result<MetricFamily>> stored;
  stored.push_back(FromCounts(query.EventsByOutcome(), "amparo_events_total",
                              "Events received, by outcome (durable)", MetricType::Counter,
                              "outcome"));
  stored.push_back(FromCounts(query.DeadLettersByReasonClass(), "amparo_dead_letters_total",
                              "Dead letters stored, by reason class", MetricType::Counter,
                              "reason"));
  stored.push_back(FromCounts(query.AlertsByRuleAndSeverity(), "amparo_alerts_total",
                              "Alerts raised, by rule and severity", MetricType::Counter, "rule",
                              "severity"));
  stored.push_back(FromCounts(query.OpenAlertsByRuleAndSeverity(), "amparo_open_alerts",
                              "Alerts open (not acknowledged), by rule and severity",
                              MetricType::Gauge, "rule", "severity"));
  stored.push_back(FromCounts(query.DeliveriesByChannelAndState(), "amparo_deliveries",
                              "Outbox rows by adapter (channel type) and result", MetricType::Gauge,
                              "adapter", "result"));
  stored.push_back(FromCounts(query.RefusedAcksByReason(), "amparo_refused_acks_total",
                              "Acks refused and stored, by channel and reason", MetricType::Counter,
                              "via", "reason"));
  for (Result<MetricFamily>& f : stored) {
    if (!f.ok()) return f.status();
    families.push_back(std::move(f).value());
  }
  Result<int64_t> due = query.ClocksDueBefore(now + due_soon);
  if (!due.ok()) return due.status();
  MetricFamily clocks = Family("amparo_clocks_due_soon",
                               "Running legal clocks due within the next hour", MetricType::Gauge);
  AddSample(clocks, {}, static_cast<double>(*due));
  families.push_back(std::move(clocks));
  Result<int64_t> bytes = query.StoreBytes();
  if (!bytes.ok()) return bytes.status();
  MetricFamily size =
      Family("amparo_store_bytes", "Size of the SQLite store file", MetricType::Gauge);
  AddSample(size, {}, static_cast<double>(*bytes));
  families.push_back(std::move(size));

  std::ostringstream out;
  prometheus::TextSerializer().Serialize(out, families);
  return out.str();
}

}  // namespace amparo
