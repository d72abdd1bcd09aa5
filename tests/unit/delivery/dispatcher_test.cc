#include "daemon/delivery/dispatcher.h"

#include <chrono>
#include <map>
#include <memory>
#include <set>

#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>

#include "tests/unit/delivery/fake_adapter.h"
#include "tests/unit/store/store_fixture.h"

namespace amparo {
namespace {

using std::chrono::milliseconds;
using testing::At;
using testing::FakeAdapter;
using Outcomes = std::deque<DeliveryOutcome>;
constexpr DeliveryOutcome kDelivered = DeliveryOutcome::kDelivered;
constexpr DeliveryOutcome kRetryable = DeliveryOutcome::kRetryable;
constexpr DeliveryOutcome kPermanent = DeliveryOutcome::kPermanent;

// The outbox, a fake clock and a dispatcher over fake adapters. Time moves
// only when a test advances the clock; the loop runs for real.
class Harness {
 public:
  Harness() {
    policy_ = RetryPolicy{.initial = milliseconds(100),
                          .max = milliseconds(400),
                          .multiplier = 2.0,
                          .jitter = 0.0,
                          .max_attempts_per_channel = 3};
    // Agency "a": mqtt then file. "b": mqtt only, escalates to "omb". "omb": file.
    // "w" and "hung": webhooks, for the fairness tests.
    channels_ = {{"a", {{"mqtt", ""}, {"file", "/a.jsonl"}}},
                 {"w", {{"webhook", "https://w.example/alerts"}}},
                 {"hung", {{"webhook", "https://hung.example/alerts"}}},
                 {"b", {{"mqtt", ""}}},
                 {"omb", {{"file", "/omb.jsonl"}}},
                 {"duty", {{"file", "/duty.jsonl"}}}};
    escalates_to_ = {{"b", "omb"}};
  }

  // Adds an adapter; returns it for scripting.
  FakeAdapter& AddAdapter(const std::string& name, Outcomes script,
                          DeliveryOutcome then = kDelivered) {
    auto adapter = std::make_unique<FakeAdapter>(io_, name, std::move(script), then);
    FakeAdapter& ref = *adapter;
    REQUIRE(adapters_.Add(std::move(adapter)).ok());
    return ref;
  }

  // Commits an alert of event `event_id` to `agency`; returns its delivery id.
  int64_t Alert(const std::string& event_id, const std::string& agency) {
    ProcessingCommit commit = testing::MakeCommit(f_.AddEvent(event_id), event_id, clock_.Now());
    AlertChange alert = testing::MakeAlert("rule-a", agency, event_id);
    alert.channels = channels_.at(agency);
    commit.alerts.push_back(alert);
    Result<CommitOutcome> outcome = f_.store().CommitProcessing(commit);
    REQUIRE(outcome.ok());
    return outcome->alerts.at(0).delivery_id;
  }

  Dispatcher& Start(DispatcherOptions options = {}) {
    DeliveryRoutes routes{
        .channel = [this](const std::string& agency, int index) -> std::optional<ChannelTarget> {
          auto it = channels_.find(agency);
          if (it == channels_.end() || index >= static_cast<int>(it->second.size())) {
            return std::nullopt;
          }
          return it->second[index];
        },
        .escalates_to = [this](const std::string& agency) -> std::optional<std::string> {
          auto it = escalates_to_.find(agency);
          if (it == escalates_to_.end()) return std::nullopt;
          return it->second;
        },
        .fallback_agency = fallback_};
    dispatcher_ = std::make_unique<Dispatcher>(
        io_, outbox(), adapters_, policy_, clock_, [] { return 0.5; }, routes,
        [this](const Delivery& row) { return payload_(row); }, options);
    dispatcher_->Start();
    return *dispatcher_;
  }

  // Runs the loop until `done()` holds and no send is in flight; fails after 5 s.
  template <typename Pred>
  void RunUntil(Pred done) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (!(done() && dispatcher_->in_flight() == 0)) {
      REQUIRE(std::chrono::steady_clock::now() < deadline);
      io_.restart();
      io_.run_for(milliseconds(2));
    }
  }

  // Runs the loop for a little while, for "nothing else happens" checks.
  void RunBriefly() {
    io_.restart();
    io_.run_for(milliseconds(30));
  }

