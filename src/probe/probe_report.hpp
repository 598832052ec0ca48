// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "http/http_client.hpp"
#include "pexip/pexip_response.hpp"
#include "plugin_kit/check_result.hpp"
#include "probe/probe_settings.hpp"

#include <string>

namespace cpt {

// What the long output says about the probe's conversation: settings (-vv), the token's
// details (-v) and the request/response trace (-vvv, secrets redacted).

void describe_settings(CheckResult& result, const ProbeSettings& options);
void describe_grant(CheckResult& result, const TokenGrant& grant);
/// " (conference, HOST, version 36)", or empty when the node said none of it.
std::string grant_text(const TokenGrant& grant);
/// "dns 0.001 s, connect ..., transfer 0.006 s"
std::string phases_text(const PhaseTimings& timings);
void trace_request(CheckResult& result, const HttpRequest& request);
/// may_hold_token: the body's "token" member is redacted before it is cut.
void trace_response(CheckResult& result, const HttpResponse& response, bool may_hold_token);

} // namespace cpt
