// SPDX-License-Identifier: GPL-3.0-or-later
#include "config.h"

#include "base/text.hpp"
#include "pexip/pexip_api.hpp"
#include "pexip/pexip_response.hpp"
#include "probe/phrases.hpp"
#include "probe/probe.hpp"
#include "probe/probe_report.hpp"
#include "probe/subcheck_certificate.hpp"
#include "probe/subcheck_events.hpp"
#include "probe/subcheck_service_type.hpp"
#include "probe/subcheck_time.hpp"
#include "probe/subcheck_version.hpp"

namespace cpt {

namespace {

/// -v on a wrong PIN or an unknown alias: what a monitor repeating them every minute risks.
constexpr const char* break_in_hint =
    "break-in resistance: repeated wrong PINs or unknown aliases get this host's address "
    "blocked by the node; probe a Test Call Service alias without a PIN, or put this host on "
    "the break-in allow list (ignore_incorrect_pins, ignore_incorrect_aliases)";

class Probe
{
public:
    Probe(const ProbeSettings& options, HttpClient& client, const ProbeEnvironment& environment)
        : options_(options), client_(client), environment_(environment)
    {
    }

    CheckResult run()
    {
        add_secret(options_.pin);
        describe_settings(result_, options_);
        const HttpRequest request = token_request();
        trace_request(result_, request);
        HttpResult answer = client_.send(request);
        if (const auto* error = std::get_if<TransportError>(&answer)) {
            fail_transport("request_token", *error);
            for (const PerfValue& perf :
                 completed_phase_perfdata(error->completed, options_.timeout_seconds)) {
                result_.add_perfdata(perf);
            }
            check_certificate(*error, false);
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
        trace_response(result_, response, true);
        for (const PerfValue& perf : exchange_perfdata(response.timings, options_.time_thresholds,
                                                       options_.timeout_seconds)) {
            result_.add_perfdata(perf);
        }
        result_.add_detail("request_token: HTTP " + std::to_string(response.status) + " from " +
                           response.peer_address + " in " + seconds_text(response.timings.total) +
                           " (" + phases_text(response.timings) + ")");
        judge(reply, response);
        check_certificate(response, true);
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
            if (options_.pin_mode != PinMode::none) {
                result_.add_detail(break_in_hint); // a stale PIN's "Invalid PIN" counts too
            }
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
        describe_grant(result_, grant);
        // Between the grant and the release: the stream needs the token, and the release
        // keeps its share of -t whatever the stream does.
        std::optional<EventsOutcome> events;
        if (options_.events) {
            events = check_events(options_, client_, grant.token, grant.participant_uuid, secrets_,
                                  result_);
        }
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
        if (events) {
            result_.add(events->subcheck);
            if (events->perf) {
                result_.add_perfdata(*events->perf);
            }
        }
        if (released) {
            result_.add(released->subcheck);
            if (released->perf) {
                result_.add_perfdata(*released->perf);
            }
        }
        if (auto time = check_response_time(options_.time_thresholds, response.timings.total)) {
            result_.add(*time);
        }
        if (auto service_type = check_service_type(options_.expect_service_type, grant)) {
            result_.add(*service_type);
        }
        if (auto version = check_min_version(options_.min_version, grant.version_id)) {
            result_.add(*version);
        }
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
        trace_request(result_, request);
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
        trace_response(result_, response, false);
        if (!reply.released) {
            return Released{{"release_token", State::warning,
                             "token release failed: " + truncate_text(scrub(reply.reason), 160)},
                            {}};
        }
        return Released{
            {"release_token", State::ok, "released in " + seconds_text(response.timings.total)},
            time_perfdata("time_release", response.timings.total, options_.timeout_seconds)};
    }

    void unavailable(const TokenReply& reply, const HttpResponse& response)
    {
        const std::string reason = http_text(response.status, reply.reason, response.reason);
        HttpRequest request;
        request.method = "GET";
        request.path = status_path;
        trace_request(result_, request);
        HttpResult answer = client_.send(request);
        if (auto* status = std::get_if<HttpResponse>(&answer)) {
            scrub(*status);
            trace_response(result_, *status, false);
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

    /// The chain when the client read it, else the leaf's expiry alone.
    template <typename Answer>
    void check_certificate(const Answer& answer, bool handshake_done)
    {
        const CertificateLimits limits{options_.cert_warn_days, options_.cert_crit_days};
        add_outcome(result_, answer.cert_chain.empty()
                                 ? cpt::check_certificate(limits, answer.cert_not_after,
                                                          handshake_done, environment_.now_unix)
                                 : cpt::check_certificate(limits, answer.cert_chain, handshake_done,
                                                          environment_.now_unix));
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

    const ProbeSettings& options_;
    HttpClient& client_;
    const ProbeEnvironment& environment_;
    CheckResult result_;
    std::vector<std::string> secrets_; ///< the PIN and, once issued, the token
};

} // namespace

CheckResult run_probe(const ProbeSettings& options, HttpClient& client,
                      const ProbeEnvironment& environment)
{
    return Probe(options, client, environment).run();
}

} // namespace cpt