  // Moves time on by `d` and wakes the dispatcher.
  void Advance(Duration d) {
    clock_.Advance(d);
    dispatcher_->Nudge();
  }

  Delivery Row(int64_t id) { return outbox().Get(id).value(); }
  OutboxStore& outbox() { return f_.store().outbox(); }
  Database& db() { return f_.db(); }
  FakeClock& clock() { return clock_; }
  RetryPolicy& policy() { return policy_; }
  void StopAndDrop() {
    dispatcher_->Stop();
    dispatcher_.reset();
  }
  void set_fallback(std::string agency) { fallback_ = std::move(agency); }
  void set_payload(PayloadFn payload) { payload_ = std::move(payload); }
  void clear_adapters() { adapters_ = AdapterSet(); }

 private:
  testing::StoreFixture f_;
  boost::asio::io_context io_;
  FakeClock clock_{At(1'000'000)};
  RetryPolicy policy_;
  AdapterSet adapters_;
  std::map<std::string, std::vector<ChannelTarget>> channels_;
  std::map<std::string, std::string> escalates_to_;
  std::string fallback_;
  // As PayloadBuilder does, a payload built at send time for the row's agency.
  PayloadFn payload_ = [](const Delivery& row) -> Result<std::string> {
    return R"({"for":")" + row.agency_id + R"(","key":")" + row.idempotency_key + "\"}";
  };
  std::unique_ptr<Dispatcher> dispatcher_;
};

TEST_CASE("Dispatcher delivers a due row and marks it delivered") {
  Harness h;
  FakeAdapter& mqtt = h.AddAdapter("mqtt", {});
  const int64_t id = h.Alert("ev-1", "a");
  Dispatcher& d = h.Start();
  h.RunUntil([&] { return d.counters().delivered == 1; });

  REQUIRE(mqtt.sent()->size() == 1);
  const OutboundMessage& m = mqtt.sent()->at(0);
  CHECK(m.delivery_id == id);
  CHECK(m.agency_id == "a");
  CHECK(m.channel_type == "mqtt");
  CHECK(m.idempotency_key == m.alert_id + ":1");
  CHECK(m.payload == R"({"for":"a","key":")" + m.idempotency_key + "\"}");
  CHECK(h.Row(id).state == DeliveryState::kDelivered);
  CHECK(h.Row(id).delivered_at == h.clock().Now());
  CHECK(d.counters().sent == 1);
}

TEST_CASE("Dispatcher retries on the backoff schedule until the adapter succeeds") {
  Harness h;
  FakeAdapter& mqtt = h.AddAdapter("mqtt", {kRetryable, kRetryable});
  const int64_t id = h.Alert("ev-1", "a");
  Dispatcher& d = h.Start();
  const Instant t0 = h.clock().Now();

  h.RunUntil([&] { return h.Row(id).attempts == 1; });
  CHECK(h.Row(id).next_attempt_at == t0 + milliseconds(100));
  CHECK(h.Row(id).last_error == "Unavailable: scripted failure");
  h.RunBriefly();  // Not due yet: nothing is sent while time stands still.
  CHECK(mqtt.sent()->size() == 1);

  h.Advance(milliseconds(100));
  h.RunUntil([&] { return h.Row(id).attempts == 2; });
  CHECK(h.Row(id).next_attempt_at == t0 + milliseconds(100 + 200));

  h.Advance(milliseconds(199));
  h.RunBriefly();
  CHECK(mqtt.sent()->size() == 2);
  h.Advance(milliseconds(1));
  h.RunUntil([&] { return d.counters().delivered == 1; });

  CHECK(mqtt.sent()->size() == 3);
  CHECK(h.Row(id).state == DeliveryState::kDelivered);
  CHECK(h.Row(id).attempts == 2);
  CHECK(d.counters().retried == 2);
  CHECK(d.counters().sent == 3);
  CHECK(d.counters().failed_over == 0);
}

