// The agency directory (DESIGN.md §5): every agency that can receive an
// alert, and the disclosure profiles that say what each may see.
//
// A Directory is loaded once from config/directory/*.yaml and never changes;
// a reload builds a new one and swaps the shared_ptr, so readers on any thread
// may keep using the one they hold. Load does no I/O: the caller reads the
// files and passes their text.
#ifndef AMPARO_DAEMON_ROUTING_DIRECTORY_H_
#define AMPARO_DAEMON_ROUTING_DIRECTORY_H_

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/core/status.h"
#include "daemon/core/yaml_reader.h"
#include "daemon/routing/agency.h"
#include "daemon/routing/disclosure_profile.h"

namespace amparo {

// One directory file as read by the caller.
struct DirectorySource {
  std::string path;  // Used in diagnostics only.
  std::string text;  // The YAML text.
};

class Directory {
 public:
  // Parses and validates `files` together (ids are unique across files and
  // profiles may be defined in any file). Adds every mistake to `diags` at
  // file:line:col and returns InvalidArgument listing them, or the directory.
  // With `channel_types`, a channel whose type it refuses is a mistake too;
  // with `secret_files`, so is a webhook whose secret file it refuses.
  // Diagnostics already in `diags` (say, from the rules) are left alone.
  static Result<std::shared_ptr<const Directory>> Load(
      const std::vector<DirectorySource>& files, Diagnostics* diags,
      const ChannelTypeCheck& channel_types = nullptr,
      const SecretFileCheck& secret_files = nullptr);

  // Checks that `unrouted_id` names a duty_officer that is always reachable
  // (no hours, no validity dates), as the resolver's last resort must be.
  // Returns NotFound or FailedPrecondition otherwise.
  Status Check(std::string_view unrouted_id) const;

  // The agency with `id`, or nullptr.
  const Agency* Find(std::string_view id) const;
  // The profile named `name`, or nullptr.
  const DisclosureProfile* Profile(std::string_view name) const;
  // Every agency, in file order.
  const std::vector<Agency>& agencies() const { return agencies_; }

 private:
  std::vector<Agency> agencies_;
  std::map<std::string, size_t, std::less<>> index_;  // id -> position in agencies_
  std::map<std::string, DisclosureProfile, std::less<>> profiles_;
};

}  // namespace amparo

#endif  // AMPARO_DAEMON_ROUTING_DIRECTORY_H_
