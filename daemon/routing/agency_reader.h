// Reading one agency entry of a directory file. Internal to directory.cc.
#ifndef AMPARO_DAEMON_ROUTING_AGENCY_READER_H_
#define AMPARO_DAEMON_ROUTING_AGENCY_READER_H_

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "daemon/core/yaml_reader.h"
#include "daemon/routing/agency.h"

namespace amparo {

// An agency and where its parts are written, for the checks that span files.
struct AgencyEntry {
  Agency agency;
  std::string path;  // "agencies[3]"
  SourcePos pos;
  SourcePos escalates_to_pos;
  SourcePos disclosure_pos;
  // The places it claims and where: its serves entries, or for a
  // foreign_ministry desk its own country.
  std::vector<std::pair<std::string, SourcePos>> claims;
  // The holiday calendars its hours name (`hours.holidays`) and where; the
  // directory resolves them once every file is read.
  std::vector<std::pair<std::string, SourcePos>> holiday_calendars;
};

// Parses "YYYY-MM-DD" strictly (a real day), or nullopt.
std::optional<date::sys_days> ParseDirectoryDate(const std::string& text);

// Reads the agency at `node`, reporting each mistake to `diags` under `path`,
// including a channel type `channel_types` refuses and a webhook secret file
// `secret_files` refuses (when they are set). A relative secret_file is
// resolved against the folder of `file`.
// Returns nullopt only when the entry has no usable id; fields with mistakes
// keep their defaults.
std::optional<AgencyEntry> ReadAgency(const YAML::Node& node, const std::string& path,
                                      const std::string& file,
                                      const ChannelTypeCheck& channel_types, Diagnostics* diags,
                                      const SecretFileCheck& secret_files = nullptr);

}  // namespace amparo

#endif  // AMPARO_DAEMON_ROUTING_AGENCY_READER_H_
