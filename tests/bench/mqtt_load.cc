// mqtt_load: the load tool of the end-to-end benchmark (tests/bench/run-e2e).
//
// Publishes a realistic stream of amparo.event.v1 events (QoS 1) to a broker
// and, on a second connection, listens for what the middle under test sends
// back: the events themselves (--expect direct), the relayed copies (relay),
// amparod's receipts and alerts (amparod) or the Node.js peer's alerts (peer).
// It prints one RESULT line of key=value pairs that run-e2e turns into a table.
//
// Two modes: --rate 0 publishes as fast as the in-flight window (--window)
// allows (throughput); --rate R offers R events/s on a fixed schedule
// (latency). Every event_id is "bench-RUN-SEQ-PUBUS": RUN is unique per run,
// SEQ the event's index, PUBUS the CLOCK_MONOTONIC microsecond at which it was
// published. Latency is measured from PUBUS to the arrival of an output that
// names the event id.
//
// amparod's escalation alerts (they carry "escalated_from") are counted
// apart: its escalator sends them when an ack deadline passes, on a timer,
// so they neither end the run nor count in the latency.
//
// Every wait is bounded (--timeout); the tool stops on its own.
//
// Not a test: benchmarks are not part of the pass/fail suite (STYLE.md).
#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <fstream>
#include <iostream>
#include <mutex>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <mqtt/async_client.h>
#include <nlohmann/json.hpp>

#include <signal.h>
#include <sys/resource.h>
#include <unistd.h>

namespace {

using Clock = std::chrono::steady_clock;

int64_t NowUs() {
  return std::chrono::duration_cast<std::chrono::microseconds>(Clock::now().time_since_epoch())
      .count();
}

struct Options {
  std::string host = "127.0.0.1";
  int port = 1883;
  long events = 100000;
  double rate = 0;  // events/s; 0 = as fast as the window allows
  int window = 100;
  std::string expect = "direct";  // direct | relay | amparod | peer
  int pid = 0;                    // the middle process, for CPU and RSS
  int broker_pid = 0;
  double timeout_s = 600;
  int settle_ms = 1500;
  uint64_t seed = 1;
};

[[noreturn]] void Usage(const char* why) {
  std::fprintf(stderr,
               "mqtt_load: %s\n"
               "usage: mqtt_load --port P [--host H] [--events N] [--rate R] [--window W]\n"
               "                 --expect direct|relay|amparod|peer [--pid PID] [--broker-pid "
               "PID]\n"
               "                 [--timeout S] [--settle-ms MS] [--seed S]\n",
               why);
  std::exit(2);
}

Options ParseArgs(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) Usage(("missing value for " + a).c_str());
      return argv[++i];
    };
    try {
      if (a == "--host")
        o.host = next();
      else if (a == "--port")
        o.port = std::stoi(next());
      else if (a == "--events")
        o.events = std::stol(next());
      else if (a == "--rate")
        o.rate = std::stod(next());
      else if (a == "--window")
        o.window = std::stoi(next());
      else if (a == "--expect")
        o.expect = next();
      else if (a == "--pid")
        o.pid = std::stoi(next());
      else if (a == "--broker-pid")
        o.broker_pid = std::stoi(next());
      else if (a == "--timeout")
        o.timeout_s = std::stod(next());
      else if (a == "--settle-ms")
        o.settle_ms = std::stoi(next());
      else if (a == "--seed")
        o.seed = std::stoull(next());
      else
        Usage(("unknown argument " + a).c_str());
    } catch (const std::logic_error&) {
      Usage(("bad value for " + a).c_str());
    }
  }
  if (o.events < 1 || o.window < 1 || o.rate < 0) Usage("events and window must be >= 1");
  if (o.expect != "direct" && o.expect != "relay" && o.expect != "amparod" && o.expect != "peer")
    Usage("--expect must be direct, relay, amparod or peer");
  return o;
}

// ---- /proc ----------------------------------------------------------------

