// SPDX-License-Identifier: GPL-3.0-or-later
#include "config.h"

#include "pexip_api.hpp"
#include "pexip_response.hpp"
#include "probe.hpp"
#include "text.hpp"

#include <cmath>
#include <ctime>

namespace cpt {

namespace {

/// Most bytes of a body shown in the -vvv trace.
constexpr std::size_t max_trace_body_bytes = 1024;
constexpr std::int64_t seconds_per_day = 86400;
/// -v on a wrong PIN or an unknown alias: what a monitor repeating them every minute risks.
constexpr const char* break_in_hint =
    "break-in resistance: repeated wrong PINs or unknown aliases get this host's address "
    "blocked by the node; probe a Test Call Service alias without a PIN, or put this host on "
    "the break-in allow list (ignore_incorrect_pins, ignore_incorrect_aliases)";

/// Whole days in a signed number of seconds, rounded down (-1 s is day -1).
long whole_days(std::int64_t seconds)
{
    std::int64_t days = seconds / seconds_per_day;
    if (seconds % seconds_per_day < 0) {
        --days;
    }
    return static_cast<long>(days);
}

std::string seconds_text(double value)
{
    return format_decimal(value, 3) + " s";
}

std::string days_text(long days)
{
    return std::to_string(days) + (days == 1 ? " day" : " days");
}

std::string quoted(const std::string& text)
{
    return "'" + truncate_text(text, 64) + "'";
}

std::string date_text(std::int64_t unix_time)
{
    const auto time = static_cast<std::time_t>(unix_time);
    std::tm utc{};
    char buffer[32] = "?";
    if (gmtime_r(&time, &utc) != nullptr) {
        std::strftime(buffer, sizeof buffer, "%Y-%m-%d %H:%M UTC", &utc);
    }
    return buffer;
}

/// "HTTP 502: Failed to forward request" or "HTTP 502 Bad Gateway".
std::string http_text(long status, const std::string& node_reason, const std::string& phrase)
{
    std::string text = "HTTP " + std::to_string(status);
    if (!node_reason.empty()) {
        text += ": " + truncate_text(node_reason, 160);
    } else if (!phrase.empty()) {
        text += " " + truncate_text(phrase, 80);
    }
    return text;
}

class Probe
{
public:
    Probe(const Options& options, HttpClient& client, const ProbeEnvironment& environment)
        : options_(options), client_(client), environment_(environment)
    {
    }

    CheckResult run()
    {
        add_secret(options_.pin);
        describe_settings();
        const HttpRequest request = token_request();
        trace_request(request);
        HttpResult answer = client_.send(request);
        if (const auto* error = std::get_if<TransportError>(&answer)) {
            fail_transport("request_token", *error);
            check_certificate(error->cert_not_after, false);
            return std::move(result_);
        }
        auto& response = std::get<HttpResponse>(answer);
        TokenReply reply =
            classify_token_reply(response.status, response.reason, response.body,
                                 response.body_truncated, options_.pin_mode != PinMode::none);
        if (reply.kind == TokenReplyKind::granted) {
            add_secret(reply.grant.token);
        }
        // Node text is cut to length below: secrets go first, so that no piece of one can
        // survive a cut (a node may echo the PIN or the token anywhere).
        scrub(response);
        scrub(reply);
        trace_response(response, true);
        add_timing_perfdata(response.timings);
        result_.add_detail("request_token: HTTP " + std::to_string(response.status) + " from " +
                           response.peer_address + " in " + seconds_text(response.timings.total) +
                           " (" + phases_text(response.timings) + ")");
        judge(reply, response);
        check_certificate(response.cert_not_after, true);
        return std::move(result_);
    }

private:
    void add_secret(const std::string& secret)
    {
        if (!secret.empty()) {
            secrets_.push_back(secret);
            result_.add_secret(secret);
        }
    }

    std::string scrub(std::string text) const { return redact(std::move(text), secrets_); }

    void scrub(HttpResponse& response) const
    {
        response.reason = scrub(std::move(response.reason));
        response.content_type = scrub(std::move(response.content_type));
        response.body = scrub(std::move(response.body));
    }