TEST_CASE("Dispatcher waits as long as the endpoint's Retry-After, capped at the policy's max") {
  Harness h;
  FakeAdapter& mqtt = h.AddAdapter("mqtt", {kRetryable, kRetryable});
  const int64_t id = h.Alert("ev-1", "a");
  Dispatcher& d = h.Start();
  const Instant t0 = h.clock().Now();

  // Longer than the first back-off (100 ms): the hint wins.
  mqtt.set_retry_after(milliseconds(300));
  h.RunUntil([&] { return h.Row(id).attempts == 1; });
  CHECK(h.Row(id).next_attempt_at == t0 + milliseconds(300));

  // Longer than the policy's max (400 ms): capped there.
  mqtt.set_retry_after(std::chrono::hours(1));
  h.Advance(milliseconds(300));
  h.RunUntil([&] { return h.Row(id).attempts == 2; });
  CHECK(h.Row(id).next_attempt_at == t0 + milliseconds(300 + 400));

  h.Advance(milliseconds(400));
  h.RunUntil([&] { return d.counters().delivered == 1; });
  CHECK(mqtt.sent()->size() == 3);
}

TEST_CASE("A Retry-After shorter than the back-off does not shorten it") {
  Harness h;
  FakeAdapter& mqtt = h.AddAdapter("mqtt", {kRetryable});
  mqtt.set_retry_after(milliseconds(1));
  const int64_t id = h.Alert("ev-1", "a");
  h.Start();
  const Instant t0 = h.clock().Now();
  h.RunUntil([&] { return h.Row(id).attempts == 1; });
  CHECK(h.Row(id).next_attempt_at == t0 + milliseconds(100));
}

TEST_CASE("Dispatcher fails over to the second channel after the per-channel limit") {
  Harness h;
  FakeAdapter& mqtt = h.AddAdapter("mqtt", {}, kRetryable);
  FakeAdapter& file = h.AddAdapter("file", {});
  const int64_t id = h.Alert("ev-1", "a");
  Dispatcher& d = h.Start();
  for (int attempt = 1; attempt < 3; ++attempt) {
    h.RunUntil([&] { return h.Row(id).attempts == attempt; });
    h.Advance(h.policy().max);
  }
  h.RunUntil([&] { return d.counters().delivered == 1; });

  CHECK(mqtt.sent()->size() == 3);
  REQUIRE(file.sent()->size() == 1);
  Delivery first = h.Row(id);
  CHECK(first.state == DeliveryState::kFailed);
  CHECK(first.attempts == 3);
  Delivery second = h.Row(file.sent()->at(0).delivery_id);
  CHECK(second.channel_index == 1);
  CHECK(second.state == DeliveryState::kDelivered);
  CHECK(file.sent()->at(0).target == "/a.jsonl");
  CHECK(file.sent()->at(0).idempotency_key == mqtt.sent()->at(0).idempotency_key);
  CHECK(d.counters().retried == 2);
  CHECK(d.counters().failed_over == 1);
  CHECK(d.counters().dead == 0);
}

TEST_CASE("Dispatcher fails over at once on a permanent failure") {
  Harness h;
  FakeAdapter& mqtt = h.AddAdapter("mqtt", {kPermanent});
  FakeAdapter& file = h.AddAdapter("file", {});
  const int64_t id = h.Alert("ev-1", "a");
  Dispatcher& d = h.Start();
  h.RunUntil([&] { return d.counters().delivered == 1; });  // The clock never moved.

  CHECK(mqtt.sent()->size() == 1);
  CHECK(file.sent()->size() == 1);
  CHECK(h.Row(id).state == DeliveryState::kFailed);
  CHECK(h.Row(id).attempts == 1);
  CHECK(d.counters().retried == 0);
  CHECK(d.counters().failed_over == 1);
}

TEST_CASE("Dispatcher treats a channel type without adapter as a permanent failure") {
  Harness h;
  FakeAdapter& file = h.AddAdapter("file", {});  // No mqtt adapter.
  const int64_t id = h.Alert("ev-1", "a");
  Dispatcher& d = h.Start();
  h.RunUntil([&] { return d.counters().delivered == 1; });
  CHECK(h.Row(id).state == DeliveryState::kFailed);
  CHECK(h.Row(id).last_error.find("no adapter") != std::string::npos);
  CHECK(file.sent()->size() == 1);
}

