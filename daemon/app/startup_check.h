// CheckStartup: everything amparod needs to start, checked without starting
// it (`amparod --check`, issue 9): the rules and the directory load and agree
// (policy.h: an unknown duty officer, a channel type this build cannot send
// on), the deployment key is readable and long enough, the broker's password
// and TLS files and the HTTP tokens file are readable (the tokens file also
// parses), and http.listen is an address. Nothing is opened for writing and
// nothing is connected to.
//
// Thread-safety: a pure function of the config and the files it names.
#ifndef AMPARO_DAEMON_APP_STARTUP_CHECK_H_
#define AMPARO_DAEMON_APP_STARTUP_CHECK_H_

#include <string>
#include <vector>

#include "daemon/app/config.h"

namespace amparo {

// Every problem found, one message each, empty when amparod can start.
std::vector<std::string> CheckStartup(const Config& config);

}  // namespace amparo

#endif  // AMPARO_DAEMON_APP_STARTUP_CHECK_H_