    void scrub(TokenReply& reply) const
    {
        reply.reason = scrub(std::move(reply.reason));
        reply.extension_type = scrub(std::move(reply.extension_type));
        TokenGrant& grant = reply.grant; // the token itself stays: it is what gets released
        for (std::string* text : {&grant.expires, &grant.role, &grant.current_service_type,
                                  &grant.service_type, &grant.version_id, &grant.pseudo_version,
                                  &grant.participant_uuid, &grant.conference_name}) {
            *text = scrub(std::move(*text));
        }
    }

    HttpRequest token_request() const
    {
        HttpRequest request;
        request.method = "POST";
        request.path = conference_path(options_.alias, "request_token");
        request.headers.emplace_back("Content-Type", "application/json");
        if (options_.pin_mode == PinMode::pin) {
            request.headers.emplace_back("pin", options_.pin);
        } else if (options_.pin_mode == PinMode::guest) {
            request.headers.emplace_back("pin", "none");
        }
        request.body = request_token_body(options_.display_name, options_.call_tag);
        return request;
    }

    void judge(const TokenReply& reply, const HttpResponse& response)
    {
        const std::string alias = quoted(options_.alias);
        switch (reply.kind) {
        case TokenReplyKind::granted:
            granted(reply.grant, response);
            return;
        case TokenReplyKind::invalid:
            fail(State::critical, "invalid response: " + truncate_text(reply.reason, 160));
            return;
        case TokenReplyKind::pin_challenge:
            fail(options_.challenge_result,
                 "alias " + alias + " asks for a PIN" +
                     (reply.guest_pin_required ? " (guests need one too)"
                                               : " (guests may join without one)"));
            return;
        case TokenReplyKind::pin_not_accepted:
            fail(State::critical, "PIN not accepted: alias " + alias + " asks for a PIN again");
            result_.add_detail(break_in_hint);
            return;
        case TokenReplyKind::idp_challenge:
            fail(options_.challenge_result,
                 "alias " + alias + " asks for an identity provider (SSO)");
            return;
        case TokenReplyKind::extension_challenge:
            fail(options_.challenge_result,
                 "alias " + alias + " asks for a conference extension (Virtual Reception" +
                     (reply.extension_type.empty() ? "" : ", " + reply.extension_type) + ")");
            return;
        case TokenReplyKind::rejected:
            fail(State::critical,
                 reply.reason.empty()
                     ? "access denied (" + http_text(response.status, "", response.reason) + ")"
                     : "access denied (HTTP " + std::to_string(response.status) +
                           "): " + truncate_text(reply.reason, 160));
            return;
        case TokenReplyKind::unauthorized:
            fail(State::critical, "authentication required (" +
                                      http_text(response.status, reply.reason, response.reason) +
                                      ")");
            return;
        case TokenReplyKind::alias_not_found:
            fail(State::critical,
                 "alias not found: " + alias +
                     (reply.reason.empty() ? "" : " (" + truncate_text(reply.reason, 160) + ")"));
            result_.add_detail(break_in_hint);
            return;
        case TokenReplyKind::not_pexip:
            fail(State::critical,
                 "not a Pexip node (" + http_text(response.status, "", response.reason) + ")");
            return;
        case TokenReplyKind::unavailable:
            unavailable(reply, response);
            return;
        case TokenReplyKind::http_error:
            fail(State::critical, http_text(response.status, reply.reason, response.reason) +
                                      (response.status >= 300 && response.status < 400
                                           ? " (redirects are not followed)"
                                           : ""));
            return;
        }
    }

