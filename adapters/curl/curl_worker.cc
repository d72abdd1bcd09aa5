#include "adapters/curl/curl_worker.h"

#include <algorithm>
#include <cctype>
#include <cstring>
#include <mutex>
#include <utility>
#include <vector>

#include <spdlog/spdlog.h>

namespace amparo {
namespace {

constexpr size_t kMaxResponseBody = 4096;
constexpr int kPollMs = 1000;

std::once_flag global_init;

std::string ToLower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

}  // namespace

CurlTransfer::CurlTransfer() : easy_(curl_easy_init()) {
  if (easy_ == nullptr) return;
  curl_easy_setopt(easy_, CURLOPT_ERRORBUFFER, error_.data());
  curl_easy_setopt(easy_, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(easy_, CURLOPT_HEADERFUNCTION, &CurlTransfer::WriteHeader);
  curl_easy_setopt(easy_, CURLOPT_HEADERDATA, this);
  curl_easy_setopt(easy_, CURLOPT_WRITEFUNCTION, &CurlTransfer::WriteBody);
  curl_easy_setopt(easy_, CURLOPT_WRITEDATA, this);
  curl_easy_setopt(easy_, CURLOPT_PRIVATE, this);
  // Only the protocols the adapters speak: no redirect to file:// or worse.
  curl_easy_setopt(easy_, CURLOPT_PROTOCOLS_STR, "http,https,smtp,smtps");
}

CurlTransfer::~CurlTransfer() {
  if (easy_ != nullptr) curl_easy_cleanup(easy_);
  curl_slist_free_all(headers_);
  curl_slist_free_all(recipients_);
}

void CurlTransfer::AddHeader(const std::string& line) {
  headers_ = curl_slist_append(headers_, line.c_str());
  curl_easy_setopt(easy_, CURLOPT_HTTPHEADER, headers_);
}

void CurlTransfer::AddRecipient(const std::string& address) {
  recipients_ = curl_slist_append(recipients_, address.c_str());
  curl_easy_setopt(easy_, CURLOPT_MAIL_RCPT, recipients_);
}

void CurlTransfer::SetUploadBody(std::string body, bool post) {
  body_ = std::move(body);
  body_offset_ = 0;
  if (post) {
    curl_easy_setopt(easy_, CURLOPT_POSTFIELDS, body_.data());
    curl_easy_setopt(easy_, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body_.size()));
    return;
  }
  curl_easy_setopt(easy_, CURLOPT_READFUNCTION, &CurlTransfer::Read);
  curl_easy_setopt(easy_, CURLOPT_READDATA, this);
  curl_easy_setopt(easy_, CURLOPT_UPLOAD, 1L);
  curl_easy_setopt(easy_, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(body_.size()));
}

size_t CurlTransfer::Read(char* buffer, size_t size, size_t count, void* self) {
  auto* t = static_cast<CurlTransfer*>(self);
  const size_t n = std::min(size * count, t->body_.size() - t->body_offset_);
  t->body_.copy(buffer, n, t->body_offset_);  // Raw bytes for curl: no terminator.
  t->body_offset_ += n;
  return n;
}

size_t CurlTransfer::WriteHeader(char* buffer, size_t size, size_t count, void* self) {
  auto* t = static_cast<CurlTransfer*>(self);
  // A new status line (after a 100 Continue) starts a new header block.
  if (size * count >= 5 && std::strncmp(buffer, "HTTP/", 5) == 0) t->response_headers_.clear();
  t->response_headers_.append(buffer, size * count);
  return size * count;
}

size_t CurlTransfer::WriteBody(char* buffer, size_t size, size_t count, void* self) {
  auto* t = static_cast<CurlTransfer*>(self);
  const size_t room = kMaxResponseBody - std::min(kMaxResponseBody, t->response_body_.size());
  t->response_body_.append(buffer, std::min(room, size * count));
  return size * count;
}

Result<std::unique_ptr<CurlWorker>> CurlWorker::Create(size_t max_in_flight) {
  if (max_in_flight < 1) return Status::InvalidArgument("curl: max_in_flight must be >= 1");
  CURLcode init = CURLE_OK;
  std::call_once(global_init, [&init] { init = curl_global_init(CURL_GLOBAL_DEFAULT); });
  if (init != CURLE_OK) {
    return Status::Internal(std::string("curl: global init: ") + curl_easy_strerror(init));
  }
  CURLM* multi = curl_multi_init();
  if (multi == nullptr) return Status::Internal("curl: cannot create a multi handle");
  return std::unique_ptr<CurlWorker>(new CurlWorker(multi, max_in_flight));
}

CurlWorker::CurlWorker(CURLM* multi, size_t max_in_flight)
    : multi_(multi), max_in_flight_(max_in_flight) {
  curl_multi_setopt(multi_, CURLMOPT_MAX_TOTAL_CONNECTIONS, static_cast<long>(max_in_flight));
  thread_ = std::thread([this] { Run(); });
}

CurlWorker::~CurlWorker() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  curl_multi_wakeup(multi_);
  thread_.join();
  curl_multi_cleanup(multi_);
}

