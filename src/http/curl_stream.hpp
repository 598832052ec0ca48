// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "base/deadline.hpp"
#include "http/connection_settings.hpp"
#include "http/curl_handles.hpp"
#include "http/http_client.hpp"

#include <array>
#include <chrono>
#include <string>

namespace cpt {

/// A streamed GET on an easy handle of its own (its own connection), fed to a consumer as it
/// arrives, ended by the consumer, the node, the wait, the deadline less a reserve, or a cap.
class CurlStream
{
public:
    CurlStream(ConnectionSettings settings, const Deadline& deadline);
    CurlStream(const CurlStream&) = delete;
    CurlStream& operator=(const CurlStream&) = delete;

    StreamResult run(const HttpRequest& request, const StreamLimits& limits,
                     StreamConsumer& consumer);

private:
    static std::size_t on_header(char* data, std::size_t size, std::size_t count, void* self);
    static std::size_t on_body(char* data, std::size_t size, std::size_t count, void* self);
    double elapsed() const;

    ConnectionSettings settings_;
    const Deadline& deadline_;
    EasyHandle easy_;
    HeaderList connect_to_;
    std::array<char, CURL_ERROR_SIZE> error_buffer_{};

    // The current run.
    StreamConsumer* consumer_ = nullptr;
    StreamLimits limits_;
    StreamResponse response_;
    long status_ = 0;
    std::string reason_;
    std::string content_type_;
    bool consumer_stopped_ = false;
    bool capped_ = false;
    std::chrono::steady_clock::time_point start_;
};

} // namespace cpt
