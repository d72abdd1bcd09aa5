// The exit codes of amparod and amparoctl, from sysexits.h, so that scripts
// and systemd can tell a usage mistake from a bad config from a finding.
// README.md ("Exit codes") lists them per program.
#ifndef AMPARO_DAEMON_CORE_EXIT_CODES_H_
#define AMPARO_DAEMON_CORE_EXIT_CODES_H_

namespace amparo {

inline constexpr int kExitOk = 0;
// A finding, not a failure to run: a rule test failed, coverage has gaps, the
// audit chain is broken.
inline constexpr int kExitFinding = 1;
inline constexpr int kExitUsage = 64;     // EX_USAGE: the command line is wrong
inline constexpr int kExitDataErr = 65;   // EX_DATAERR: the input data is invalid
inline constexpr int kExitNoInput = 66;   // EX_NOINPUT: an input file cannot be read
inline constexpr int kExitSoftware = 70;  // EX_SOFTWARE: an internal error
inline constexpr int kExitIoErr = 74;     // EX_IOERR: the database cannot be read or written
inline constexpr int kExitConfig = 78;    // EX_CONFIG: config, rules or directory do not load

}  // namespace amparo

#endif  // AMPARO_DAEMON_CORE_EXIT_CODES_H_