TEST_CASE("A payload that cannot be built: gone is permanent, a store error is retried") {
  Harness h;
  FakeAdapter& mqtt = h.AddAdapter("mqtt", {});
  FakeAdapter& file = h.AddAdapter("file", {});
  int calls = 0;
  h.set_payload([&](const Delivery& row) -> Result<std::string> {
    ++calls;
    if (calls == 1) return Status::IOError("disk I/O error");
    if (row.channel.type == "mqtt") return Status::NotFound("no stored event ev-1");
    return std::string("{}");
  });
  const int64_t id = h.Alert("ev-1", "a");  // a: mqtt, then file.
  Dispatcher& d = h.Start();
  h.RunUntil([&] { return h.Row(id).attempts == 1; });
  CHECK(h.Row(id).state == DeliveryState::kPending);
  CHECK(h.Row(id).last_error == "IOError: building the payload: disk I/O error");
  h.Advance(milliseconds(100));
  h.RunUntil([&] { return d.counters().delivered == 1; });
  CHECK(h.Row(id).state == DeliveryState::kFailed);
  CHECK(h.Row(id).last_error == "NotFound: building the payload: no stored event ev-1");
  CHECK(mqtt.sent()->empty());
  CHECK(file.sent()->size() == 1);
}

TEST_CASE("Dispatcher escalates a dead delivery to the agency's escalates_to") {
  Harness h;
  h.AddAdapter("mqtt", {}, kPermanent);
  FakeAdapter& file = h.AddAdapter("file", {});
  const int64_t id = h.Alert("ev-1", "b");  // b: one mqtt channel, escalates to omb.
  Dispatcher& d = h.Start();
  h.RunUntil([&] { return d.counters().delivered == 1; });

  CHECK(h.Row(id).state == DeliveryState::kDead);
  REQUIRE(file.sent()->size() == 1);
  const OutboundMessage& escalation = file.sent()->at(0);
  CHECK(escalation.agency_id == "omb");
  CHECK(escalation.target == "/omb.jsonl");
  CHECK(escalation.alert_id == h.Row(id).alert_id);
  CHECK(escalation.idempotency_key == h.Row(id).idempotency_key);
  // Built for the agency escalated to, not a copy of what was built for b.
  CHECK(escalation.payload == R"({"for":"omb","key":")" + escalation.idempotency_key + "\"}");
  Delivery row = h.Row(escalation.delivery_id);
  CHECK(row.escalated_from == id);
  CHECK(row.state == DeliveryState::kDelivered);
  CHECK(d.counters().dead == 1);
  CHECK(d.counters().escalated == 1);
}

TEST_CASE("Dispatcher escalates to the fallback agency when there is no escalates_to") {
  Harness h;
  h.set_fallback("duty");
  h.AddAdapter("mqtt", {}, kPermanent);
  FakeAdapter& file = h.AddAdapter("file", {kPermanent});  // a's second channel refuses too.
  const int64_t id = h.Alert("ev-1", "a");
  Dispatcher& d = h.Start();
  h.RunUntil([&] { return d.counters().delivered == 1; });

  REQUIRE(file.sent()->size() == 2);
  CHECK(h.Row(id).state == DeliveryState::kFailed);
  CHECK(h.Row(file.sent()->at(0).delivery_id).state == DeliveryState::kDead);
  CHECK(file.sent()->at(1).agency_id == "duty");
  CHECK(file.sent()->at(1).target == "/duty.jsonl");
  CHECK(d.counters().failed_over == 1);
  CHECK(d.counters().dead == 1);
  CHECK(d.counters().escalated == 1);
}

TEST_CASE("Dispatcher leaves an alert dead when nobody is left to escalate to") {
  Harness h;
  h.AddAdapter("mqtt", {}, kPermanent);
  h.AddAdapter("file", {}, kPermanent);
  const int64_t id = h.Alert("ev-1", "b");  // b -> omb, whose only channel refuses as well.
  Dispatcher& d = h.Start();
  h.RunUntil([&] { return d.counters().dead == 2; });
  h.RunBriefly();
  CHECK(h.Row(id).state == DeliveryState::kDead);
  CHECK(d.counters().escalated == 1);
  CHECK(h.outbox().PendingCount().value() == 0);
}