    void granted(const TokenGrant& grant, const HttpResponse& response)
    {
        if (environment_.on_token_held) {
            environment_.on_token_held();
        }
        describe_grant(grant);
        std::string outcome;
        std::optional<Released> released;
        if (!options_.release) {
            outcome = ", not released (--no-release)";
            result_.add_detail("release_token: skipped (--no-release): the participant stays "
                               "until the token expires");
        } else {
            released = release(grant.token);
            outcome = released->subcheck.state == State::ok ? ", released" : "";
        }
        result_.add(Subcheck{"request_token", State::ok,
                             "token issued in " + seconds_text(response.timings.total) + outcome +
                                 grant_text(grant),
                             true});
        if (released) {
            result_.add(released->subcheck);
            if (released->perf) {
                result_.add_perfdata(*released->perf);
            }
        }
        check_time(response.timings.total);
        check_service_type(grant);
    }

    struct Released
    {
        Subcheck subcheck; ///< WARNING when the release failed in any way
        std::optional<PerfValue> perf;
    };

    Released release(const std::string& token)
    {
        HttpRequest request;
        request.method = "POST";
        request.path = conference_path(options_.alias, "release_token");
        request.headers.emplace_back("token", token);
        trace_request(request);
        HttpResult answer = client_.send(request);
        if (const auto* error = std::get_if<TransportError>(&answer)) {
            const std::string why = error->kind == TransportErrorKind::timeout
                                        ? "timeout (" + error->message + ")"
                                        : truncate_text(scrub(error->message), 160);
            return Released{{"release_token", State::warning, "token release failed: " + why}, {}};
        }
        auto& response = std::get<HttpResponse>(answer);
        const ReleaseReply reply =
            classify_release_reply(response.status, response.reason, response.body);
        scrub(response);
        trace_response(response, false);
        if (!reply.released) {
            return Released{{"release_token", State::warning,
                             "token release failed: " + truncate_text(scrub(reply.reason), 160)},
                            {}};
        }
        return Released{
            {"release_token", State::ok, "released in " + seconds_text(response.timings.total)},
            time_perf("time_release", response.timings.total)};
    }

    void unavailable(const TokenReply& reply, const HttpResponse& response)
    {
        const std::string reason = http_text(response.status, reply.reason, response.reason);
        HttpRequest request;
        request.method = "GET";
        request.path = status_path;
        trace_request(request);
        HttpResult answer = client_.send(request);
        if (auto* status = std::get_if<HttpResponse>(&answer)) {
            scrub(*status);
            trace_response(*status, false);
            result_.add_detail("status: HTTP " + std::to_string(status->status) + " in " +
                               seconds_text(status->timings.total));
            if (status->status == 503) {
                fail(options_.maintenance_result, "node is in maintenance mode (" + reason + ")");
                return;
            }
        } else {
            result_.add_detail("status: " + std::get<TransportError>(answer).message);
        }
        fail(State::critical, reason);
    }

    void check_time(double seconds)
    {
        const State state = options_.time_thresholds.evaluate(seconds);
        if (state == State::ok) {
            return;
        }
        const Range& range = state == State::critical ? *options_.time_thresholds.critical
                                                      : *options_.time_thresholds.warning;
        result_.add(Subcheck{"time", state,
                             "response time " + seconds_text(seconds) +
                                 (range.alert_inside ? " inside " : " outside ") +
                                 (state == State::critical ? "critical" : "warning") + " range " +
                                 range.text});
    }

    void check_service_type(const TokenGrant& grant)
    {
        const std::string& expected = options_.expect_service_type;
        if (expected.empty()) {
            return;
        }
        // A locked room reports current_service_type waiting_room but service_type
        // conference: either naming the expected type counts.
        if (grant.current_service_type == expected || grant.service_type == expected) {
            result_.add(Subcheck{"service_type", State::ok, "service type " + expected});
            return;
        }
        const std::string& actual = grant.effective_service_type();
        result_.add(Subcheck{"service_type", State::warning,
                             "service type " + (actual.empty() ? "unknown" : actual) +
                                 ", expected " + expected});
    }

