#include "daemon/app/daemon.h"

#include <algorithm>
#include <csignal>
#include <filesystem>
#include <random>

#include <boost/asio/post.hpp>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include <sys/statvfs.h>

#include "adapters/registry.h"
#include "daemon/app/systemd_notify.h"
#include "daemon/core/text_files.h"
#include "daemon/store/audit_log.h"
#include "daemon/store/retention.h"

namespace amparo {

namespace {

// Reads a secret file whole, without its trailing newline.
Result<std::string> ReadSecret(const std::string& path) {
  Result<std::string> s = ReadTextFile(path);
  if (!s.ok()) return s;
  while (!s->empty() && (s->back() == '\n' || s->back() == '\r')) s->pop_back();
  return s;
}

Result<MqttOptions> BuildMqttOptions(const Config& config) {
  MqttOptions o;
  o.uri = config.broker.uri;
  o.client_id = config.broker.client_id;
  o.persistent_session = config.broker.persistent_session;
  o.username = config.broker.username;
  if (config.broker.password_file) {
    Result<std::string> password = ReadSecret(*config.broker.password_file);
    if (!password.ok()) return password.status();
    o.password = *password;
  }
  o.ca_file = config.broker.tls.ca_file;
  o.cert_file = config.broker.tls.cert_file;
  o.key_file = config.broker.tls.key_file;
  o.subscription = config.broker.subscription;
  o.keep_alive = config.broker.keep_alive;
  o.reconnect_min = config.broker.reconnect_min;
  o.reconnect_max = config.broker.reconnect_max;
  o.max_buffered_messages = static_cast<int>(config.broker.max_buffered_messages);
  o.status_topic = "rcm/v1/status/amparod/" + config.instance;
  return o;
}

// Logs every diagnostic, one per line (positions and key paths, no personal data).
void LogDiagnostics(const Diagnostics& diags) {
  for (const Diagnostic& d : diags.items()) spdlog::error("{}", d.ToString());
}

RetryPolicy RetryPolicyFrom(const DeliveryConfig& d) {
  RetryPolicy p;
  p.initial = d.retry_initial;
  p.max = d.retry_max;
  p.multiplier = d.retry_multiplier;
  p.jitter = d.jitter;
  p.max_attempts_per_channel = d.max_attempts_per_channel;
  return p;
}

}  // namespace

Daemon::Daemon(Config config)
    : config_(std::move(config)),
      signals_(io_, SIGTERM, SIGINT, SIGHUP),
      watchdog_timer_(io_),
      status_timer_(io_),
      retention_timer_(io_),
      store_probe_timer_(io_) {}

Daemon::~Daemon() = default;

int Daemon::Run() {
  if (Status s = Start(); !s.ok()) {
    spdlog::critical("start-up failed: {}", s.ToString());
    return 1;
  }
  io_.run();
  spdlog::info("stopped: {}", StatusLine());
  return 0;
}

Status Daemon::Start() {
  Diagnostics diags;
  Result<Policy> policy = LoadPolicy(config_, &diags);
  if (!policy.ok()) {
    LogDiagnostics(diags);
    return policy.status();
  }
  policy_ = std::move(policy).value();

  Result<SubjectHasher> hasher = SubjectHasher::FromKeyFile(config_.privacy.deployment_key_file);
  if (!hasher.ok()) return hasher.status();

  StoreOptions store_options{config_.store.path, config_.store.durability};
  Result<std::unique_ptr<EventStore>> loop_store = EventStore::Open(store_options);
  if (!loop_store.ok()) return loop_store.status();
  store_ = std::move(loop_store).value();
  // A damaged file is refused here, with its name, rather than found by the
  // first query that reaches the bad page.
  if (Status s = store_->db().CheckIntegrity(); !s.ok()) return s;
  Result<std::unique_ptr<EventStore>> ingest_store = EventStore::Open(store_options);
  if (!ingest_store.ok()) return ingest_store.status();
  hasher_ = std::make_unique<SubjectHasher>(*hasher);  // also keys the pipeline's case links
  // The ingest commits inside Paho's callback, on the way to a PUBACK: leave
  // the WAL checkpoints (an fsync each, the dearest part of a commit) to the
  // loop's connection, which checkpoints at SQLite's default of 1000 pages.
  // This bound only matters should the loop stop committing.
  if (Status s = (*ingest_store)->db().Execute("PRAGMA wal_autocheckpoint=10000"); !s.ok()) {
    return s;
  }
  ingest_handler_ = std::make_unique<IngestHandler>(
      std::move(ingest_store).value(), std::move(hasher).value(), clock_,
      config_.ingest.max_payload_bytes,
      config_.ingest.authority_topic == AuthorityTopic::kExact ? AuthorityTopicCheck::kExact
                                                               : AuthorityTopicCheck::kMatch);

  if (Status s = StartDelivery(); !s.ok()) return s;

  Result<MqttOptions> mqtt_options = BuildMqttOptions(config_);
  if (!mqtt_options.ok()) return mqtt_options.status();
  mqtt_ = std::make_unique<MqttIngest>(io_, std::move(mqtt_options).value(), *ingest_handler_);
  ReceiptOptions receipt_options;
  receipt_options.receipts = config_.ingest.receipts;
  receipt_options.coalesce = config_.ingest.receipt_coalesce;
  receipt_options.receipt_topic_prefix = config_.ingest.receipt_topic_prefix;
  receipt_options.deadletter_topic_prefix = config_.ingest.deadletter_topic_prefix;
  receipts_ = std::make_unique<ReceiptPublisher>(
      io_, receipt_options, [this](const std::string& topic, const std::string& payload) {
        return mqtt_->Publish(topic, payload, 1, false);
      });
  if (Status s = StartAcks(store_options); !s.ok()) return s;
  if (Status s = StartHttp(); !s.ok()) return s;
  mqtt_->OnResult([this](const IngestResult& r) { OnIngested(r); });
  mqtt_->OnSubscribed([this] { OnSubscribed(); });

  WaitForSignals();
  if (auto interval = SystemdWatchdogInterval()) ArmWatchdog(*interval / 2);
  ArmStatusTimer();
  ArmRetention(std::chrono::seconds(10));
  // A commit that fails inside Paho's callback ends the process before the
  // PUBACK (MqttIngest), and it cannot wait there: Paho holds its global
  // lock through the callback, which would stall every publish of the loop.
  // So a full disk or a read-only file is found here, after the restart:
  // stay up, not ready, away from the broker (which keeps the events
  // unacknowledged), and connect once a commit goes through.
  if (Status s = StoreTakesCommits(); !s.ok()) {
    store_writable_ = false;
    spdlog::error(
        "store {} cannot take a commit ({}); not connecting to the broker until it can "
        "(events wait there, unacknowledged; /readyz says not ready)",
        config_.store.path, s.ToString());
    ProbeStoreLater();
    return Status::OK();
  }
  return mqtt_->Start();
}

Status Daemon::StoreTakesCommits() {
  // A commit that fails on a full disk may leave the WAL grown by a few
  // frames, so a small probe commit can still fit where an event does not:
  // ask the file system for room as well.
  constexpr uint64_t kMinFreeBytes = 1 << 20;
  const std::string dir = std::filesystem::absolute(config_.store.path).parent_path().string();
  struct statvfs fs {};
  if (::statvfs(dir.c_str(), &fs) == 0) {
    const uint64_t free_bytes = static_cast<uint64_t>(fs.f_bavail) * fs.f_frsize;
    if (free_bytes < kMinFreeBytes) {
      return Status::IOError(std::to_string(free_bytes) + " bytes free in " + dir +
                             ", less than 1 MiB");
    }
  }
  return store_->ProbeWritable();
}

void Daemon::ProbeStoreLater() {
  store_probe_timer_.expires_after(std::chrono::seconds(1));
  store_probe_timer_.async_wait([this](const boost::system::error_code& ec) {
    if (ec || stopping_) return;
    if (Status s = StoreTakesCommits(); !s.ok()) {
      ProbeStoreLater();
      return;
    }
    store_writable_ = true;
    spdlog::warn("store {} takes commits again; connecting to the broker", config_.store.path);
    if (Status s = mqtt_->Start(); !s.ok()) {
      spdlog::critical("mqtt: {}", s.ToString());
      io_.stop();
    }
  });
}

Status Daemon::StartDelivery() {
  Result<std::unique_ptr<ProcessingStore>> processing = ProcessingStore::Create(store_->db());
  if (!processing.ok()) return processing.status();
  processing_ = std::move(processing).value();
  // Clocks of a store from before case linking were keyed by subject.id.
  Result<int> adopted = processing_->clocks().AdoptCaseKeys(*hasher_);
  if (!adopted.ok()) return adopted.status();
  if (*adopted > 0) spdlog::info("clocks: {} running clock(s) now keyed by their case", *adopted);

  AdapterOptions adapter_options;
  adapter_options.mqtt.uri = config_.broker.uri;
  adapter_options.mqtt.client_id = config_.broker.client_id + "-alerts";
  // Paho's reconnect timer counts whole seconds: the alert client backs off
  // from at least 1s whatever broker.reconnect_min says for ingest.
  adapter_options.mqtt.reconnect_min =
      std::max<Duration>(config_.broker.reconnect_min, std::chrono::seconds(1));
  adapter_options.mqtt.reconnect_max =
      std::max(adapter_options.mqtt.reconnect_min, config_.broker.reconnect_max);
  Result<MqttOptions> broker = BuildMqttOptions(config_);
  if (!broker.ok()) return broker.status();
  // The alert client logs in to the same broker as the ingest client does.
  adapter_options.mqtt.username = broker->username;
  adapter_options.mqtt.password = broker->password;
  adapter_options.mqtt.ca_file = broker->ca_file;
  adapter_options.mqtt.cert_file = broker->cert_file;
  adapter_options.mqtt.key_file = broker->key_file;

  adapter_options.webhook.ca_file = config_.webhook.ca_file;
  adapter_options.webhook.timeout = config_.webhook.timeout;
  adapter_options.webhook.connect_timeout = config_.webhook.connect_timeout;
  adapter_options.webhook.max_in_flight = static_cast<size_t>(config_.webhook.max_in_flight);
  // The directory in force names each webhook's secret file (a reload may
  // change it; the file is read at each send).
  adapter_options.webhook.secret_file =
      [this](const std::string& agency_id, const std::string& url) -> std::optional<std::string> {
    const Agency* agency = policy_.directory->Find(agency_id);
    if (agency == nullptr) return std::nullopt;
    for (const Channel& ch : agency->channels) {
      if (ch.type == Channel::Type::kWebhook && ch.target == url) return ch.secret_file;
    }
    return std::nullopt;
  };

  if (const SmtpConfig& smtp = config_.smtp; smtp.url) {
    SmtpAdapterOptions o;
    o.url = *smtp.url;
    o.tls = smtp.tls == SmtpTlsMode::kImplicit ? SmtpTls::kImplicit
            : smtp.tls == SmtpTlsMode::kNone   ? SmtpTls::kNone
                                               : SmtpTls::kStartTls;
    o.from = smtp.from;
    o.from_name = smtp.from_name;
    o.username = smtp.username;
    if (smtp.password_file) {
      Result<std::string> password = ReadSecret(*smtp.password_file);
      if (!password.ok()) return password.status();
      o.password = *password;
    }
    o.ca_file = smtp.ca_file;
    o.timeout = smtp.timeout;
    o.connect_timeout = smtp.connect_timeout;
    o.max_in_flight = static_cast<size_t>(smtp.max_in_flight);
    if (config_.http.public_base_url) {
      o.ack_base_url = *config_.http.public_base_url;
      // The deployment key, byte for byte as SubjectHasher reads it.
      Result<std::string> key = ReadTextFile(config_.privacy.deployment_key_file);
      if (!key.ok()) return key.status();
      o.ack_key = *key;
    }
    adapter_options.smtp = std::move(o);
  }
  Result<AdapterSet> adapters = BuildAdapterSet(io_, adapter_options);
  if (!adapters.ok()) return adapters.status();
  adapters_ = std::move(adapters).value();

  DeliveryRoutes routes;
  routes.channel = [this](const std::string& agency_id, int index) -> std::optional<ChannelTarget> {
    const Agency* agency = policy_.directory->Find(agency_id);
    if (agency == nullptr || index < 0 || static_cast<size_t>(index) >= agency->channels.size()) {
      return std::nullopt;
    }
    const Channel& ch = agency->channels[static_cast<size_t>(index)];
    return ChannelTarget{std::string(kChannelTypeNames[static_cast<size_t>(ch.type)]), ch.target};
  };
  routes.escalates_to = [this](const std::string& agency_id) -> std::optional<std::string> {
    const Agency* agency = policy_.directory->Find(agency_id);
    return agency != nullptr ? agency->escalates_to : std::nullopt;
  };
  routes.fallback_agency = config_.directory.unrouted;
  auto random = [engine = std::make_shared<std::mt19937_64>(std::random_device{}())] {
    return std::uniform_real_distribution<double>(0.0, 1.0)(*engine);
  };
  payloads_ = std::make_unique<PayloadBuilder>(*store_, *processing_, events_cache_);
  dispatcher_ = std::make_unique<Dispatcher>(
      io_, processing_->outbox(), adapters_, RetryPolicyFrom(config_.delivery), clock_, random,
      routes, [this](const Delivery& row) { return payloads_->Build(row); },
      DispatcherOptions{
          .max_in_flight_per_channel = {{"webhook",
                                         static_cast<size_t>(config_.webhook.max_in_flight)},
                                        {"smtp", static_cast<size_t>(config_.smtp.max_in_flight)}},
          .max_in_flight_per_target =
              static_cast<size_t>(config_.delivery.max_in_flight_per_target)});
  pipeline_ = std::make_unique<Pipeline>(io_, *store_, *processing_, events_cache_, clock_,
                                         config_.directory.unrouted, *hasher_);
  Result<std::unique_ptr<EscalationStore>> escalation_store = EscalationStore::Create(store_->db());
  if (!escalation_store.ok()) return escalation_store.status();
  escalation_store_ = std::move(escalation_store).value();
  escalator_ = std::make_unique<Escalator>(io_, *store_, events_cache_, *processing_,
                                           *escalation_store_, clock_, config_.directory.unrouted);
  escalator_->OnDeliveries([this] { dispatcher_->Nudge(); });
  // New alerts bring new ack deadlines: the escalator looks again.
  pipeline_->OnDeliveries([this] {
    dispatcher_->Nudge();
    escalator_->Reschedule();
  });
  clocks_ = std::make_unique<ClockWatcher>(io_, *store_, *processing_, events_cache_, clock_,
                                           config_.directory.unrouted);
  clocks_->OnDeliveries([this] {
    dispatcher_->Nudge();
    escalator_->Reschedule();
  });
  Result<std::unique_ptr<ResolutionStore>> resolution_store = ResolutionStore::Create(store_->db());
  if (!resolution_store.ok()) return resolution_store.status();
  resolution_store_ = std::move(resolution_store).value();
  resolved_ = std::make_unique<ResolvedNotifier>(*resolution_store_, processing_->outbox(), clock_,
                                                 config_.directory.unrouted);
  resolved_->OnDeliveries([this] { dispatcher_->Nudge(); });
  ApplyPolicy();
  pipeline_->OnClocksChanged([this] {
    clocks_->Reschedule();
    ResolveStoppedClocks();
  });
  dispatcher_->Start();
  clocks_->Reschedule();
  // Deadlines that passed while the daemon was down escalate now; clocks
  // that stopped before a crash get their resolved notices.
  escalator_->Reschedule();
  ResolveStoppedClocks();
  // Events stored but not processed when the daemon last stopped.
  pipeline_->Notify();
  return Status::OK();
}

void Daemon::ApplyPolicy() {
  pipeline_->SetRuleSet(policy_.rules);
  pipeline_->SetDirectory(policy_.directory);
  clocks_->SetRuleSet(policy_.rules);
  clocks_->SetDirectory(policy_.directory);
  payloads_->SetRuleSet(policy_.rules);
  payloads_->SetDirectory(policy_.directory);
  escalator_->SetRuleSet(policy_.rules);
  escalator_->SetDirectory(policy_.directory);
  resolved_->SetDirectory(policy_.directory);
}

Status Daemon::StartAcks(const StoreOptions& store_options) {
  Result<std::unique_ptr<EventStore>> connection = EventStore::Open(store_options);
  if (!connection.ok()) return connection.status();
  ack_connection_ = std::move(connection).value();
  Result<std::unique_ptr<AckStore>> store =
      AckStore::Create(ack_connection_->db(), config_.directory.unrouted);
  if (!store.ok()) return store.status();
  mqtt_ack_store_ = std::move(store).value();
  mqtt_acks_ = std::make_unique<AckHandler>(*mqtt_ack_store_, clock_);
  // On Paho's thread: stored before the callback returns (and so before the
  // PUBACK); the receipt is published from the loop.
  mqtt_->AddStream(std::string(kAckTopicPrefix) + "+", std::string(kAckTopicPrefix),
                   [this](const std::string& topic, const std::string& payload) -> Status {
                     Result<AckReceipt> receipt = mqtt_acks_->HandleMqtt(topic, payload);
                     if (!receipt.ok()) return receipt.status();
                     metrics_.ObserveAck("mqtt", receipt->result);
                     boost::asio::post(io_, [this, r = std::move(receipt).value()] { OnAck(r); });
                     return Status::OK();
                   });
  return Status::OK();
}

void Daemon::OnAck(const AckReceipt& receipt) {
  const AckResult& r = receipt.result;
  if (r.outcome == AckOutcome::kRefused) {
    spdlog::warn("ack: alert {} via mqtt refused: {}", r.alert_id, r.refusal->code);
  } else {
    spdlog::info("ack: alert {} via mqtt {}", r.alert_id, AckOutcomeName(r.outcome));
  }
  if (stopping_ || receipt.topic.empty()) return;
  if (Status s = mqtt_->Publish(receipt.topic, receipt.payload, 1, false); !s.ok()) {
    spdlog::warn("ack receipt for alert {}: {}", r.alert_id, s.ToString());
  }
}

Status Daemon::StartHttp() {
  Result<std::unique_ptr<AckStore>> store =
      AckStore::Create(store_->db(), config_.directory.unrouted);
  if (!store.ok()) return store.status();
  loop_ack_store_ = std::move(store).value();
  alert_query_ = std::make_unique<AlertQuery>(store_->db());
  if (!config_.http.enabled) return Status::OK();
  Result<HttpServerOptions> options = ParseListen(config_.http.listen, HttpServerOptions{});
  if (!options.ok()) return options.status();
  if (config_.http.tls_cert_file && config_.http.tls_key_file) {
    auto tls = MakeServerTlsContext(*config_.http.tls_cert_file, *config_.http.tls_key_file);
    if (!tls.ok()) return tls.status();
    options->tls = std::move(tls).value();
  }
  ApiDeps deps;
  deps.query = alert_query_.get();
  deps.acks = loop_ack_store_.get();
  deps.clocks = &processing_->clocks();
  deps.metrics = &metrics_;
  deps.clock = &clock_;
  deps.duty_officer = config_.directory.unrouted;
  if (config_.http.public_base_url) {
    // E-mails carry one-time ack links only then (the SMTP adapter's ack_key).
    Result<std::string> key = ReadTextFile(config_.privacy.deployment_key_file);
    if (!key.ok()) return key.status();
    deps.ack_link_key = std::move(key).value();
  }
  if (config_.http.ack_tokens_file) {
    Result<TokenTable> tokens = TokenTable::Load(*config_.http.ack_tokens_file);
    if (!tokens.ok()) return tokens.status();
    deps.tokens = std::move(tokens).value();
  }
  deps.readiness = [this] {
    // Not ready while the store cannot take a commit (disk full, read-only):
    // the daemon then stays away from the broker, which keeps the events.
    return Readiness{.store = store_writable_ && alert_query_->StoreBytes().ok(),
                     .broker = mqtt_ && mqtt_->subscribed(),
                     .rules = policy_.rules != nullptr && policy_.directory != nullptr};
  };
  api_ = std::make_unique<Api>(std::move(deps));
  http_ = std::make_unique<HttpServer>(
      io_, std::move(options).value(), [this](const HttpRequest& r) { return api_->Handle(r); },
      [this](const HttpRequest& r) { return api_->TooLarge(r); });
  return http_->Start();
}

void Daemon::ResolveStoppedClocks() {
  Result<int> resolved = resolved_->ResolveStopped();
  if (!resolved.ok()) spdlog::error("resolved notices: {}", resolved.status().ToString());
}

void Daemon::OnSubscribed() {
  if (stopping_) return;
  Status s =
      mqtt_->Publish("rcm/v1/status/amparod/" + config_.instance, R"({"state":"online"})", 1, true);
  if (!s.ok()) spdlog::warn("status topic: {}", s.ToString());
  if (!ready_sent_) {
    ready_sent_ = true;
    spdlog::info("ready: subscribed to {}", config_.broker.subscription);
    NotifySystemd("READY=1\nSTATUS=" + StatusLine());
  }
}

void Daemon::OnIngested(const IngestResult& result) {
  switch (result.outcome) {
    case IngestResult::Outcome::kStored:
      ++counters_.stored;
      break;
    case IngestResult::Outcome::kDuplicate:
      ++counters_.duplicates;
      break;
    case IngestResult::Outcome::kDeadLetter:
      ++counters_.dead_letters;
      break;
  }
  receipts_->Add(result);
  if (result.outcome == IngestResult::Outcome::kStored) {
    events_cache_.Put(result.event);
    pipeline_->Notify();
  }
}

void Daemon::WaitForSignals() {
  signals_.async_wait([this](const boost::system::error_code& ec, int sig) {
    if (ec) return;
    if (sig == SIGHUP) {
      Reload();
      WaitForSignals();
      return;
    }
    spdlog::info("signal {}: stopping", sig);
    Stop();
  });
}

void Daemon::Reload() {
  NotifySystemd("RELOADING=1");
  // All or nothing: a rule set or directory with errors is refused and the
  // policy in force stays (DESIGN.md §8).
  Diagnostics diags;
  Result<Policy> policy = LoadPolicy(config_, &diags);
  const bool applied = policy.ok();
  if (applied) {
    policy_ = std::move(policy).value();
    ApplyPolicy();
    spdlog::info("reload: rules ({} rules, {} clocks) and directory ({} agencies) in force",
                 policy_.rules->rules().size(), policy_.rules->clocks().size(),
                 policy_.directory->agencies().size());
  } else {
    LogDiagnostics(diags);
    spdlog::error("reload refused: {} error(s); the previous rules and directory stay in force",
                  diags.size());
  }
  // The audit chain records every reload, applied or refused.
  const nlohmann::json detail = {{"result", applied ? "applied" : "refused"},
                                 {"errors", diags.size()},
                                 {"rules", policy_.rules->rules().size()},
                                 {"agencies", policy_.directory->agencies().size()}};
  if (Status s =
          store_->RecordAudit(audit::kConfigReload, "sighup", AuditDetail(detail), clock_.Now());
      !s.ok()) {
    spdlog::error("reload: the audit record was not stored: {}", s.ToString());
  }
  NotifySystemd("READY=1\nSTATUS=" + StatusLine());
}

void Daemon::Stop() {
  if (stopping_) return;
  stopping_ = true;
  NotifySystemd("STOPPING=1");
  // Stop taking events first; what is already stored stays stored. The last
  // receipts go out before the client disconnects.
  store_probe_timer_.cancel();
  receipts_->Flush();
  mqtt_->Stop(std::chrono::seconds(5));
  receipts_->Stop();
  if (http_) http_->Stop();
  pipeline_->Stop();
  clocks_->Stop();
  escalator_->Stop();
  dispatcher_->Stop();
  adapters_ = AdapterSet();  // disconnects the alert client
  signals_.cancel();
  watchdog_timer_.cancel();
  status_timer_.cancel();
  retention_timer_.cancel();
  // Whatever is still posted (receipts of the last events) runs, then run()
  // returns because no work is left. A timer that expired before Stop() ran
  // is past cancel(): its handler still runs, so every periodic handler
  // checks stopping_ before it arms again (a status timer that re-armed here
  // kept the daemon alive after SIGTERM).
}

void Daemon::ArmWatchdog(Duration interval) {
  NotifySystemd("WATCHDOG=1");
  watchdog_timer_.expires_after(interval);
  watchdog_timer_.async_wait([this, interval](const boost::system::error_code& ec) {
    if (!ec && !stopping_) ArmWatchdog(interval);
  });
}

void Daemon::ArmRetention(Duration delay) {
  retention_timer_.expires_after(delay);
  retention_timer_.async_wait([this](const boost::system::error_code& ec) {
    if (ec || stopping_) return;
    // Small batches, so one run never holds the write lock for long; the
    // next batch follows soon while there is more to purge.
    Result<PurgeReport> report = PurgePersonalData(
        store_->db(), {.now = clock_.Now(), .retention = config_.privacy.retention, .limit = 500});
    Duration next = std::chrono::hours(1);
    if (!report.ok()) {
      spdlog::error("retention: purge failed: {}", report.status().ToString());
    } else if (!report->items.empty()) {
      spdlog::info("retention: purged personal data of {} events, {} dead letters, {} refused acks",
                   report->events, report->dead_letters, report->refused_acks);
      if (report->events >= 500 || report->dead_letters >= 500 || report->refused_acks >= 500) {
        next = std::chrono::seconds(1);
      }
    }
    ArmRetention(next);
  });
}

void Daemon::ArmStatusTimer() {
  status_timer_.expires_after(std::chrono::seconds(5));
  status_timer_.async_wait([this](const boost::system::error_code& ec) {
    if (ec || stopping_) return;
    NotifySystemd("STATUS=" + StatusLine());
    ArmStatusTimer();
  });
}

std::string Daemon::StatusLine() const {
  std::string line = "stored=" + std::to_string(counters_.stored) +
                     " duplicates=" + std::to_string(counters_.duplicates) +
                     " dead_letters=" + std::to_string(counters_.dead_letters);
  if (pipeline_) {
    line += " processed=" + std::to_string(pipeline_->counters().processed) +
            " alerts=" + std::to_string(pipeline_->counters().alerts_opened);
  }
  if (dispatcher_) line += " delivered=" + std::to_string(dispatcher_->counters().delivered);
  if (clocks_) line += " clocks_due=" + std::to_string(clocks_->counters().expiries);
  return line + (mqtt_ && mqtt_->subscribed() ? " subscribed" : " not subscribed");
}

}  // namespace amparo
