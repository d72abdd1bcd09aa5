// ISO 3166 codes, as the event contract and the directory write them:
// countries (ISO 3166-1 alpha-2, "MX") and their subdivisions (ISO 3166-2,
// "MX-CHP", "PA-5"). One table for both, so an event and the directory never
// disagree on what a country is.
//
// The codes are not kept by hand: they come from Debian's iso-codes package
// (/usr/share/iso-codes/json/iso_3166-1.json and iso_3166-2.json), which
// follows the ISO 3166 Maintenance Agency. The daemon loads them once at start
// (InstallIso3166Dir, from the config's directory.iso_codes_dir) and refuses
// to start without them; until something is installed, the first lookup loads
// kDefaultIsoCodesDir, so tests and amparoctl need no set-up. engine/ and
// routing/ stay pure: they only ask the table, they never read a file.
//
// Thread-safety: Iso3166Table is immutable. Install before the threads that
// look codes up start; lookups may then come from any thread.
#ifndef AMPARO_DAEMON_CORE_ISO3166_H_
#define AMPARO_DAEMON_CORE_ISO3166_H_

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/core/status.h"

namespace amparo {

// Where Debian's iso-codes package puts its JSON files.
inline constexpr std::string_view kDefaultIsoCodesDir = "/usr/share/iso-codes/json";

class Iso3166Table {
 public:
  // Parses the texts of iso-codes' iso_3166-1.json ({"3166-1": [{"alpha_2":
  // "MX", ...}]}) and iso_3166-2.json ({"3166-2": [{"code": "MX-CHP", ...}]}).
  // `where1`/`where2` name them in errors. Returns InvalidArgument if either
  // has another shape, lists no codes, or a subdivision of an unknown country.
  static Result<Iso3166Table> Parse(std::string_view part1_json, std::string_view part2_json,
                                    const std::string& where1 = "iso_3166-1.json",
                                    const std::string& where2 = "iso_3166-2.json");
  // Reads DIR/iso_3166-1.json and DIR/iso_3166-2.json and parses them.
  static Result<Iso3166Table> LoadDir(const std::string& dir);

  // True if `code` is an officially assigned ISO 3166-1 alpha-2 code.
  bool IsCountry(std::string_view code) const;
  // True if `code` is a subdivision ISO 3166-2 lists ("MX-CHP"; not "MX-ZZZ").
  bool IsSubdivision(std::string_view code) const;
  size_t country_count() const { return countries_.size(); }
  size_t subdivision_count() const { return subdivisions_.size(); }

 private:
  std::vector<std::string> countries_;     // sorted
  std::vector<std::string> subdivisions_;  // sorted
};

// Loads DIR's iso-codes files and makes them the table every lookup below
// uses. On error the table in use is unchanged. Call at start-up.
Status InstallIso3166Dir(const std::string& dir);

// The table in use: the one installed last, else kDefaultIsoCodesDir's
// (loaded at the first call; empty, refusing every code, if it cannot be
// read: see Iso3166DefaultStatus).
const Iso3166Table& Iso3166();

// Why the default table could not be loaded; OK if it was, or if a table was
// installed.
Status Iso3166DefaultStatus();

// True if `code` is an officially assigned ISO 3166-1 alpha-2 code.
bool IsCountryCode(std::string_view code);

// True if `code` is an ISO 3166-2 subdivision code that iso-codes lists.
bool IsSubdivisionCode(std::string_view code);

// The country part of a subdivision code ("MX" for "MX-CHP"), or the code
// itself for a country code.
std::string_view CountryOf(std::string_view code);

}  // namespace amparo

#endif  // AMPARO_DAEMON_CORE_ISO3166_H_
