// SPDX-License-Identifier: GPL-3.0-or-later
// libFuzzer target: the server-sent events parser, the roster read from it, and --events as
// the probe runs it on a hostile stream. Input: one byte choosing the chunk sizes, then the
// stream as the node sends it.
#include "config.h"

#include "fuzz_check.hpp"
#include "pexip/event_roster.hpp"
#include "pexip/event_stream.hpp"
#include "probe/subcheck_events.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace {

const std::string token = "FUZZ-token_0123456789abcdefABCDEF=";

std::string describe(const std::vector<cpt::ServerSentEvent>& events)
{
    std::string out;
    for (const auto& e : events) {
        out +=
            e.type + '\x01' + e.data + '\x01' + e.id + '\x01' + (e.truncated ? "t" : "") + '\x02';
    }
    return out;
}

/// The stream fed to a consumer in chunks, as the transport would.
class StreamClient : public cpt::HttpClient
{
public:
    StreamClient(std::string_view stream, std::size_t step) : stream_(stream), step_(step) {}

    cpt::HttpResult send(const cpt::HttpRequest& /*request*/) override
    {
        return cpt::TransportError{cpt::TransportErrorKind::other, "unused", std::nullopt, {}, {}};
    }

    cpt::StreamResult stream(const cpt::HttpRequest& request, const cpt::StreamLimits& limits,
                             cpt::StreamConsumer& consumer) override
    {
        FUZZ_CHECK(request.path.find(token) == std::string::npos, request.path);
        cpt::StreamResponse response;
        response.head_received = true;
        if (!consumer.on_head(200, "OK", "text/event-stream")) {
            response.end = cpt::StreamEnd::consumer;
            return response;
        }
        for (std::size_t at = 0; at < stream_.size(); at += step_) {
            const std::string_view chunk = stream_.substr(at, step_);
            if (response.bytes + chunk.size() > limits.max_bytes) {
                response.end = cpt::StreamEnd::byte_cap;
                return response;
            }
            response.bytes += chunk.size();
            if (!consumer.on_data(chunk, 0.001 * static_cast<double>(at))) {
                response.end = cpt::StreamEnd::consumer;
                return response;
            }
        }
        response.end = cpt::StreamEnd::closed;
        return response;
    }

private:
    std::string_view stream_;
    std::size_t step_;
};

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    if (size == 0) {
        return 0;
    }
    const std::size_t step = 1 + data[0] % 17;
    const std::string_view stream(reinterpret_cast<const char*>(data) + 1, size - 1);

    // The same events whatever the chunking.
    cpt::EventStreamParser whole;
    std::vector<cpt::ServerSentEvent> at_once;
    whole.feed(stream, at_once);
    cpt::EventStreamParser pieces;
    std::vector<cpt::ServerSentEvent> chunked;
    for (std::size_t at = 0; at < stream.size(); at += step) {
        pieces.feed(stream.substr(at, step), chunked);
    }
    FUZZ_CHECK(describe(at_once) == describe(chunked), std::string(stream));
    cpt::EventRoster roster("uuid-1");
    for (const auto& event : at_once) {
        FUZZ_CHECK(event.data.size() <= cpt::max_event_bytes, event.type);
        FUZZ_CHECK(!event.type.empty(), event.data);
        FUZZ_CHECK(event.type.find_first_of("\r\n") == std::string::npos, event.type);
        FUZZ_CHECK(event.data.find('\r') == std::string::npos, event.data);
        if (roster.take(event)) {
            FUZZ_CHECK(roster.complete() != roster.disconnected(), event.type);
            break;
        }
    }

    // The probe's own reading: one line of output, no secret, the output rules.
    cpt::ProbeSettings options;
    options.hostname = "node.example.com";
    options.alias = "meet";
    options.events = true;
    StreamClient client(stream, step);
    cpt::CheckResult result;
    result.add_secret(token);
    const cpt::EventsOutcome outcome =
        cpt::check_events(options, client, token, "uuid-1", {token}, result);
    result.add(outcome.subcheck);
    if (outcome.perf) {
        result.add_perfdata(*outcome.perf);
    }
    for (int verbosity = 0; verbosity <= 3; ++verbosity) {
        const std::string out = result.render(verbosity);
        cpt_fuzz::check_output(out, result.state(), {token});
    }
    return 0;
}