// utime + stime of a process in seconds, or -1.
double CpuSeconds(int pid) {
  if (pid <= 0) return -1;
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const auto close = stat.rfind(')');  // the command name may hold spaces
  if (close == std::string::npos) return -1;
  std::istringstream fields(stat.substr(close + 2));
  std::string f;
  // Fields after the name start at field 3 (state); utime is 14, stime 15.
  unsigned long long utime = 0, stime = 0;
  for (int field = 3; field <= 15 && fields >> f; ++field) {
    if (field == 14) utime = std::stoull(f);
    if (field == 15) stime = std::stoull(f);
  }
  return static_cast<double>(utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

// The whole machine's CPU time from /proc/stat, in clock ticks: busy (user,
// nice, system, irq, softirq, steal) and all (busy + idle + iowait).
struct MachineCpu {
  unsigned long long busy = 0;
  unsigned long long all = 0;
};

MachineCpu ReadMachineCpu() {
  std::ifstream in("/proc/stat");
  std::string cpu;
  unsigned long long user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0,
                     steal = 0;
  in >> cpu >> user >> nice >> system >> idle >> iowait >> irq >> softirq >> steal;
  if (cpu != "cpu") return {};
  const unsigned long long busy = user + nice + system + irq + softirq + steal;
  return {busy, busy + idle + iowait};
}

// This process's own CPU time (the load tool's), in seconds.
double SelfCpuSeconds() {
  struct rusage usage {};
  if (getrusage(RUSAGE_SELF, &usage) != 0) return -1;
  auto seconds = [](const timeval& tv) {
    return static_cast<double>(tv.tv_sec) + static_cast<double>(tv.tv_usec) / 1e6;
  };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

// VmHWM (peak resident set) in kB, or -1.
long PeakRssKb(int pid) {
  if (pid <= 0) return -1;
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmHWM:", 0) == 0) return std::stol(line.substr(6));
  }
  return -1;
}

bool Alive(int pid) { return pid <= 0 || ::kill(pid, 0) == 0; }

// ---- the event stream -----------------------------------------------------

struct Place {
  const char* country;
  const char* admin1;
  const char* place;
  const char* agency;
  const char* office;
  const char* facility_id;
  const char* facility_type;
  const char* offset;
};

constexpr Place kPlaces[] = {
    {"MX", "MX-CHP", "Tapachula", "INM", "Oficina de Representación en Chiapas",
     "INM-CHP-EM-SIGLO-XXI", "migration_station", "-06:00"},
    {"MX", "MX-TAB", "Tenosique", "INM", "Oficina de Representación en Tabasco",
     "INM-TAB-EM-TENOSIQUE", "migration_station", "-06:00"},
    {"MX", "MX-VER", "Acayucan", "INM", "Oficina de Representación en Veracruz",
     "INM-VER-EM-ACAYUCAN", "migration_station", "-06:00"},
    {"US", "US-TX", "McAllen", "CBP-USBP", "Rio Grande Valley Sector", "USBP-RGV-MCS",
     "border_post", "-06:00"},
    {"US", "US-CA", "San Diego", "CBP-USBP", "San Diego Sector", "USBP-SDC-CHULA-VISTA",
     "border_post", "-08:00"},
    {"GT", "GT-QZ", "Quetzaltenango", "IGM", "Delegación Quetzaltenango", "IGM-QZ-ALBERGUE",
     "shelter", "-06:00"},
    {"HN", "HN-CR", "San Pedro Sula", "INM-HN", "Centro de Atención al Migrante Irregular",
     "INM-HN-CAMI-SPS", "shelter", "-06:00"},
};
constexpr int kNumPlaces = sizeof(kPlaces) / sizeof(kPlaces[0]);
constexpr const char* kNationalities[] = {"GT", "HN", "SV", "NI", "MX"};

// One event, split around its event_id, which is only known at publish time.
struct Template {
  std::string topic;
  std::string head;  // `{"schema":"amparo.event.v1","event_id":"`
  std::string tail;  // `","type":...}`
};

std::string Two(int v) {
  char b[8];
  std::snprintf(b, sizeof b, "%02d", v);
  return b;
}

// Builds event `seq`. `force_alert` makes it an unaccompanied 15-year-old in
// an INM migration station: every rule set in this benchmark alerts on it.
Template MakeEvent(std::mt19937_64& rng, long seq, bool force_alert) {
  auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<uint64_t>(n)); };
  auto chance = [&](int percent) { return pick(100) < percent; };

  const Place& p = force_alert ? kPlaces[0] : kPlaces[pick(kNumPlaces)];
  std::string nat = kNationalities[pick(5)];
  if (nat == p.country) nat = "GT";
  if (nat == p.country) nat = "HN";
  if (std::strcmp(p.country, "US") != 0 && nat == "MX" && std::strcmp(p.country, "MX") != 0) {
    nat = "SV";
  }

  // About 30% unaccompanied or separated minors; the rest adults (60%) or
  // accompanied children (10%).
  const int kind = force_alert ? 0 : pick(100);
  const bool alone_child = kind < 30;
  const bool accompanied_child = kind >= 30 && kind < 40;
  const int age = alone_child ? 6 + pick(12) : accompanied_child ? 2 + pick(16) : 21 + pick(35);

  const char* types_child[] = {"apprehension", "apprehension", "detention",  "detention",
                               "transfer",     "return",       "case_update"};
  const char* types_adult[] = {"apprehension", "detention", "release", "return", "case_update"};
  std::string type = force_alert   ? "apprehension"
                     : alone_child ? types_child[pick(7)]
                                   : types_adult[pick(5)];

  // Events happened within the last hour, written in the place's UTC offset:
  // amparod keeps legal clocks, and an event from months ago would have every
  // clock already overdue and alerting, which is not the load being measured.
  const std::string offset = p.offset;
  const int offset_minutes = (offset[0] == '-' ? -1 : 1) *
                             (std::stoi(offset.substr(1, 2)) * 60 + std::stoi(offset.substr(4, 2)));
  const auto local = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now() -
                                                              std::chrono::seconds(pick(3600)) +
                                                              std::chrono::minutes(offset_minutes));
  const std::time_t local_t = std::chrono::system_clock::to_time_t(local);
  std::tm tm{};
  gmtime_r(&local_t, &tm);
  char date_buf[16];
  char time_buf[16];
  std::strftime(date_buf, sizeof date_buf, "%Y-%m-%d", &tm);
  std::strftime(time_buf, sizeof time_buf, "%H:%M:%S", &tm);
  const std::string date = date_buf;
  const std::string occurred = date + "T" + time_buf + offset;

  std::string basis;
  std::string birth;
  if (alone_child || accompanied_child) {
    basis = chance(50) ? "document" : "declared";
  } else {
    basis = "document";
  }
  if (basis == "document" && chance(70)) {
    // Born in January of (event year - age): after January the age in years
    // is exactly `age` (in January it may be one less, which is fine for load).
    birth = std::to_string(tm.tm_year + 1900 - age) + "-01-" + Two(1 + pick(28));
  }

  std::string accompaniment;
  std::string companions;
  if (alone_child) {
    accompaniment = force_alert || chance(70) ? "unaccompanied" : "separated";
    if (accompaniment == "separated")
      companions = R"([{"relation":"relative"}])";
    else if (chance(30))
      companions = R"([{"relation":"unrelated_adult"}])";
  } else if (accompanied_child) {
    accompaniment = "accompanied";
    companions = chance(80) ? R"([{"relation":"parent"}])" : R"([{"relation":"legal_guardian"}])";
  } else {
    accompaniment = chance(70) ? "unaccompanied" : "accompanied";
    if (accompaniment == "accompanied") companions = R"([{"relation":"relative"}])";
  }

  std::string flags;
  if (!force_alert) {
    const int f = pick(100);
    if (f < 10)
      flags = R"(["asylum_claim"])";
    else if (f < 15)
      flags = R"(["fear_of_return"])";
    else if (f < 18)
      flags = R"(["trafficking_indicators","medical_need"])";
  }

  const std::string langs = nat == "GT" && chance(40) ? R"(["es","mam"])"
                            : nat == "GT"             ? R"(["es","quc"])"
                                                      : R"(["es"])";
  const char* sex = chance(50) ? "F" : "M";

  std::string tail = "\",\"type\":\"" + type + "\",\"occurred_at\":\"" + occurred +
                     "\",\"authority\":{\"country\":\"" + p.country + "\",\"agency\":\"" +
                     p.agency + "\",\"office\":\"" + p.office + "\"},\"location\":{\"country\":\"" +
                     p.country + "\",\"admin1\":\"" + p.admin1 + "\",\"place\":\"" + p.place +
                     "\",\"facility\":{\"id\":\"" + p.facility_id + "\",\"type\":\"" +
                     p.facility_type + "\"}},\"subject\":{\"id\":\"" + p.agency + "-" + p.admin1 +
                     "-2026-" + std::to_string(100000 + seq) + "\"";
  if (!birth.empty()) tail += ",\"birth_date\":\"" + birth + "\"";
  tail += ",\"age\":{\"years\":" + std::to_string(age) + ",\"basis\":\"" + basis +
          "\"},\"sex\":\"" + sex + "\",\"nationalities\":[\"" + nat + "\"],\"languages\":" + langs +
          ",\"accompaniment\":\"" + accompaniment + "\"";
  if (!companions.empty()) tail += ",\"companions\":" + companions;
  if (!flags.empty()) tail += ",\"flags\":" + flags;
  tail += ",\"habitual_residence\":\"" + nat + "\"}";
  if (type == "apprehension" || type == "detention") {
    tail += ",\"custody\":{\"start\":\"" + occurred +
            "\",\"with_unrelated_adults\":" + (chance(20) ? "true" : "false") + "}";
  } else if (type == "transfer") {
    tail += std::string(",\"transfer\":{\"to\":{\"agency\":\"") +
            (std::strcmp(p.country, "US") == 0 ? "HHS-ORR" : "DIF") +
            "\",\"kind\":\"child_welfare\",\"facility\":{\"id\":\"CW-" + p.admin1 +
            "-0417\",\"type\":\"shelter\"}}}";
  } else if (type == "return") {
    tail += ",\"return\":{\"to_country\":\"" + nat +
            "\",\"port\":\"Puerto fronterizo\",\"scheduled_at\":\"" + date + "T23:30:00" +
            p.offset + "\"}";
  }
  tail += "}";

  Template t;
  t.topic = std::string("rcm/v1/events/") + p.country + "/" + p.agency;
  t.head = R"({"schema":"amparo.event.v1","event_id":")";
  t.tail = std::move(tail);
  return t;
}

