#include "tests/integration/private_broker.h"

#include <stdexcept>

#include "tests/support/process.h"

namespace amparo::testing {

namespace {

std::string BrokerScript() { return SourcePath("scripts/broker").string(); }

}  // namespace

PrivateBroker::PrivateBroker(const TempDir& dir, const std::string& config_template)
    : dir_(dir.File("broker")) {
  const std::string tmpl = config_template.empty()
                               ? SourcePath("config/mosquitto/mosquitto.conf.in").string()
                               : config_template;
  std::string out;
  if (RunCommand({BrokerScript(), "start", dir_, tmpl}, &out) != 0) {
    throw std::runtime_error("private broker did not start: " + out);
  }
  port_ = std::stoi(ReadFile(dir_ + "/port"));
}

PrivateBroker::~PrivateBroker() {
  std::string out;
  RunCommand({BrokerScript(), "stop", dir_}, &out);
}

bool PrivateBroker::Restart() {
  std::string out;
  return RunCommand({BrokerScript(), "restart", dir_}, &out) == 0;
}

std::string PrivateBroker::Log() const { return ReadFile(dir_ + "/mosquitto.log"); }

}  // namespace amparo::testing
