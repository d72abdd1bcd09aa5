#include "daemon/http/ack_link.h"

#include <catch2/catch.hpp>

#include "daemon/core/ack_token.h"

namespace amparo {
namespace {

const std::string kKey = "deployment-key-bytes\n";

DeliverySummary Delivery(const std::string& agency, int version, const std::string& channel) {
  DeliverySummary d;
  d.agency_id = agency;
  d.version = version;
  d.channel_type = channel;
  return d;
}

TEST_CASE("An ack link matches the e-mail delivery it was made for, and nothing else") {
  const std::vector<DeliverySummary> deliveries = {
      Delivery("pa-senniaf", 1, "smtp"), Delivery("pa-senniaf", 2, "smtp"),
      Delivery("pa-senniaf", 2, "mqtt"), Delivery("duty-officer", 3, "mqtt")};
  const std::string v2 = AckToken(kKey, "alert-1", 2, "pa-senniaf");
  CHECK(MatchAckLink(kKey, "alert-1", v2, deliveries) ==
        AckLinkTarget{.agency_id = "pa-senniaf", .version = 2});
  CHECK(MatchAckLink(kKey, "alert-1", AckToken(kKey, "alert-1", 1, "pa-senniaf"), deliveries) ==
        AckLinkTarget{.agency_id = "pa-senniaf", .version = 1});
  // Another alert's token, another key, a token of a delivery that was not
  // an e-mail, a truncated or empty token: no match.
  CHECK_FALSE(MatchAckLink(kKey, "alert-2", v2, deliveries));
  CHECK_FALSE(MatchAckLink("another key", "alert-1", v2, deliveries));
  CHECK_FALSE(
      MatchAckLink(kKey, "alert-1", AckToken(kKey, "alert-1", 3, "duty-officer"), deliveries));
  CHECK_FALSE(MatchAckLink(kKey, "alert-1", v2.substr(0, 31), deliveries));
  CHECK_FALSE(MatchAckLink(kKey, "alert-1", "", deliveries));
  CHECK_FALSE(MatchAckLink("", "alert-1", AckToken("", "alert-1", 2, "pa-senniaf"), deliveries));
}

TEST_CASE("The confirmation page asks who acknowledges, escapes what it shows, runs no script") {
  AlertSummary alert;
  alert.alert_id = "alert-<1>";
  alert.rule_id = "mx-2-4-dif-channelling";
  alert.severity = "critical";
  alert.state = "open";
  const std::string page =
      AckLinkConfirmPage(alert, AckLinkTarget{.agency_id = "pa-senniaf", .version = 2});
  CHECK(page.find("<form method=\"post\">") != std::string::npos);
  CHECK(page.find("<label for=\"by\">") != std::string::npos);
  CHECK(page.find("name=\"by\" required") != std::string::npos);
  CHECK(page.find("alert-&lt;1&gt; v2") != std::string::npos);
  CHECK(page.find("alert-<1>") == std::string::npos);
  CHECK(page.find("<script") == std::string::npos);
}

TEST_CASE("The result page says what happened to the ack") {
  AckResult accepted{.outcome = AckOutcome::kAccepted, .alert_id = "a"};
  AckResult duplicate{.outcome = AckOutcome::kDuplicate, .alert_id = "a"};
  AckResult refused{.outcome = AckOutcome::kRefused,
                    .alert_id = "a",
                    .refusal = AckRefusal{"malformed", "by (who acknowledged) is missing"}};
  CHECK(AckLinkResultPage("a", accepted).find("Acknowledged") != std::string::npos);
  CHECK(AckLinkResultPage("a", duplicate).find("Already acknowledged") != std::string::npos);
  CHECK(AckLinkResultPage("a", refused).find("by (who acknowledged) is missing") !=
        std::string::npos);
}

}  // namespace
}  // namespace amparo
