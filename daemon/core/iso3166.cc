#include "daemon/core/iso3166.h"

#include <algorithm>
#include <atomic>
#include <mutex>

#include <nlohmann/json.hpp>

#include "daemon/core/text_files.h"

namespace amparo {
namespace {

using Json = nlohmann::json;

// Reads `list_key`'s array of objects and collects each one's `code_key`.
Status ReadCodes(std::string_view text, const std::string& where, const char* list_key,
                 const char* code_key, std::vector<std::string>* out) {
  Json doc = Json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return Status::InvalidArgument(where + ": not JSON");
  if (!doc.is_object() || !doc.contains(list_key) || !doc[list_key].is_array()) {
    return Status::InvalidArgument(where + ": expected an object with the array \"" +
                                   std::string(list_key) + "\"");
  }
  for (const Json& entry : doc[list_key]) {
    if (!entry.is_object() || !entry.contains(code_key) || !entry[code_key].is_string()) {
      return Status::InvalidArgument(where + ": an entry of \"" + std::string(list_key) +
                                     "\" has no string \"" + code_key + "\"");
    }
    out->push_back(entry[code_key].get<std::string>());
  }
  if (out->empty()) return Status::InvalidArgument(where + ": lists no codes");
  std::sort(out->begin(), out->end());
  out->erase(std::unique(out->begin(), out->end()), out->end());
  return Status::OK();
}

bool Contains(const std::vector<std::string>& sorted, std::string_view code) {
  auto it = std::lower_bound(sorted.begin(), sorted.end(), code,
                             [](const std::string& a, std::string_view b) { return a < b; });
  return it != sorted.end() && *it == code;
}

struct Installed {
  std::mutex mu;
  // Every table ever installed stays alive, so a reference handed out stays
  // valid (there is one at start, rarely a second in tests).
  std::vector<std::unique_ptr<const Iso3166Table>> tables;
  std::atomic<const Iso3166Table*> current{nullptr};
  Status default_status;
};

Installed& State() {
  static Installed state;
  return state;
}

}  // namespace

Result<Iso3166Table> Iso3166Table::Parse(std::string_view part1_json, std::string_view part2_json,
                                         const std::string& where1, const std::string& where2) {
  Iso3166Table table;
  if (Status s = ReadCodes(part1_json, where1, "3166-1", "alpha_2", &table.countries_); !s.ok()) {
    return s;
  }
  if (Status s = ReadCodes(part2_json, where2, "3166-2", "code", &table.subdivisions_); !s.ok()) {
    return s;
  }
  for (const std::string& sub : table.subdivisions_) {
    if (sub.size() < 4 || sub[2] != '-' || !table.IsCountry(sub.substr(0, 2))) {
      return Status::InvalidArgument(where2 + ": \"" + sub +
                                     "\" is not a subdivision of a country in " + where1);
    }
  }
  return table;
}

Result<Iso3166Table> Iso3166Table::LoadDir(const std::string& dir) {
  const std::string path1 = dir + "/iso_3166-1.json";
  const std::string path2 = dir + "/iso_3166-2.json";
  Result<std::string> part1 = ReadTextFile(path1, "ISO 3166-1 list");
  if (!part1.ok()) return part1.status();
  Result<std::string> part2 = ReadTextFile(path2, "ISO 3166-2 list");
  if (!part2.ok()) return part2.status();
  return Parse(*part1, *part2, path1, path2);
}

bool Iso3166Table::IsCountry(std::string_view code) const { return Contains(countries_, code); }

bool Iso3166Table::IsSubdivision(std::string_view code) const {
  return Contains(subdivisions_, code);
}

Status InstallIso3166Dir(const std::string& dir) {
  Result<Iso3166Table> table = Iso3166Table::LoadDir(dir);
  if (!table.ok()) return table.status();
  Installed& state = State();
  std::lock_guard<std::mutex> lock(state.mu);
  state.tables.push_back(std::make_unique<const Iso3166Table>(std::move(table).value()));
  state.current.store(state.tables.back().get(), std::memory_order_release);
  state.default_status = Status::OK();
  return Status::OK();
}

const Iso3166Table& Iso3166() {
  Installed& state = State();
  if (const Iso3166Table* t = state.current.load(std::memory_order_acquire)) return *t;
  std::lock_guard<std::mutex> lock(state.mu);
  if (const Iso3166Table* t = state.current.load(std::memory_order_acquire)) return *t;
  Result<Iso3166Table> table = Iso3166Table::LoadDir(std::string(kDefaultIsoCodesDir));
  if (table.ok()) {
    state.tables.push_back(std::make_unique<const Iso3166Table>(std::move(table).value()));
  } else {
    state.default_status = table.status();
    state.tables.push_back(std::make_unique<const Iso3166Table>());
  }
  state.current.store(state.tables.back().get(), std::memory_order_release);
  return *state.tables.back();
}

Status Iso3166DefaultStatus() {
  (void)Iso3166();
  Installed& state = State();
  std::lock_guard<std::mutex> lock(state.mu);
  return state.default_status;
}

bool IsCountryCode(std::string_view code) { return Iso3166().IsCountry(code); }

bool IsSubdivisionCode(std::string_view code) { return Iso3166().IsSubdivision(code); }

std::string_view CountryOf(std::string_view code) { return code.substr(0, 2); }

}  // namespace amparo
