// JSON text written straight into a string, for the texts amparo writes for
// every event: the stored event (event/event_codec.h), the alert's subject
// (store/alert_store.h) and the payloads (delivery/alert_builder.h). Building
// a nlohmann::json document first and dumping it allocated a node for every
// member; this writes the same bytes with one growing string.
//
// The bytes are those nlohmann::json's dump(-1, ' ', false,
// error_handler_t::replace) writes for the same document: no whitespace,
// UTF-8 kept as it is, control characters escaped, invalid UTF-8 replaced by
// U+FFFD. The writer does not sort: to match a nlohmann::json object (a
// std::map), the caller writes its members in key order.
//
//   JsonWriter w;
//   w.BeginObject().Key("id").String("a-1").Key("version").Int(2).EndObject();
//   std::string text = std::move(w).Take();   // {"id":"a-1","version":2}
//
// It does not check the document's shape (a key outside an object, an
// unclosed array): the callers are a few fixed layouts, each under test.
#ifndef AMPARO_DAEMON_CORE_JSON_WRITER_H_
#define AMPARO_DAEMON_CORE_JSON_WRITER_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace amparo {

class JsonWriter {
 public:
  JsonWriter& BeginObject();
  JsonWriter& EndObject();
  JsonWriter& BeginArray();
  JsonWriter& EndArray();
  // The name of the object member whose value is written next.
  JsonWriter& Key(std::string_view key);
  JsonWriter& String(std::string_view value);
  // An array of strings.
  JsonWriter& Strings(const std::vector<std::string>& values);
  JsonWriter& Int(int64_t value);
  JsonWriter& Bool(bool value);
  JsonWriter& Null();
  // A value that is already JSON text (e.g. a nested document's dump).
  JsonWriter& Raw(std::string_view json);

  std::string Take() && { return std::move(out_); }

 private:
  // A comma before this value or key, unless it is the first in its container.
  void Separate();
  void Quoted(std::string_view s);

  std::string out_;
  bool need_comma_ = false;
};

}  // namespace amparo

#endif  // AMPARO_DAEMON_CORE_JSON_WRITER_H_
