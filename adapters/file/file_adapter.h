// FileAdapter: appends each alert as one JSON line to a file (DESIGN.md §6,
// channel "file"), for audits, demos and tests.
//
// The row's target is the file path (the options' default_path when empty).
// A file that cannot be opened or written is retryable: disks and mounts come
// back. A payload that is not one line can never be a JSON line: permanent.
#ifndef AMPARO_ADAPTERS_FILE_FILE_ADAPTER_H_
#define AMPARO_ADAPTERS_FILE_FILE_ADAPTER_H_

#include <string>
#include <string_view>

#include <boost/asio/io_context.hpp>

#include "daemon/delivery/adapter.h"

namespace amparo {

struct FileAdapterOptions {
  // Path used when a channel names none; "" for none (such rows fail permanently).
  std::string default_path;
  // fsync() after each line, so a line survives power loss. Off: the page cache decides.
  bool fsync = false;
};

// Thread-safety: loop thread only. Each delivery is one short blocking
// open/write/close on the loop; the outcome is posted to the loop.
class FileAdapter final : public Adapter {
 public:
  FileAdapter(boost::asio::io_context& io, FileAdapterOptions options);

  std::string_view Name() const override { return "file"; }
  void AsyncDeliver(const OutboundMessage& message, DeliveryDone done) override;

 private:
  boost::asio::io_context& io_;
  FileAdapterOptions options_;
};

}  // namespace amparo

#endif  // AMPARO_ADAPTERS_FILE_FILE_ADAPTER_H_