    void check_certificate(const std::optional<std::int64_t>& not_after, bool handshake_done)
    {
        if (!options_.cert_warn_days) {
            return;
        }
        if (!not_after) {
            if (handshake_done) {
                result_.add(Subcheck{"certificate", State::unknown,
                                     "certificate expiry could not be read"});
            }
            return;
        }
        const long days = whole_days(*not_after - environment_.now_unix);
        PerfValue perf;
        perf.label = "cert_days";
        perf.value = static_cast<double>(days);
        perf.decimals = 0;
        perf.warn = std::to_string(*options_.cert_warn_days) + ":";
        if (options_.cert_crit_days) {
            perf.crit = std::to_string(*options_.cert_crit_days) + ":";
        }
        result_.add_perfdata(perf);
        const std::string until = date_text(*not_after);
        if (*not_after <= environment_.now_unix) {
            const long ago = whole_days(environment_.now_unix - *not_after);
            result_.add(Subcheck{"certificate", State::critical,
                                 ago == 0 ? std::string("certificate expired today")
                                          : "certificate expired " + days_text(ago) + " ago"});
        } else if (options_.cert_crit_days && days < *options_.cert_crit_days) {
            result_.add(Subcheck{"certificate", State::critical,
                                 "certificate expires in " + days_text(days) + " (critical below " +
                                     std::to_string(*options_.cert_crit_days) + " days)"});
        } else if (days < *options_.cert_warn_days) {
            result_.add(Subcheck{"certificate", State::warning,
                                 "certificate expires in " + days_text(days) + " (warning below " +
                                     std::to_string(*options_.cert_warn_days) + " days)"});
        } else {
            result_.add(Subcheck{"certificate", State::ok,
                                 "certificate valid for " + days_text(days) + " more (until " +
                                     until + ")"});
        }
    }

    /// The outcome of request_token when no token came: primary, so that line 1 names it
    /// even when the user mapped it to OK (--challenge-result=OK and the like).
    void fail(State state, const std::string& summary)
    {
        result_.add(Subcheck{"request_token", state, summary, true});
    }

    void fail_transport(const std::string& step, const TransportError& error)
    {
        const std::string message = truncate_text(error.message, 200);
        switch (error.kind) {
        case TransportErrorKind::timeout:
            fail(options_.timeout_result, "timeout after " +
                                              format_compact(options_.timeout_seconds, 3) + " s (" +
                                              step + ": " + message + ")");
            return;
        case TransportErrorKind::dns:
            fail(State::critical,
                 "cannot resolve " +
                     (options_.ip_address.empty() ? options_.hostname : options_.ip_address) +
                     " (DNS lookup failed)");
            return;
        case TransportErrorKind::connect:
            fail(State::critical,
                 "cannot connect to " +
                     (options_.ip_address.empty() ? options_.hostname : options_.ip_address) +
                     " port " + std::to_string(options_.port) + ": " + message);
            return;
        case TransportErrorKind::tls_verify:
            fail(State::critical, "TLS certificate verification failed: " + message);
            return;
        case TransportErrorKind::tls:
            fail(State::critical, "TLS handshake failed: " + message);
            return;
        case TransportErrorKind::protocol:
        case TransportErrorKind::other:
            fail(State::critical, step + " failed: " + message);
            return;
        }
    }

    PerfValue time_perf(const char* label, double value) const
    {
        PerfValue perf;
        perf.label = label;
        perf.value = value;
        perf.uom = "s";
        perf.min = 0.0;
        perf.max = options_.timeout_seconds;
        return perf;
    }

    void add_timing_perfdata(const PhaseTimings& timings)
    {
        PerfValue time = time_perf("time", timings.total);
        if (options_.time_thresholds.warning) {
            time.warn = options_.time_thresholds.warning->text;
        }
        if (options_.time_thresholds.critical) {
            time.crit = options_.time_thresholds.critical->text;
        }
        result_.add_perfdata(time);
        result_.add_perfdata(time_perf("time_dns", timings.dns));
        result_.add_perfdata(time_perf("time_connect", timings.connect));
        result_.add_perfdata(time_perf("time_tls", timings.tls));
        result_.add_perfdata(time_perf("time_server", timings.server));
        result_.add_perfdata(time_perf("time_transfer", timings.transfer));
    }

