// A Mosquitto of a test's own (not the CTest fixture's), started by
// scripts/broker from a config template, for tests that restart the broker
// or need TLS. Stopped when the object dies.
#ifndef AMPARO_TESTS_INTEGRATION_PRIVATE_BROKER_H_
#define AMPARO_TESTS_INTEGRATION_PRIVATE_BROKER_H_

#include <string>

#include "tests/support/temp_dir.h"

namespace amparo::testing {

class PrivateBroker {
 public:
  // Starts a broker in dir/broker from `config_template` (a path; default
  // config/mosquitto/mosquitto.conf.in). Throws if it does not start.
  explicit PrivateBroker(const TempDir& dir, const std::string& config_template = "");
  ~PrivateBroker();
  PrivateBroker(const PrivateBroker&) = delete;
  PrivateBroker& operator=(const PrivateBroker&) = delete;

  // SIGTERM (Mosquitto saves its persistence) and start again on the same
  // port with the same config. False if it did not come back.
  bool Restart();

  int port() const { return port_; }
  const std::string& dir() const { return dir_; }
  // Where the template's @PKI@ points: dir/broker/pki.
  std::string pki() const { return dir_ + "/pki"; }
  std::string Log() const;

 private:
  std::string dir_;
  int port_ = 0;
};

}  // namespace amparo::testing

#endif  // AMPARO_TESTS_INTEGRATION_PRIVATE_BROKER_H_
