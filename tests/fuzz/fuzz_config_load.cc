// Fuzz target: ParseConfig must return a Result for any bytes, never crash,
// and whatever it accepts must satisfy the checks it promises.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "daemon/app/config.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  amparo::Result<amparo::Config> config = amparo::ParseConfig(text, "fuzz.yaml", "/etc/amparo");
  if (!config.ok()) {
    if (config.status().message().empty()) std::abort();
    return 0;
  }
  const amparo::Config& c = *config;
  if (c.broker.reconnect_min > c.broker.reconnect_max ||
      c.delivery.retry_initial > c.delivery.retry_max ||
      c.rules.tender_age_below > c.rules.minor_age || c.privacy.deployment_key_file.empty() ||
      c.privacy.deployment_key_file.front() != '/' || c.store.path.front() != '/') {
    std::abort();
  }
  // The command line is checked as the file is: a good config takes its own values.
  amparo::Config copy = c;
  if (!amparo::ApplyOverrides(&copy, c.broker.uri, c.store.path).ok() || !(copy == c)) {
    std::abort();
  }
  return 0;
}