void CurlWorker::Submit(std::unique_ptr<CurlTransfer> transfer) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    queue_.push_back(std::move(transfer));
  }
  curl_multi_wakeup(multi_);
}

void CurlWorker::Run() {
  std::vector<std::unique_ptr<CurlTransfer>> running;
  for (;;) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (stopping_) break;
      while (!queue_.empty() && running.size() < max_in_flight_) {
        std::unique_ptr<CurlTransfer> t = std::move(queue_.front());
        queue_.pop_front();
        if (t->easy() == nullptr) {
          if (t->finished) t->finished(*t, CURLE_FAILED_INIT);
          continue;
        }
        curl_multi_add_handle(multi_, t->easy());
        running.push_back(std::move(t));
      }
    }
    int still_running = 0;
    curl_multi_perform(multi_, &still_running);
    int queued = 0;
    while (CURLMsg* msg = curl_multi_info_read(multi_, &queued)) {
      if (msg->msg != CURLMSG_DONE) continue;
      CURL* easy = msg->easy_handle;
      const CURLcode result = msg->data.result;
      curl_multi_remove_handle(multi_, easy);
      auto it = std::find_if(running.begin(), running.end(),
                             [easy](const auto& t) { return t->easy() == easy; });
      if (it == running.end()) continue;
      std::unique_ptr<CurlTransfer> done = std::move(*it);
      running.erase(it);
      if (done->finished) done->finished(*done, result);
    }
    int ready = 0;
    curl_multi_poll(multi_, nullptr, 0, kPollMs, &ready);
  }
  for (const auto& t : running) curl_multi_remove_handle(multi_, t->easy());
}

long long RetryAfterSeconds(const std::string& headers, long long now_unix) {
  size_t start = 0;
  while (start < headers.size()) {
    size_t end = headers.find('\n', start);
    if (end == std::string::npos) end = headers.size();
    std::string_view line(headers.data() + start, end - start);
    start = end + 1;
    const size_t colon = line.find(':');
    if (colon == std::string_view::npos || ToLower(line.substr(0, colon)) != "retry-after") {
      continue;
    }
    std::string value(line.substr(colon + 1));
    value.erase(0, value.find_first_not_of(" \t"));
    value.erase(value.find_last_not_of(" \t\r") + 1);
    if (value.empty()) return -1;
    if (std::all_of(value.begin(), value.end(),
                    [](unsigned char c) { return std::isdigit(c) != 0; })) {
      if (value.size() > 9) return 999'999'999;
      return std::stoll(value);
    }
    const time_t at = curl_getdate(value.c_str(), nullptr);
    if (at < 0) return -1;
    return std::max<long long>(0, static_cast<long long>(at) - now_unix);
  }
  return -1;
}

}  // namespace amparo
