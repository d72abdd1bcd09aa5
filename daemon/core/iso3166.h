// ISO 3166 codes, as the event contract and the directory write them:
// countries (ISO 3166-1 alpha-2, "MX") and their subdivisions (ISO 3166-2,
// "MX-CHP", "PA-5"). One table for both, so an event and the directory never
// disagree on what a country is.
#ifndef AMPARO_DAEMON_CORE_ISO3166_H_
#define AMPARO_DAEMON_CORE_ISO3166_H_

#include <string_view>

namespace amparo {

// True if `code` is an officially assigned ISO 3166-1 alpha-2 code.
bool IsCountryCode(std::string_view code);

// True if `code` is an assigned country code, "-", and 1 to 3 upper-case
// letters or digits (the shape of every ISO 3166-2 code). The subdivision
// part itself is not checked against the standard's lists.
bool IsSubdivisionCode(std::string_view code);

// The country part of a subdivision code ("MX" for "MX-CHP"), or the code
// itself for a country code.
std::string_view CountryOf(std::string_view code);

}  // namespace amparo

#endif  // AMPARO_DAEMON_CORE_ISO3166_H_