TEST_CASE("Dispatcher never sends a row twice at once, and bounds what is in flight") {
  Harness h;
  FakeAdapter& mqtt = h.AddAdapter("mqtt", {});
  mqtt.Hold();
  for (int i = 0; i < 5; ++i) h.Alert("ev-" + std::to_string(i), "a");
  Dispatcher& d = h.Start({.batch = 2, .max_in_flight = 4});
  h.RunBriefly();
  d.Nudge();
  h.Advance(milliseconds(1000));
  h.RunBriefly();
  CHECK(mqtt.sent()->size() == 4);
  CHECK(d.in_flight() == 4);
  std::set<int64_t> ids;
  for (const OutboundMessage& m : *mqtt.sent()) ids.insert(m.delivery_id);
  CHECK(ids.size() == 4);
}

TEST_CASE("A channel that hangs holds only its own slots, and the other channels' alerts go out") {
  Harness h;
  FakeAdapter& webhook = h.AddAdapter("webhook", {});
  FakeAdapter& mqtt = h.AddAdapter("mqtt", {});
  webhook.Hold();
  for (int i = 0; i < 6; ++i) h.Alert("ev-w" + std::to_string(i), "w");
  for (int i = 0; i < 6; ++i) h.Alert("ev-h" + std::to_string(i), "hung");
  std::vector<int64_t> mqtt_rows;
  for (int i = 0; i < 5; ++i) mqtt_rows.push_back(h.Alert("ev-a" + std::to_string(i), "a"));
  // Without the channel's cap the 12 webhook rows, due first, would take
  // every slot (max_in_flight 12) and the mqtt rows would wait behind them.
  Dispatcher& d = h.Start({.batch = 4,
                           .max_in_flight = 12,
                           .max_in_flight_per_channel = {{"webhook", 3}},
                           .max_in_flight_per_target = 8});
  for (int i = 0; i < 10 && d.counters().delivered < 5; ++i) h.RunBriefly();
  CHECK(webhook.sent()->size() == 3);
  CHECK(mqtt.sent()->size() == 5);
  CHECK(d.counters().delivered == 5);
  for (int64_t id : mqtt_rows) CHECK(h.Row(id).state == DeliveryState::kDelivered);
  // Once the webhook answers, the rows that waited in the store go out.
  webhook.StopHolding();
  webhook.ReleaseHeld(kDelivered);
  h.RunUntil([&] { return d.counters().delivered == 17; });
  CHECK(webhook.sent()->size() == 12);
  CHECK(h.outbox().PendingCount().value() == 0);
}

TEST_CASE(
    "An endpoint that hangs holds only its own slots, and the same channel's other endpoints "
    "work") {
  Harness h;
  FakeAdapter& webhook = h.AddAdapter("webhook", {});
  webhook.HoldTarget("https://hung.example/alerts");
  // The hung endpoint's rows come first in the outbox.
  for (int i = 0; i < 6; ++i) h.Alert("ev-h" + std::to_string(i), "hung");
  std::vector<int64_t> w_rows;
  for (int i = 0; i < 4; ++i) w_rows.push_back(h.Alert("ev-w" + std::to_string(i), "w"));
  Dispatcher& d = h.Start({.batch = 2, .max_in_flight = 8, .max_in_flight_per_target = 2});
  for (int i = 0; i < 10 && d.counters().delivered < 4; ++i) h.RunBriefly();
  int to_hung = 0;
  for (const OutboundMessage& m : *webhook.sent()) to_hung += m.agency_id == "hung" ? 1 : 0;
  CHECK(to_hung == 2);
  CHECK(d.in_flight() == 2);
  CHECK(d.counters().delivered == 4);
  for (int64_t id : w_rows) CHECK(h.Row(id).state == DeliveryState::kDelivered);
}

TEST_CASE("An endpoint's rows beyond its cap go out as its slots free, without a timer") {
  // The outbox is read a few rows per endpoint (the cap, plus one to see
  // that more wait); each confirmation must read that endpoint again. Time
  // does not move here, so a missed read would leave rows pending.
  Harness h;
  FakeAdapter& webhook = h.AddAdapter("webhook", {});
  FakeAdapter& mqtt = h.AddAdapter("mqtt", {});
  webhook.HoldTarget("https://hung.example/alerts");
  for (int i = 0; i < 20; ++i) h.Alert("ev-h" + std::to_string(i), "hung");
  for (int i = 0; i < 7; ++i) h.Alert("ev-w" + std::to_string(i), "w");
  for (int i = 0; i < 5; ++i) h.Alert("ev-a" + std::to_string(i), "a");
  Dispatcher& d = h.Start({.max_in_flight_per_target = 2, .record_delay = milliseconds(1)});
  for (int i = 0; i < 50 && d.counters().delivered < 12; ++i) h.RunBriefly();
  CHECK(d.counters().delivered == 12);
  CHECK(mqtt.sent()->size() == 5);
  int to_hung = 0;
  for (const OutboundMessage& m : *webhook.sent()) to_hung += m.agency_id == "hung" ? 1 : 0;
  CHECK(to_hung == 2);
  CHECK(h.outbox().PendingCount().value() == 20);
}