// ---- outputs --------------------------------------------------------------

struct Stats {
  std::mutex mu;
  std::vector<char> seen_main;  // events accounted for by the main output
  long main_distinct = 0;       // distinct events seen (relayed copy or receipt)
  long main_messages = 0;       // messages on the main output topic
  long receipt_entries = 0;
  long receipts_not_stored = 0;
  long deadletters = 0;
  long alerts = 0;
  long escalations = 0;  // amparod's escalation alerts, counted apart
  long alerts_for_last = 0;
  long other = 0;  // messages of this run we could not attribute
  int64_t first_out_us = 0;
  int64_t last_out_us = 0;
  int64_t last_any_us = 0;
  std::vector<int64_t> lat_main_us;   // relayed message / receipt
  std::vector<int64_t> lat_alert_us;  // alert
  std::string first_not_stored;
};

// Finds "bench-RUN-SEQ-PUBUS" in `s` from `pos`; returns false if absent.
bool FindId(const std::string& s, const std::string& prefix, size_t& pos, long& seq,
            int64_t& pub_us) {
  const size_t at = s.find(prefix, pos);
  if (at == std::string::npos) return false;
  const char* c = s.c_str() + at + prefix.size();
  char* end = nullptr;
  seq = std::strtol(c, &end, 10);
  if (end == c || *end != '-') return false;
  const char* c2 = end + 1;
  pub_us = std::strtoll(c2, &end, 10);
  if (end == c2) return false;
  pos = static_cast<size_t>(end - s.c_str());
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  const Options opt = ParseArgs(argc, argv);
  const std::string uri = "tcp://" + opt.host + ":" + std::to_string(opt.port);
  const std::string run =
      std::to_string(::getpid()) + "x" + std::to_string(std::time(nullptr) % 100000000);
  const std::string id_prefix = "bench-" + run + "-";
  const std::string probe_prefix = "probe-" + run + "-";
  const long n = opt.events;
  const bool amparod = opt.expect == "amparod";
  const bool peer = opt.expect == "peer";

  // The stream, built before the clock starts.
  std::mt19937_64 rng(opt.seed);
  std::vector<Template> events;
  events.reserve(static_cast<size_t>(n));
  size_t bytes = 0;
  for (long i = 0; i < n; ++i) {
    events.push_back(MakeEvent(rng, i, /*force_alert=*/i == n - 1));
    bytes += events.back().head.size() + events.back().tail.size() + id_prefix.size() + 20;
  }

  Stats st;
  st.seen_main.assign(static_cast<size_t>(n), 0);
  std::atomic<bool> probe_seen{false};
  std::condition_variable out_cv;

  // ---- the listener ----
  mqtt::async_client sub(uri, "bench-sub-" + run);
  sub.set_message_callback([&](mqtt::const_message_ptr msg) {
    try {
      const int64_t now = NowUs();
      const std::string& topic = msg->get_topic();
      const std::string& payload = msg->get_payload_str();
      if (payload.find(probe_prefix) != std::string::npos) {
        probe_seen = true;
        out_cv.notify_all();
        return;
      }
      const bool is_receipt = topic.rfind("rcm/v1/receipts/", 0) == 0;
      const bool is_deadletter = topic.rfind("rcm/v1/deadletter/", 0) == 0;
      const bool is_alert =
          topic.rfind("rcm/v1/alerts/", 0) == 0 && opt.expect != "relay" && opt.expect != "direct";
      std::lock_guard<std::mutex> lock(st.mu);
      // Each phase has its own broker, so every alert is this run's, even one
      // whose recipient may not see the event id; anything else must name it.
      if (!is_alert && payload.find(id_prefix) == std::string::npos) return;
      st.last_any_us = now;
      bool counted = false;
      bool timed = true;  // sets the run's end (last_out_us)
      if (is_alert && payload.find("\"escalated_from\"") != std::string::npos) {
        // An escalation: sent on a timer, not in answer to the stream
        // (see the top of this file).
        ++st.escalations;
        counted = true;
        timed = false;
      } else if (is_deadletter) {
        ++st.deadletters;
        counted = true;
      } else if (is_receipt) {
        ++st.main_messages;
        const auto j = nlohmann::json::parse(payload, nullptr, /*allow_exceptions=*/false);
        const auto one = [&](const nlohmann::json& r) {
          if (!r.is_object() || !r.contains("event_id") || !r["event_id"].is_string()) return;
          const std::string id = r["event_id"].get<std::string>();
          size_t pos = 0;
          long seq = 0;
          int64_t pub = 0;
          if (!FindId(id, id_prefix, pos, seq, pub) || seq < 0 || seq >= n) return;
          ++st.receipt_entries;
          const std::string status = r.value("status", "");
          if (status != "stored") {
            ++st.receipts_not_stored;
            if (st.first_not_stored.empty()) st.first_not_stored = r.dump();
          }
          if (!st.seen_main[static_cast<size_t>(seq)]) {
            st.seen_main[static_cast<size_t>(seq)] = 1;
            ++st.main_distinct;
            st.lat_main_us.push_back(now - pub);
          }
        };
        if (j.is_array()) {
          for (const auto& r : j) one(r);
        } else {
          one(j);
        }
        counted = true;
      } else if (is_alert) {
        ++st.alerts;
        size_t pos = 0;
        long seq = 0;
        int64_t pub = 0;
        if (FindId(payload, id_prefix, pos, seq, pub)) {
          st.lat_alert_us.push_back(now - pub);
          if (seq == n - 1) ++st.alerts_for_last;
        }
        counted = true;
      } else {
        // direct: the event itself; relay: its relayed copy.
        size_t pos = 0;
        long seq = 0;
        int64_t pub = 0;
        if (FindId(payload, id_prefix, pos, seq, pub) && seq >= 0 && seq < n) {
          ++st.main_messages;
          if (!st.seen_main[static_cast<size_t>(seq)]) {
            st.seen_main[static_cast<size_t>(seq)] = 1;
            ++st.main_distinct;
          }
          st.lat_main_us.push_back(now - pub);
          counted = true;
        }
      }
      if (counted) {
        if (timed) {
          if (st.first_out_us == 0) st.first_out_us = now;
          st.last_out_us = now;
        }
      } else {
        ++st.other;
      }
      out_cv.notify_all();
    } catch (...) {
      // No exception may leave a Paho callback (STYLE.md).
    }
  });

  std::vector<std::string> filters;
  if (opt.expect == "direct") filters = {"rcm/v1/events/#"};
  if (opt.expect == "relay") filters = {"rcm/v1/alerts/relay"};
  if (amparod) filters = {"rcm/v1/receipts/#", "rcm/v1/alerts/#", "rcm/v1/deadletter/#"};
  if (peer) filters = {"rcm/v1/alerts/#"};

  try {
    auto copts = mqtt::connect_options_builder()
                     .clean_session(true)
                     .keep_alive_interval(std::chrono::seconds(60))
                     .finalize();
    sub.connect(copts)->wait_for(std::chrono::seconds(10));
    for (const auto& f : filters) sub.subscribe(f, 1)->wait_for(std::chrono::seconds(10));
  } catch (const mqtt::exception& e) {
    std::fprintf(stderr, "mqtt_load: listener: %s\n", e.what());
    return 1;
  }

  // ---- the publisher ----
  // Paho queues a publish until its sender thread writes it; its queue holds
  // max_buffered_messages (100 by default), so size it above the window.
  mqtt::async_client pub(uri, "bench-pub-" + run,
                         mqtt::create_options(MQTTVERSION_3_1_1, opt.window + 1000));
  std::mutex win_mu;
  std::condition_variable win_cv;
  long in_flight = 0;
  long acked = 0;
  struct WindowCallback : mqtt::callback {
    std::mutex* mu;
    std::condition_variable* cv;
    long* in_flight;
    long* acked;
    void delivery_complete(mqtt::delivery_token_ptr) override {
      {
        std::lock_guard<std::mutex> lock(*mu);
        --*in_flight;
        ++*acked;
      }
      cv->notify_all();
    }
  } wcb;
  wcb.mu = &win_mu;
  wcb.cv = &win_cv;
  wcb.in_flight = &in_flight;
  wcb.acked = &acked;
  pub.set_callback(wcb);
  try {
    auto copts = mqtt::connect_options_builder()
                     .clean_session(true)
                     .keep_alive_interval(std::chrono::seconds(60))
                     .max_inflight(opt.window)
                     .finalize();
    pub.connect(copts)->wait_for(std::chrono::seconds(10));
  } catch (const mqtt::exception& e) {
    std::fprintf(stderr, "mqtt_load: publisher: %s\n", e.what());
    return 1;
  }

  const auto deadline = Clock::now() + std::chrono::duration_cast<Clock::duration>(
                                           std::chrono::duration<double>(opt.timeout_s));

  // ---- readiness: a probe event must come back before the clock starts ----
  {
    std::mt19937_64 prng(opt.seed + 7);
    Template probe = MakeEvent(prng, 0, /*force_alert=*/true);
    const auto probe_deadline = Clock::now() + std::chrono::seconds(60);
    int attempt = 0;
    while (!probe_seen) {
      if (Clock::now() > probe_deadline || !Alive(opt.pid)) {
        std::fprintf(stderr, "mqtt_load: the middle never answered the probe event%s\n",
                     Alive(opt.pid) ? "" : " (its process has exited)");
        std::printf("RESULT complete=0 error=no_probe\n");
        return 1;
      }
      try {
        const std::string id = probe_prefix + std::to_string(attempt++);
        {
          std::lock_guard<std::mutex> lock(win_mu);
          ++in_flight;
        }
        pub.publish(probe.topic, probe.head + id + probe.tail, 1, false);
      } catch (const mqtt::exception& e) {
        std::fprintf(stderr, "mqtt_load: probe: %s\n", e.what());
        std::lock_guard<std::mutex> lock(win_mu);
        --in_flight;
      }
      std::unique_lock<std::mutex> lock(st.mu);
      out_cv.wait_for(lock, std::chrono::milliseconds(500), [&] { return probe_seen.load(); });
    }
    // Let stray probe outputs drain before the clock starts.
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
  }

  const double cpu0 = CpuSeconds(opt.pid);
  const double bcpu0 = CpuSeconds(opt.broker_pid);
  const MachineCpu machine0 = ReadMachineCpu();
  const double self0 = SelfCpuSeconds();
  const int64_t t0 = NowUs();
  // The middle's CPU time against the events it has accounted for, every
  // 250 ms: the CPU per event of the first and the last tenth of the run
  // tells whether the cost grows with the store (tests/bench/README.md).
  // The machine's CPU times go with it.
  struct CpuSample {
    long processed;
    double cpu_s;
    int64_t at_us;
    MachineCpu machine;
  };
  std::vector<CpuSample> cpu_samples{{0, cpu0, t0, machine0}};
  std::atomic<bool> sampling{true};
  std::thread sampler([&] {
    while (sampling.load()) {
      std::this_thread::sleep_for(std::chrono::milliseconds(250));
      long processed = 0;
      {
        std::lock_guard<std::mutex> lock(st.mu);
        processed = st.main_distinct;
      }
      cpu_samples.push_back({processed, CpuSeconds(opt.pid), NowUs(), ReadMachineCpu()});
    }
  });
  const double period_us = opt.rate > 0 ? 1e6 / opt.rate : 0;
  long published = 0;
  bool aborted = false;
  for (long i = 0; i < n; ++i) {
    if (period_us > 0) {
      const int64_t due = t0 + static_cast<int64_t>(period_us * static_cast<double>(i));
      const int64_t wait = due - NowUs();
      if (wait > 0) std::this_thread::sleep_for(std::chrono::microseconds(wait));
    }
    {
      std::unique_lock<std::mutex> lock(win_mu);
      if (!win_cv.wait_until(lock, deadline, [&] { return in_flight < opt.window; })) {
        aborted = true;
        break;
      }
      ++in_flight;
    }
    const Template& e = events[static_cast<size_t>(i)];
    const std::string id = id_prefix + std::to_string(i) + "-" + std::to_string(NowUs());
    try {
      const std::string payload = e.head + id + e.tail;
      for (;;) {
        try {
          pub.publish(e.topic, payload, 1, false);
          break;
        } catch (const mqtt::exception& full) {
          // Paho's queue is full: back-pressure, not an error (DESIGN.md §1).
          if (full.get_return_code() != MQTTASYNC_MAX_BUFFERED_MESSAGES || Clock::now() > deadline)
            throw;
          std::this_thread::sleep_for(std::chrono::microseconds(200));
        }
      }
      ++published;
    } catch (const mqtt::exception& ex) {
      std::fprintf(stderr, "mqtt_load: publish %ld: %s\n", i, ex.what());
      std::lock_guard<std::mutex> lock(win_mu);
      --in_flight;
      aborted = true;
      break;
    }
    if ((i & 1023) == 0 && !Alive(opt.pid)) {
      std::fprintf(stderr, "mqtt_load: the middle process exited during the run\n");
      aborted = true;
      break;
    }
  }
  const int64_t t_pub_end = NowUs();
  {
    std::unique_lock<std::mutex> lock(win_mu);
    win_cv.wait_until(lock, deadline, [&] { return in_flight == 0; });
  }

  // ---- wait for the outputs: complete, then quiet for settle_ms ----
  auto complete = [&] {
    if (opt.expect == "direct" || opt.expect == "relay" || amparod) {
      return st.main_distinct + (amparod ? 0 : 0) >= published;
    }
    return st.alerts_for_last > 0;  // peer: the last event always alerts
  };
  bool done = false;
  {
    std::unique_lock<std::mutex> lock(st.mu);
    while (Clock::now() < deadline) {
      if (complete()) {
        const int64_t quiet = NowUs() - st.last_any_us;
        if (quiet >= static_cast<int64_t>(opt.settle_ms) * 1000) {
          done = true;
          break;
        }
      }
      if (!Alive(opt.pid)) break;
      out_cv.wait_for(lock, std::chrono::milliseconds(100));
    }
  }
  sampling = false;
  sampler.join();
  const double cpu1 = CpuSeconds(opt.pid);
  const double bcpu1 = CpuSeconds(opt.broker_pid);
  const double self1 = SelfCpuSeconds();
  // CPU ms per event over the first and the last tenth of the events
  // accounted for: from the run's start to the first sample past 10 %, and
  // from the last sample before 90 % to the end (which includes the drain).
  double cpu_first10_ms = -1;
  double cpu_last10_ms = -1;
  if (published >= 10) {
    const long tenth = published / 10;
    for (const CpuSample& s : cpu_samples) {
      if (s.processed >= tenth) {
        cpu_first10_ms = (s.cpu_s - cpu0) * 1000.0 / static_cast<double>(s.processed);
        break;
      }
    }
    for (auto it = cpu_samples.rbegin(); it != cpu_samples.rend(); ++it) {
      if (it->processed <= published - tenth) {
        const long n = published - it->processed;
        if (n > 0) cpu_last10_ms = (cpu1 - it->cpu_s) * 1000.0 / static_cast<double>(n);
        break;
      }
    }
  }
  const long rss = PeakRssKb(opt.pid);
  const long brss = PeakRssKb(opt.broker_pid);

  try {
    pub.disconnect()->wait_for(std::chrono::seconds(5));
    sub.disconnect()->wait_for(std::chrono::seconds(5));
  } catch (const mqtt::exception&) {
  }

  std::lock_guard<std::mutex> lock(st.mu);
  const double elapsed = static_cast<double>(st.last_out_us - t0) / 1e6;
  // How busy the machine's CPUs were from the start to the last timed
  // output (the first sample past it), all processes: the middle, the
  // broker, this tool, the kernel's I/O. Near 100 %, a middle's events/s is
  // bounded by the machine rather than by its own design. The wait for quiet
  // after the last output is left out: it would dilute the figure.
  MachineCpu machine1 = cpu_samples.back().machine;
  for (const CpuSample& s : cpu_samples) {
    if (s.at_us >= st.last_out_us) {
      machine1 = s.machine;
      break;
    }
  }
  const double machine_busy_pct = machine1.all > machine0.all
                                      ? 100.0 * static_cast<double>(machine1.busy - machine0.busy) /
                                            static_cast<double>(machine1.all - machine0.all)
                                      : -1;
  auto pct = [](std::vector<int64_t>& v, double q) -> double {
    if (v.empty()) return -1;
    std::sort(v.begin(), v.end());
    const size_t k = std::min(v.size() - 1, static_cast<size_t>(q * static_cast<double>(v.size())));
    return static_cast<double>(v[k]) / 1000.0;
  };
  const double per_k = published > 0 ? 1000.0 / static_cast<double>(published) : 0;
  std::printf(
      "RESULT complete=%d expect=%s events=%ld published=%ld processed=%ld "
      "avg_bytes=%zu offered_rate=%.0f publish_s=%.3f elapsed_s=%.3f events_per_s=%.0f "
      "alerts=%ld alerts_per_s=%.0f escalations=%ld receipts=%ld not_stored=%ld deadletters=%ld "
      "cpu_s=%.3f cpu_s_per_1k=%.4f rss_kb=%ld broker_cpu_s_per_1k=%.4f broker_rss_kb=%ld "
      "main_n=%zu main_p50_ms=%.2f main_p99_ms=%.2f alert_n=%zu alert_p50_ms=%.2f "
      "alert_p99_ms=%.2f cpu_ms_first10=%.4f cpu_ms_last10=%.4f machine_busy_pct=%.1f "
      "load_cpu_s_per_1k=%.4f\n",
      done && !aborted ? 1 : 0, opt.expect.c_str(), n, published, st.main_distinct,
      bytes / static_cast<size_t>(n), opt.rate, static_cast<double>(t_pub_end - t0) / 1e6, elapsed,
      elapsed > 0 ? static_cast<double>(peer ? published : st.main_distinct) / elapsed : 0,
      st.alerts, elapsed > 0 ? static_cast<double>(st.alerts) / elapsed : 0, st.escalations,
      st.receipt_entries, st.receipts_not_stored, st.deadletters, cpu1 - cpu0,
      (cpu1 - cpu0) * per_k, rss, (bcpu1 - bcpu0) * per_k, brss, st.lat_main_us.size(),
      pct(st.lat_main_us, 0.50), pct(st.lat_main_us, 0.99), st.lat_alert_us.size(),
      pct(st.lat_alert_us, 0.50), pct(st.lat_alert_us, 0.99), cpu_first10_ms, cpu_last10_ms,
      machine_busy_pct, self0 >= 0 && self1 >= 0 ? (self1 - self0) * per_k : -1);
  if (!st.first_not_stored.empty()) {
    std::fprintf(stderr, "mqtt_load: first receipt not 'stored': %s\n",
                 st.first_not_stored.c_str());
  }
  if (!done) std::fprintf(stderr, "mqtt_load: outputs incomplete at the deadline\n");
  return done && !aborted ? 0 : 1;
}
