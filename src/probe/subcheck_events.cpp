// SPDX-License-Identifier: GPL-3.0-or-later
#include "config.h"

#include "base/text.hpp"
#include "pexip/event_roster.hpp"
#include "pexip/event_stream.hpp"
#include "pexip/pexip_api.hpp"
#include "probe/phrases.hpp"
#include "probe/probe_report.hpp"
#include "probe/subcheck_events.hpp"
#include "probe/subcheck_time.hpp"

#include <algorithm>
#include <cctype>

namespace cpt {

namespace {

/// Bytes of the stream shown in the -vvv trace.
constexpr std::size_t max_trace_stream_bytes = 2048;
/// Lines of the stream shown in the -vvv trace.
constexpr std::size_t max_trace_stream_lines = 40;

/// "text/event-stream", "Text/Event-Stream; charset=utf-8": the media type, any case.
bool is_event_stream(const std::string& content_type)
{
    std::string media = content_type.substr(0, content_type.find(';'));
    media = std::string(trim_trailing_whitespace(media));
    std::transform(media.begin(), media.end(), media.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return media == "text/event-stream";
}

class EventsReader : public StreamConsumer
{
public:
    EventsReader(const std::string& own_uuid, std::size_t keep_bytes)
        : roster(own_uuid), keep_bytes_(keep_bytes)
    {
    }

    bool on_head(long status_in, const std::string& reason_in,
                 const std::string& content_type_in) override
    {
        status = status_in;
        reason = reason_in;
        content_type = content_type_in;
        accepted = status == 200 && is_event_stream(content_type);
        return true; // a refusal's body is read a little, for the trace
    }

    bool on_data(std::string_view chunk, double elapsed) override
    {
        if (raw.size() < keep_bytes_) {
            raw.append(chunk.substr(0, keep_bytes_ - raw.size()));
        }
        if (!accepted) {
            return raw.size() < keep_bytes_;
        }
        events.clear();
        parser.feed(chunk, events);
        for (const ServerSentEvent& event : events) {
            if (roster.take(event)) {
                seconds = elapsed;
                return false; // the answer is in: close the stream
            }
        }
        return true;
    }

    long status = 0;
    std::string reason;
    std::string content_type;
    bool accepted = false;
    std::string raw; ///< the stream's first bytes, for the trace
    double seconds = 0.0;
    EventStreamParser parser;
    EventRoster roster;

private:
    std::vector<ServerSentEvent> events;
    std::size_t keep_bytes_;
};

std::string node_text(const std::string& text, const std::vector<std::string>& secrets)
{
    return truncate_text(redact(text, secrets), 160);
}

void trace_stream(CheckResult& result, const EventsReader& reader, const StreamResponse& response,
                  const std::vector<std::string>& secrets)
{
    result.add_detail("< HTTP " + std::to_string(reader.status) + " " +
                          redact(reader.reason, secrets) + " (new connection to " +
                          response.peer_address + ")",
                      3);
    if (!reader.content_type.empty()) {
        result.add_detail("< Content-Type: " + redact(reader.content_type, secrets), 3);
    }
    // Redacted before it is cut, so that no fragment of a secret survives the cut.
    const std::string shown = truncate_text(redact(reader.raw, secrets), max_trace_stream_bytes);
    std::size_t lines = 0;
    std::size_t start = 0;
    while (start < shown.size() && lines < max_trace_stream_lines) {
        std::size_t end = shown.find_first_of("\r\n", start);
        if (end == std::string::npos) {
            end = shown.size();
        }
        if (end > start) {
            result.add_detail("< " + shown.substr(start, end - start), 3);
            ++lines;
        }
        start = end + 1;
    }
    if (response.bytes > shown.size() || lines == max_trace_stream_lines) {
        result.add_detail(
            "< (" + std::to_string(response.bytes) + " bytes read, the trace shows the first)", 3);
    }
}

} // namespace

long release_reserve_ms(double timeout_seconds)
{
    // A quarter of -t, at most 2 s: a release on the kept-alive connection takes milliseconds.
    return static_cast<long>(std::min(2.0, timeout_seconds / 4.0) * 1000.0);
}

EventsOutcome check_events(const ProbeSettings& options, HttpClient& client,
                           const std::string& token, const std::string& own_uuid,
                           const std::vector<std::string>& secrets, CheckResult& result)
{
    HttpRequest request;
    request.method = "GET";
    request.path = conference_path(options.alias, "events");
    request.headers.emplace_back("token", token); // never ?token= in the URL: proxies log URLs
    request.headers.emplace_back("Accept", "text/event-stream");
    trace_request(result, request);

    StreamLimits limits;
    limits.wait_ms = static_cast<long>(options.events_wait_seconds * 1000.0);
    limits.reserve_ms = release_reserve_ms(options.timeout_seconds);
    limits.max_bytes = max_event_stream_bytes;
    std::size_t longest_secret = 0;
    for (const std::string& secret : secrets) {
        longest_secret = std::max(longest_secret, secret.size());
    }
    EventsReader reader(own_uuid, max_trace_stream_bytes + longest_secret);
    const StreamResult answer = client.stream(request, limits, reader);

    const std::string wait = format_compact(options.events_wait_seconds, 3) + " s";
    if (const auto* error = std::get_if<TransportError>(&answer)) {
        return EventsOutcome{
            {"events", State::critical,
             "event stream closed before a response: " + node_text(error->message, secrets)},
            {}};
    }
    const auto& response = std::get<StreamResponse>(answer);
    if (response.head_received) {
        trace_stream(result, reader, response, secrets);
        result.add_detail("events: HTTP " + std::to_string(reader.status) + " from " +
                          response.peer_address + ", " + std::to_string(response.bytes) +
                          " bytes, " + std::to_string(reader.roster.events()) + " events in " +
                          seconds_text(response.elapsed));
    }
    if (response.head_received && !reader.accepted) {
        std::string status = http_text(reader.status, "", redact(reader.reason, secrets));
        if (reader.status == 200) {
            status += ", Content-Type " + (reader.content_type.empty()
                                               ? std::string("missing")
                                               : quoted(redact(reader.content_type, secrets)));
        }
        return EventsOutcome{{"events", State::critical, "event stream refused (" + status + ")"},
                             {}};
    }
    const EventRoster& roster = reader.roster;
    if (!roster.names().empty()) {
        std::string names;
        for (const std::string& name : roster.names()) {
            names += (names.empty() ? "" : ", ") + redact(name, secrets);
        }
        result.add_detail("events: " + truncate_text(names, 400), 2);
    }
    if (roster.disconnected()) {
        const std::string reason = node_text(roster.disconnect_reason(), secrets);
        return EventsOutcome{{"events", State::critical,
                              "node ended the session" + (reason.empty() ? "" : ": " + reason)},
                             {}};
    }
    if (roster.complete()) {
        const std::size_t n = roster.participants();
        return EventsOutcome{
            {"events", State::ok,
             "roster of " + std::to_string(n) + (n == 1 ? " participant" : " participants") +
                 (roster.own_participant_seen() ? " (this probe among them)" : "") + " in " +
                 seconds_text(reader.seconds)},
            time_perfdata("time_events", reader.seconds, options.timeout_seconds)};
    }
    switch (response.end) {
    case StreamEnd::byte_cap:
        return EventsOutcome{{"events", State::warning,
                              "event stream silent: no participant_sync_end in the first 1 MiB"},
                             {}};
    case StreamEnd::closed:
        return EventsOutcome{
            {"events", State::critical,
             "event stream closed before participant_sync_end" +
                 (response.message.empty() ? ""
                                           : " (" + node_text(response.message, secrets) + ")")},
            {}};
    case StreamEnd::wait_over:
    case StreamEnd::consumer:
        break;
    }
    return EventsOutcome{
        {"events", State::warning,
         "event stream silent: " +
             std::string(response.head_received ? "no participant_sync_end" : "no response") +
             " within " +
             (response.elapsed + 0.05 < options.events_wait_seconds
                  ? seconds_text(response.elapsed) + " (what -t left)"
                  : wait)},
        {}};
}

} // namespace cpt