TEST_CASE("Dispatcher records a round of confirmations together and never resends one") {
  Harness h;
  FakeAdapter& mqtt = h.AddAdapter("mqtt", {});
  std::vector<int64_t> ids;
  for (int i = 0; i < 5; ++i) ids.push_back(h.Alert("ev-" + std::to_string(i), "a"));
  Dispatcher& d = h.Start();
  h.RunUntil([&] { return d.counters().delivered == 5; });
  h.Advance(milliseconds(1000));  // Later passes find nothing due.
  h.RunBriefly();
  CHECK(mqtt.sent()->size() == 5);
  for (int64_t id : ids) CHECK(h.Row(id).state == DeliveryState::kDelivered);
  CHECK(h.outbox().PendingCount().value() == 0);
}

TEST_CASE("When no row waits for a slot, confirmations are recorded without reading the outbox") {
  Harness h;
  FakeAdapter& mqtt = h.AddAdapter("mqtt", {});
  std::vector<int64_t> ids;
  for (int i = 0; i < 5; ++i) ids.push_back(h.Alert("ev-" + std::to_string(i), "a"));
  Dispatcher& d = h.Start({.record_delay = milliseconds(1)});
  h.RunUntil([&] { return d.counters().delivered == 5; });
  // One pass sent all five; their five confirmations read nothing again.
  CHECK(d.counters().passes == 1);
  CHECK(mqtt.sent()->size() == 5);
  for (int64_t id : ids) CHECK(h.Row(id).state == DeliveryState::kDelivered);
  // A row committed later is still picked up when nudged.
  const int64_t later = h.Alert("ev-later", "a");
  d.Nudge();
  h.RunUntil([&] { return d.counters().delivered == 6; });
  CHECK(h.Row(later).state == DeliveryState::kDelivered);
}

TEST_CASE("When rows wait for a slot, each confirmation reads the outbox again") {
  Harness h;
  FakeAdapter& mqtt = h.AddAdapter("mqtt", {});
  for (int i = 0; i < 5; ++i) h.Alert("ev-" + std::to_string(i), "a");
  Dispatcher& d = h.Start({.max_in_flight = 2, .record_delay = milliseconds(1)});
  h.RunUntil([&] { return d.counters().delivered == 5; });
  CHECK(mqtt.sent()->size() == 5);
  CHECK(d.counters().passes >= 3);  // 2 + 2 + 1 sends: at least three passes
  CHECK(h.outbox().PendingCount().value() == 0);
}

TEST_CASE("A confirmation reads the outbox again only if rows wait for the slot it frees") {
  Harness h;
  FakeAdapter& webhook = h.AddAdapter("webhook", {});
  FakeAdapter& mqtt = h.AddAdapter("mqtt", {});
  webhook.Hold();
  for (int i = 0; i < 4; ++i) h.Alert("ev-w" + std::to_string(i), "w");
  for (int i = 0; i < 3; ++i) h.Alert("ev-a" + std::to_string(i), "a");
  Dispatcher& d =
      h.Start({.max_in_flight_per_channel = {{"webhook", 2}}, .record_delay = milliseconds(1)});
  for (int i = 0; i < 10 && d.counters().delivered < 3; ++i) h.RunBriefly();
  REQUIRE(d.counters().delivered == 3);
  // Webhook rows wait for a webhook slot; the mqtt confirmations free mqtt
  // slots, which nobody waits for: no pass after the one that sent them.
  const uint64_t passes = d.counters().passes;
  h.RunBriefly();
  CHECK(d.counters().passes == passes);
  CHECK(webhook.sent()->size() == 2);
  // A webhook confirmation frees a slot the waiting rows can use.
  webhook.StopHolding();
  webhook.ReleaseHeld(kDelivered);
  h.RunUntil([&] { return d.counters().delivered == 7; });
  CHECK(d.counters().passes > passes);
  CHECK(h.outbox().PendingCount().value() == 0);
}

