// SPDX-License-Identifier: GPL-3.0-or-later
#include "config.h"

#include "base/text.hpp"
#include "pexip/pexip_api.hpp"
#include "probe/phrases.hpp"
#include "probe/probe_report.hpp"

namespace cpt {

namespace {

/// Most bytes of a body shown in the -vvv trace.
constexpr std::size_t max_trace_body_bytes = 1024;

} // namespace

std::string phases_text(const PhaseTimings& timings)
{
    return "dns " + seconds_text(timings.dns) + ", connect " + seconds_text(timings.connect) +
           ", tls " + seconds_text(timings.tls) + ", server " + seconds_text(timings.server) +
           ", transfer " + seconds_text(timings.transfer);
}

std::string grant_text(const TokenGrant& grant)
{
    std::string text;
    const auto add = [&text](const std::string& part) {
        if (!part.empty()) {
            text += (text.empty() ? "" : ", ") + truncate_text(part, 40);
        }
    };
    add(grant.effective_service_type());
    add(grant.role);
    if (!grant.version_id.empty()) {
        add("version " + grant.version_id);
    }
    return text.empty() ? text : " (" + text + ")";
}

void describe_grant(CheckResult& result, const TokenGrant& grant)
{
    const auto or_unknown = [](const std::string& text) {
        return text.empty() ? std::string("unknown") : truncate_text(text, 80);
    };
    // service_type is missing from real v35/v36 replies: only shown when sent.
    result.add_detail("participant: role " + or_unknown(grant.role) +
                      (grant.service_type.empty()
                           ? std::string()
                           : ", service type " + truncate_text(grant.service_type, 80)) +
                      ", current service type " + or_unknown(grant.current_service_type) +
                      ", token expires in " + or_unknown(grant.expires) + " s");
    result.add_detail("node: Pexip Infinity version " + or_unknown(grant.version_id) +
                      " (pseudo version " + or_unknown(grant.pseudo_version) + ")");
    if (!grant.conference_name.empty()) {
        result.add_detail("conference: " + truncate_text(grant.conference_name, 80));
    }
}

void describe_settings(CheckResult& result, const ProbeSettings& options)
{
    if (options.pin_file_world_readable) {
        result.add_detail("warning: --pin-file '" + options.pin_file +
                          "' is readable by every user; chmod o-r it");
    }
    const std::string host = options.hostname.find(':') != std::string::npos
                                 ? "[" + options.hostname + "]"
                                 : options.hostname;
    result.add_detail("settings: https://" + host + ":" + std::to_string(options.port) +
                          conference_path(options.alias, "request_token"),
                      2);
    result.add_detail(std::string("settings: ") +
                          (options.ip_address.empty() ? "connect to the resolved host"
                                                      : "connect to " + options.ip_address) +
                          ", TLS verification " +
                          (options.insecure          ? "off (--insecure)"
                           : options.ca_file.empty() ? "on (system CA store)"
                                                     : "on (CA file " + options.ca_file + ")") +
                          ", timeout " + format_compact(options.timeout_seconds, 3) +
                          " s, release " + (options.release ? "on" : "off"),
                      2);
    result.add_detail("settings: PIN source: " + pin_source_text(options), 2);
}

void trace_request(CheckResult& result, const HttpRequest& request)
{
    result.add_detail("> " + request.method + " " + request.path + " HTTP/1.1", 3);
    for (const auto& [name, value] : request.headers) {
        const bool secret = name == "pin" || name == "token";
        result.add_detail("> " + name + ": " + (secret ? "<redacted>" : value), 3);
    }
    if (!request.body.empty()) {
        result.add_detail("> " + truncate_text(request.body, max_trace_body_bytes), 3);
    }
}

void trace_response(CheckResult& result, const HttpResponse& response, bool may_hold_token)
{
    result.add_detail(
        "< HTTP " + std::to_string(response.status) + " " + response.reason +
            (response.new_connection ? " (new connection to " : " (reused connection to ") +
            response.peer_address + ")",
        3);
    if (!response.content_type.empty()) {
        result.add_detail("< Content-Type: " + response.content_type, 3);
    }
    if (!response.body.empty()) {
        // Redact before cutting, so no fragment of a token survives the cut.
        const std::string body =
            may_hold_token ? redact_json_member(response.body, "token") : response.body;
        result.add_detail("< " + truncate_text(body, max_trace_body_bytes) +
                              (response.body_truncated ? " (body cut at the size limit)" : ""),
                          3);
    }
}

} // namespace cpt
