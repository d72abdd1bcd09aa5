#include "daemon/delivery/adapter_set.h"

#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>

#include "tests/unit/delivery/fake_adapter.h"

namespace amparo {
namespace {

TEST_CASE("AdapterSet finds adapters by channel type and refuses two of a type") {
  boost::asio::io_context io;
  AdapterSet set;
  REQUIRE(set.Add(std::make_unique<testing::FakeAdapter>(io, "mqtt", std::deque<DeliveryOutcome>{}))
              .ok());
  REQUIRE(set.Add(std::make_unique<testing::FakeAdapter>(io, "file", std::deque<DeliveryOutcome>{}))
              .ok());
  CHECK(set.Find("mqtt")->Name() == "mqtt");
  CHECK(set.Find("smtp") == nullptr);
  CHECK(set.Types() == std::vector<std::string>{"file", "mqtt"});
  CHECK(set.Add(std::make_unique<testing::FakeAdapter>(io, "mqtt", std::deque<DeliveryOutcome>{}))
            .code() == Status::Code::kAlreadyExists);
  CHECK(set.Add(nullptr).code() == Status::Code::kInvalidArgument);
}

TEST_CASE("OutcomeName names every outcome") {
  CHECK(OutcomeName(DeliveryOutcome::kDelivered) == "delivered");
  CHECK(OutcomeName(DeliveryOutcome::kRetryable) == "retryable");
  CHECK(OutcomeName(DeliveryOutcome::kPermanent) == "permanent");
}

}  // namespace
}  // namespace amparo