    static std::string phases_text(const PhaseTimings& timings)
    {
        return "dns " + seconds_text(timings.dns) + ", connect " + seconds_text(timings.connect) +
               ", tls " + seconds_text(timings.tls) + ", server " + seconds_text(timings.server) +
               ", transfer " + seconds_text(timings.transfer);
    }

    /// " (conference, HOST, version 36)", or empty when the node said none of it.
    static std::string grant_text(const TokenGrant& grant)
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

    void describe_grant(const TokenGrant& grant)
    {
        const auto or_unknown = [](const std::string& text) {
            return text.empty() ? std::string("unknown") : truncate_text(text, 80);
        };
        // service_type is missing from real v35/v36 replies: only shown when sent.
        result_.add_detail("participant: role " + or_unknown(grant.role) +
                           (grant.service_type.empty()
                                ? std::string()
                                : ", service type " + truncate_text(grant.service_type, 80)) +
                           ", current service type " + or_unknown(grant.current_service_type) +
                           ", token expires in " + or_unknown(grant.expires) + " s");
        result_.add_detail("node: Pexip Infinity version " + or_unknown(grant.version_id) +
                           " (pseudo version " + or_unknown(grant.pseudo_version) + ")");
        if (!grant.conference_name.empty()) {
            result_.add_detail("conference: " + truncate_text(grant.conference_name, 80));
        }
    }

    void describe_settings()
    {
        if (options_.pin_file_world_readable) {
            result_.add_detail("warning: --pin-file '" + options_.pin_file +
                               "' is readable by every user; chmod o-r it");
        }
        const std::string host = options_.hostname.find(':') != std::string::npos
                                     ? "[" + options_.hostname + "]"
                                     : options_.hostname;
        result_.add_detail("settings: https://" + host + ":" + std::to_string(options_.port) +
                               conference_path(options_.alias, "request_token"),
                           2);
        result_.add_detail(std::string("settings: ") +
                               (options_.ip_address.empty() ? "connect to the resolved host"
                                                            : "connect to " + options_.ip_address) +
                               ", TLS verification " +
                               (options_.insecure ? "off (--insecure)"
                                : options_.ca_file.empty()
                                    ? "on (system CA store)"
                                    : "on (CA file " + options_.ca_file + ")") +
                               ", timeout " + format_compact(options_.timeout_seconds, 3) +
                               " s, release " + (options_.release ? "on" : "off"),
                           2);
    }

    void trace_request(const HttpRequest& request)
    {
        result_.add_detail("> " + request.method + " " + request.path + " HTTP/1.1", 3);
        for (const auto& [name, value] : request.headers) {
            const bool secret = name == "pin" || name == "token";
            result_.add_detail("> " + name + ": " + (secret ? "<redacted>" : value), 3);
        }
        if (!request.body.empty()) {
            result_.add_detail("> " + truncate_text(request.body, max_trace_body_bytes), 3);
        }
    }

    void trace_response(const HttpResponse& response, bool may_hold_token)
    {
        result_.add_detail(
            "< HTTP " + std::to_string(response.status) + " " + response.reason +
                (response.new_connection ? " (new connection to " : " (reused connection to ") +
                response.peer_address + ")",
            3);
        if (!response.content_type.empty()) {
            result_.add_detail("< Content-Type: " + response.content_type, 3);
        }
        if (!response.body.empty()) {
            // Redact before cutting, so no fragment of a token survives the cut.
            const std::string body =
                may_hold_token ? redact_json_member(response.body, "token") : response.body;
            result_.add_detail("< " + truncate_text(body, max_trace_body_bytes) +
                                   (response.body_truncated ? " (body cut at the size limit)" : ""),
                               3);
        }
    }

    const Options& options_;
    HttpClient& client_;
    const ProbeEnvironment& environment_;
    CheckResult result_;
    std::vector<std::string> secrets_; ///< the PIN and, once issued, the token
};

} // namespace

CheckResult run_probe(const Options& options, HttpClient& client,
                      const ProbeEnvironment& environment)
{
    return Probe(options, client, environment).run();
}

} // namespace cpt
