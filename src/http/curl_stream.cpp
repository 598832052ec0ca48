// SPDX-License-Identifier: GPL-3.0-or-later
#include "config.h"

#include "base/text.hpp"
#include "http/curl_errors.hpp"
#include "http/curl_setup.hpp"
#include "http/curl_stream.hpp"

#include <algorithm>
#include <strings.h>

namespace cpt {

CurlStream::CurlStream(ConnectionSettings settings, const Deadline& deadline)
    : settings_(std::move(settings)), deadline_(deadline), easy_(curl_easy_init())
{
    if (!easy_) {
        throw std::runtime_error("cannot create a libcurl handle");
    }
    CURL* easy = easy_.get();
    configure_connection(easy, settings_, connect_to_, error_buffer_.data());
    set_option(easy, CURLOPT_WRITEFUNCTION, &CurlStream::on_body);
    set_option(easy, CURLOPT_WRITEDATA, this);
    set_option(easy, CURLOPT_HEADERFUNCTION, &CurlStream::on_header);
    set_option(easy, CURLOPT_HEADERDATA, this);
    set_option(easy, CURLOPT_HTTPGET, 1L);
}

double CurlStream::elapsed() const
{
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
}

std::size_t CurlStream::on_header(char* data, std::size_t size, std::size_t count, void* self_ptr)
{
    auto* self = static_cast<CurlStream*>(self_ptr);
    const std::size_t bytes = size * count;
    const HeaderLine line = parse_header_line(data, bytes);
    if (line.status_line) { // "HTTP/1.1 200 OK", after a 1xx too
        self->status_ = line.status;
        self->reason_ = line.reason;
        self->content_type_.clear();
    } else if (line.content_type_line) {
        self->content_type_ = line.content_type;
    } else if (line.end_of_head && self->status_ >= 200 && !self->response_.head_received) {
        self->response_.head_received = true;
        if (!self->consumer_->on_head(self->status_, self->reason_, self->content_type_)) {
            self->consumer_stopped_ = true;
            return 0; // stop: anything but `bytes` ends the transfer
        }
    }
    return bytes;
}

std::size_t CurlStream::on_body(char* data, std::size_t size, std::size_t count, void* self_ptr)
{
    auto* self = static_cast<CurlStream*>(self_ptr);
    const std::size_t bytes = size * count;
    if (bytes == 0) {
        return 0;
    }
    const std::size_t room = self->limits_.max_bytes - self->response_.bytes;
    const std::size_t taken = std::min(bytes, room);
    self->response_.bytes += taken;
    if (taken > 0 && !self->consumer_->on_data(std::string_view(data, taken), self->elapsed())) {
        self->consumer_stopped_ = true;
        return 0;
    }
    if (taken < bytes) {
        self->capped_ = true;
        return 0; // the cap is the cap
    }
    return bytes;
}

StreamResult CurlStream::run(const HttpRequest& request, const StreamLimits& limits,
                             StreamConsumer& consumer)
{
    consumer_ = &consumer;
    limits_ = limits;
    response_ = StreamResponse{};
    status_ = 0;
    reason_.clear();
    content_type_.clear();
    consumer_stopped_ = false;
    capped_ = false;
    error_buffer_[0] = '\0';
    start_ = std::chrono::steady_clock::now();

    // Its own wait, and never the time the deadline keeps for what follows (the release).
    const long wait_ms = std::min(limits.wait_ms, deadline_.remaining_ms() - limits.reserve_ms);
    if (wait_ms <= 0) {
        response_.end = StreamEnd::wait_over;
        return response_;
    }
    CURL* easy = easy_.get();
    set_option(easy, CURLOPT_URL, request_url(settings_, request.path).c_str());
    const HeaderList headers = request_headers(request);
    set_option(easy, CURLOPT_HTTPHEADER, headers.get());
    set_option(easy, CURLOPT_TIMEOUT_MS, wait_ms);
    set_option(easy, CURLOPT_CONNECTTIMEOUT_MS, wait_ms);

    const CURLcode code = curl_easy_perform(easy);
    set_option(easy, CURLOPT_HTTPHEADER, static_cast<curl_slist*>(nullptr)); // headers die here
    response_.elapsed = elapsed();
    response_.peer_address = peer_address(easy);

    if (consumer_stopped_) {
        response_.end = StreamEnd::consumer;
    } else if (capped_) {
        response_.end = StreamEnd::byte_cap;
    } else if (code == CURLE_OK) {
        response_.end = StreamEnd::closed;
    } else if (code == CURLE_OPERATION_TIMEDOUT) {
        response_.end = StreamEnd::wait_over;
    } else {
        const std::string message(trim_trailing_whitespace(
            error_buffer_[0] != '\0' ? error_buffer_.data() : curl_easy_strerror(code)));
        if (!response_.head_received) {
            return TransportError{kind_of(code), message, std::nullopt, {}, {}};
        }
        response_.end = StreamEnd::closed;
        response_.message = message;
    }
    return response_;
}

} // namespace cpt
