// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "http/http_client.hpp"
#include "plugin_kit/check_result.hpp"
#include "probe/probe_settings.hpp"

#include <optional>
#include <string>
#include <vector>

namespace cpt {

/// Most bytes of the event stream read (--events).
inline constexpr std::size_t max_event_stream_bytes = 1024 * 1024;

/// What the event stream showed: the `events` subcheck and, with the roster, time_events.
struct EventsOutcome
{
    Subcheck subcheck;
    std::optional<PerfValue> perf;
};

/// How much of -t the event stream leaves for the release that follows it, in milliseconds.
long release_reserve_ms(double timeout_seconds);

/// --events: reads the conference event stream with the granted token (in the `token` header)
/// until the first roster is complete, a `disconnect` event, the wait, the byte cap or the
/// end of the stream; adds its details (-v) and trace (-vvv, secrets redacted) to result.
/// own_uuid: the probe's participant_uuid; secrets: never shown, not even in part.
EventsOutcome check_events(const ProbeSettings& options, HttpClient& client,
                           const std::string& token, const std::string& own_uuid,
                           const std::vector<std::string>& secrets, CheckResult& result);

} // namespace cpt
