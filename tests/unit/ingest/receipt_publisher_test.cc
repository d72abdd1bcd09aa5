#include "daemon/ingest/receipt_publisher.h"

#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "daemon/core/base64.h"

namespace amparo {
namespace {

using namespace std::chrono_literals;  // NOLINT(google-build-using-namespace)

struct Sent {
  std::string topic;
  std::string payload;
};

IngestResult Stored(const std::string& id, const std::string& country = "MX") {
  IngestResult r;
  r.outcome = IngestResult::Outcome::kStored;
  r.event_id = id;
  r.country = country;
  r.agency = "INM";
  return r;
}

TEST_CASE("receipts to one topic are coalesced into one array message") {
  boost::asio::io_context io;
  std::vector<Sent> sent;
  ReceiptOptions options;
  options.coalesce = 5ms;
  ReceiptPublisher publisher(io, options, [&](const std::string& t, const std::string& p) {
    sent.push_back({t, p});
    return Status::OK();
  });
  publisher.Add(Stored("e-1"));
  publisher.Add(Stored("e-2"));
  publisher.Add(Stored("e-3", "GT"));
  io.run();
  REQUIRE(sent.size() == 2);
  CHECK(sent[0].topic == "rcm/v1/receipts/GT/INM");
  CHECK(sent[1].topic == "rcm/v1/receipts/MX/INM");
  auto mx = nlohmann::json::parse(sent[1].payload);
  REQUIRE(mx.size() == 2);
  CHECK(mx[0]["event_id"] == "e-1");
  CHECK(mx[0]["status"] == "stored");
  CHECK(mx[1]["event_id"] == "e-2");
  CHECK(publisher.pending() == 0);
}

TEST_CASE("a dead letter is published with its reason and the raw bytes in base64") {
  boost::asio::io_context io;
  std::vector<Sent> sent;
  ReceiptOptions options;
  options.coalesce = 0ms;
  ReceiptPublisher publisher(io, options, [&](const std::string& t, const std::string& p) {
    sent.push_back({t, p});
    return Status::OK();
  });
  IngestResult r;
  r.outcome = IngestResult::Outcome::kDeadLetter;
  r.reason = "type: unknown event type \"x\"";
  r.topic = "rcm/v1/events/XX/unknown";
  r.raw = std::string("\xff\x00z", 3);
  publisher.Add(r);
  io.run();
  REQUIRE(sent.size() == 2);
  CHECK(sent[0].topic == "rcm/v1/deadletter/unknown/unknown");
  auto dead = nlohmann::json::parse(sent[0].payload);
  CHECK(dead["reason"] == r.reason);
  CHECK(dead["event_id"].is_null());
  CHECK(dead["payload_base64"] == "/wB6");
  CHECK(sent[1].topic == "rcm/v1/receipts/unknown/unknown");
  CHECK(nlohmann::json::parse(sent[1].payload)[0]["status"] == "dead_letter");
}

TEST_CASE("when the client cannot take more, receipts wait and go out later") {
  boost::asio::io_context io;
  std::vector<Sent> sent;
  int refusals = 2;
  ReceiptOptions options;
  options.coalesce = 1ms;
  ReceiptPublisher publisher(io, options, [&](const std::string& t, const std::string& p) {
    if (refusals > 0) {
      --refusals;
      return Status::Unavailable("buffer full");
    }
    sent.push_back({t, p});
    return Status::OK();
  });
  publisher.Add(Stored("e-1"));
  io.run();
  REQUIRE(sent.size() == 1);
  CHECK(nlohmann::json::parse(sent[0].payload)[0]["event_id"] == "e-1");
  CHECK(publisher.pending() == 0);
  CHECK(publisher.dropped() == 0);
}

TEST_CASE("Base64 follows RFC 4648") {
  CHECK(Base64Encode("") == "");
  CHECK(Base64Encode("f") == "Zg==");
  CHECK(Base64Encode("fo") == "Zm8=");
  CHECK(Base64Encode("foobar") == "Zm9vYmFy");
}

}  // namespace
}  // namespace amparo
