// SPDX-License-Identifier: GPL-3.0-or-later
// A scripted HttpClient for the probe tests: records every request, answers from a queue.
#pragma once

#include "http/http_client.hpp"

#include <cctype>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace cpt_test {

class FakeHttpClient : public cpt::HttpClient
{
public:
    /// Queues the answer to the next unanswered request.
    FakeHttpClient& then(cpt::HttpResult result)
    {
        replies_.push_back(std::move(result));
        return *this;
    }

    cpt::HttpResult send(const cpt::HttpRequest& request) override
    {
        requests_.push_back(request);
        if (replies_.empty()) {
            return cpt::TransportError{cpt::TransportErrorKind::other,
                                       "FakeHttpClient: no scripted reply",
                                       std::nullopt,
                                       {},
                                       {}};
        }
        cpt::HttpResult reply = std::move(replies_.front());
        replies_.pop_front();
        return reply;
    }

    /// A scripted stream: its head, then chunks (each at its elapsed time), then how it ends
    /// unless the consumer stops it first.
    struct ScriptedStream
    {
        long status = 200;
        std::string reason = "OK";
        std::string content_type = "text/event-stream";
        std::vector<std::pair<std::string, double>> chunks;
        cpt::StreamEnd end = cpt::StreamEnd::wait_over;
        double end_elapsed = 3.0;
        std::optional<cpt::TransportError> error; ///< instead of a head
    };

    /// Queues the answer to the next stream request.
    FakeHttpClient& then_stream(ScriptedStream stream)
    {
        streams_.push_back(std::move(stream));
        return *this;
    }

    cpt::StreamResult stream(const cpt::HttpRequest& request, const cpt::StreamLimits& limits,
                             cpt::StreamConsumer& consumer) override
    {
        requests_.push_back(request);
        stream_limits_.push_back(limits);
        if (streams_.empty()) {
            return cpt::TransportError{cpt::TransportErrorKind::other,
                                       "FakeHttpClient: no scripted stream",
                                       std::nullopt,
                                       {},
                                       {}};
        }
        ScriptedStream script = std::move(streams_.front());
        streams_.pop_front();
        if (script.error) {
            return *script.error;
        }
        cpt::StreamResponse response;
        response.peer_address = "192.0.2.10 port 443";
        response.head_received = true;
        if (!consumer.on_head(script.status, script.reason, script.content_type)) {
            response.end = cpt::StreamEnd::consumer;
            return response;
        }
        for (const auto& [chunk, elapsed] : script.chunks) {
            const std::size_t room = limits.max_bytes - response.bytes;
            const std::string taken = chunk.substr(0, room);
            response.bytes += taken.size();
            response.elapsed = elapsed;
            if (!taken.empty() && !consumer.on_data(taken, elapsed)) {
                response.end = cpt::StreamEnd::consumer;
                return response;
            }
            if (taken.size() < chunk.size()) {
                response.end = cpt::StreamEnd::byte_cap;
                return response;
            }
        }
        response.end = script.end;
        response.elapsed = script.end_elapsed;
        return response;
    }

    const std::vector<cpt::HttpRequest>& requests() const noexcept { return requests_; }
    const std::vector<cpt::StreamLimits>& stream_limits() const noexcept { return stream_limits_; }
    std::size_t unused_replies() const noexcept { return replies_.size() + streams_.size(); }

private:
    std::deque<cpt::HttpResult> replies_;
    std::deque<ScriptedStream> streams_;
    std::vector<cpt::HttpRequest> requests_;
    std::vector<cpt::StreamLimits> stream_limits_;
};

/// Phase timings that add up to 0.042 s.
inline cpt::PhaseTimings token_timings()
{
    cpt::PhaseTimings t;
    t.dns = 0.001;
    t.connect = 0.002;
    t.tls = 0.003;
    t.server = 0.030;
    t.transfer = 0.006;
    t.total = 0.042;
    return t;
}

/// A reused-connection exchange of 0.010 s.
inline cpt::PhaseTimings release_timings()
{
    cpt::PhaseTimings t;
    t.server = 0.008;
    t.transfer = 0.002;
    t.total = 0.010;
    return t;
}

inline cpt::HttpResponse http_response(long status, std::string reason, std::string body,
                                       std::string content_type = "application/json")
{
    cpt::HttpResponse response;
    response.status = status;
    response.reason = std::move(reason);
    response.content_type = std::move(content_type);
    response.body = std::move(body);
    response.timings = token_timings();
    response.peer_address = "192.0.2.10 port 443";
    response.new_connection = true;
    return response;
}

/// The answer to a release_token or /status request on the kept-alive connection.
inline cpt::HttpResponse followup_response(long status, std::string reason, std::string body,
                                           std::string content_type = "application/json")
{
    cpt::HttpResponse response =
        http_response(status, std::move(reason), std::move(body), std::move(content_type));
    response.timings = release_timings();
    response.new_connection = false;
    return response;
}

inline cpt::TransportError transport_error(cpt::TransportErrorKind kind, std::string message,
                                           std::optional<std::int64_t> cert_not_after = {})
{
    return cpt::TransportError{kind, std::move(message), cert_not_after, {}, {}};
}

inline bool same_header_name(const std::string& a, const std::string& b)
{
    if (a.size() != b.size()) {
        return false;
    }
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (std::tolower(static_cast<unsigned char>(a[i])) !=
            std::tolower(static_cast<unsigned char>(b[i]))) {
            return false;
        }
    }
    return true;
}

/// How many headers of that name (any case) the request carries.
inline std::size_t header_count(const cpt::HttpRequest& request, const std::string& name)
{
    std::size_t n = 0;
    for (const auto& header : request.headers) {
        n += same_header_name(header.first, name) ? 1U : 0U;
    }
    return n;
}

/// The value of the first header of that name (any case), if any.
inline std::optional<std::string> header_value(const cpt::HttpRequest& request,
                                               const std::string& name)
{
    for (const auto& header : request.headers) {
        if (same_header_name(header.first, name)) {
            return header.second;
        }
    }
    return std::nullopt;
}

} // namespace cpt_test