TEST_CASE("A confirmation that arrives after Stop is still recorded") {
  Harness h;
  FakeAdapter& mqtt = h.AddAdapter("mqtt", {});
  mqtt.Hold();
  const int64_t id = h.Alert("ev-1", "a");
  Dispatcher& d = h.Start();
  h.RunBriefly();
  REQUIRE(mqtt.sent()->size() == 1);
  d.Stop();  // No pass follows to record the outcome.
  mqtt.ReleaseHeld(kDelivered);
  h.RunBriefly();
  CHECK(h.Row(id).state == DeliveryState::kDelivered);
  CHECK(d.counters().delivered == 1);
  CHECK(mqtt.sent()->size() == 1);
}

TEST_CASE("Confirmations the store refuses are kept, and nothing is resent meanwhile") {
  Harness h;
  FakeAdapter& mqtt = h.AddAdapter("mqtt", {});
  mqtt.Hold();
  const int64_t id = h.Alert("ev-1", "a");
  Dispatcher& d = h.Start();
  h.RunBriefly();
  REQUIRE(mqtt.sent()->size() == 1);
  // The store refuses to mark anything delivered (reads still work).
  REQUIRE(h.db()
              .Execute("CREATE TRIGGER refuse BEFORE UPDATE OF state ON deliveries "
                       "WHEN NEW.state = 'delivered' BEGIN SELECT RAISE(ABORT, 'disk full'); END")
              .ok());
  mqtt.ReleaseHeld(kDelivered);
  h.RunBriefly();
  h.Advance(milliseconds(200));  // passes run; the row is due, pending, not in flight
  h.RunBriefly();
  CHECK(mqtt.sent()->size() == 1);  // not sent again
  CHECK(h.Row(id).state == DeliveryState::kPending);
  CHECK(d.counters().delivered == 0);
  // The store recovers: the kept confirmation is recorded, still nothing resent.
  REQUIRE(h.db().Execute("DROP TRIGGER refuse").ok());
  h.Advance(milliseconds(1000));
  h.RunUntil([&] { return d.counters().delivered == 1; });
  CHECK(h.Row(id).state == DeliveryState::kDelivered);
  CHECK(mqtt.sent()->size() == 1);
}

TEST_CASE("A row left pending by a dead process is sent again at start with the same key") {
  Harness h;
  const int64_t id = h.Alert("ev-1", "a");
  FakeAdapter& stuck = h.AddAdapter("mqtt", {});
  stuck.Hold();
  h.Start();
  h.RunBriefly();
  REQUIRE(stuck.sent()->size() == 1);
  const std::string key = stuck.sent()->at(0).idempotency_key;
  h.StopAndDrop();  // The process dies between the send and its confirmation.
  CHECK(h.Row(id).state == DeliveryState::kPending);

  h.clear_adapters();
  FakeAdapter& mqtt = h.AddAdapter("mqtt", {});
  Dispatcher& d = h.Start();
  h.RunUntil([&] { return d.counters().delivered == 1; });
  REQUIRE(mqtt.sent()->size() == 1);
  CHECK(mqtt.sent()->at(0).delivery_id == id);
  CHECK(mqtt.sent()->at(0).idempotency_key == key);
  CHECK(h.Row(id).state == DeliveryState::kDelivered);
}

TEST_CASE("Dispatcher picks up rows committed after start when nudged") {
  Harness h;
  FakeAdapter& mqtt = h.AddAdapter("mqtt", {});
  Dispatcher& d = h.Start();
  h.RunBriefly();
  CHECK(mqtt.sent()->empty());
  h.Alert("ev-1", "a");
  d.Nudge();
  h.RunUntil([&] { return d.counters().delivered == 1; });
  CHECK(mqtt.sent()->size() == 1);
}

TEST_CASE("A stopped dispatcher sends nothing") {
  Harness h;
  FakeAdapter& mqtt = h.AddAdapter("mqtt", {});
  Dispatcher& d = h.Start();
  d.Stop();
  h.Alert("ev-1", "a");
  d.Nudge();
  h.RunBriefly();
  CHECK(mqtt.sent()->empty());
}

}  // namespace
}  // namespace amparo
