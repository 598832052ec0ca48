// SPDX-License-Identifier: GPL-3.0-or-later
// The check logic against a scripted HttpClient: requests sent, states, HACKING.md phrases,
// perfdata, certificate days, service type, and that the PIN and token never leak.
#include "fake_http_client.hpp"
#include "probe/probe.hpp"
#include "test_support.hpp"

#include <boost/test/data/monomorphic.hpp>
#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>
#include <rapidjson/document.h>

#include <cstdint>
#include <functional>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

namespace bdata = boost::unit_test::data;
using cpt::HttpRequest;
using cpt::ProbeSettings;
using cpt::State;
using cpt::TransportErrorKind;
using cpt_test::FakeHttpClient;
using cpt_test::followup_response;
using cpt_test::header_count;
using cpt_test::header_value;
using cpt_test::http_response;
using cpt_test::name_of;
using cpt_test::read_data_file;
using cpt_test::transport_error;

namespace {

constexpr std::int64_t now_unix = 1700000000;
constexpr std::int64_t day = 86400;

const std::string v36_token = "FAKE-v36-token_AbCdEfGhIjKlMnOp-qrstuvwxyz0123456789=";
const std::string token_path = "/api/client/v2/conferences/meet/request_token";
const std::string release_path = "/api/client/v2/conferences/meet/release_token";
const std::string time_perfdata =
    "'time'=0.042000s;;;0;8 'time_dns'=0.001000s;;;0;8 'time_connect'=0.002000s;;;0;8 "
    "'time_tls'=0.003000s;;;0;8 'time_server'=0.030000s;;;0;8 'time_transfer'=0.006000s;;;0;8";
const std::string release_perfdata = "'time_release'=0.010000s;;;0;8";
const std::string v36_primary = "token issued in 0.042 s, released (conference, HOST, version 36)";

ProbeSettings base_options()
{
    ProbeSettings options;
    options.hostname = "node.example.com";
    options.alias = "meet";
    options.timeout_seconds = 8.0;
    return options;
}

cpt::Range range(const char* text)
{
    std::string error;
    auto parsed = cpt::parse_range(text, error);
    BOOST_TEST_REQUIRE(parsed.has_value(), error);
    return *parsed;
}

cpt::HttpResponse token_reply(const std::string& file)
{
    return http_response(200, "OK", read_data_file(file));
}

cpt::HttpResponse released_reply()
{
    return followup_response(200, "OK", read_data_file("release_true.json"));
}

struct Run
{
    cpt::CheckResult result;
    int token_held_calls = 0;
    std::size_t requests_when_held = 0;
};

Run run(const ProbeSettings& options, FakeHttpClient& client)
{
    Run out;
    cpt::ProbeEnvironment environment;
    environment.now_unix = now_unix;
    environment.on_token_held = [&out, &client] {
        ++out.token_held_calls;
        out.requests_when_held = client.requests().size();
    };
    out.result = cpt::run_probe(options, client, environment);
    return out;
}

std::string line1(const cpt::CheckResult& result)
{
    const std::string output = result.render(0);
    return output.substr(0, output.find('\n'));
}

/// Line 1 without the perfdata.
std::string summary_line(const cpt::CheckResult& result)
{
    const std::string line = line1(result);
    return line.substr(0, line.find(" | "));
}

/// The perfdata of line 1, or empty.
std::string perfdata_of(const cpt::CheckResult& result)
{
    const std::string line = line1(result);
    const std::size_t bar = line.find(" | ");
    return bar == std::string::npos ? std::string() : line.substr(bar + 3);
}

std::vector<std::string> perf_labels(const cpt::CheckResult& result)
{
    std::vector<std::string> labels;
    for (const cpt::PerfValue& perf : result.perfdata()) {
        labels.push_back(perf.label);
    }
    return labels;
}

bool has_perf_item(const cpt::CheckResult& result, const std::string& item)
{
    const std::string perf = " " + perfdata_of(result) + " ";
    return perf.find(" " + item + " ") != std::string::npos;
}

std::optional<std::string> json_member(const std::string& body, const char* name)
{
    rapidjson::Document doc;
    doc.Parse(body.c_str(), body.size());
    if (doc.HasParseError() || !doc.IsObject()) {
        return std::nullopt;
    }
    const auto it = doc.FindMember(name);
    if (it == doc.MemberEnd() || !it->value.IsString()) {
        return std::nullopt;
    }
    return std::string(it->value.GetString(), it->value.GetStringLength());
}

/// Output hygiene that holds on every path and at every verbosity.
void check_output_hygiene(const cpt::CheckResult& result)
{
    for (int verbosity = 0; verbosity <= 3; ++verbosity) {
        const std::string output = result.render(verbosity);
        BOOST_TEST(output.size() <= cpt::max_output_bytes);
        BOOST_TEST(output.rfind("PEXIP TOKEN ", 0) == 0U);
        BOOST_TEST(output.back() == '\n');
        std::size_t bars = 0;
        for (char c : output) {
            const auto byte = static_cast<unsigned char>(c);
            BOOST_TEST((byte >= 0x20U || c == '\n'), "control byte " << static_cast<int>(byte));
            BOOST_TEST(byte != 0x7FU);
            bars += c == '|' ? 1U : 0U;
        }
        const std::string first = output.substr(0, output.find('\n'));
        const std::size_t expected_bars = first.find(" | ") == std::string::npos ? 0U : 1U;
        BOOST_TEST(bars == expected_bars, "stray '|' at verbosity " << verbosity);
    }
}

/// Neither secret appears in any rendering.
void check_no_secrets(const cpt::CheckResult& result, const std::vector<std::string>& secrets)
{
    for (int verbosity = 0; verbosity <= 3; ++verbosity) {
        const std::string output = result.render(verbosity);
        for (const std::string& secret : secrets) {
            BOOST_TEST(output.find(secret) == std::string::npos,
                       "secret '" << secret << "' printed at verbosity " << verbosity << ":\n"
                                  << output);
        }
    }
}

} // namespace

BOOST_AUTO_TEST_SUITE(probe)

// ---------------------------------------------------------------------------------------------
// The OK path

BOOST_AUTO_TEST_CASE(ok_path_line1)
{
    FakeHttpClient client;
    client.then(token_reply("token_v36.json")).then(released_reply());
    const Run r = run(base_options(), client);
    BOOST_TEST(name_of(r.result.state()) == "OK");
    BOOST_TEST(line1(r.result) ==
               "PEXIP TOKEN OK: " + v36_primary + " | " + time_perfdata + " " + release_perfdata);
    BOOST_TEST(r.result.render(0) == line1(r.result) + "\n");
    BOOST_TEST(client.unused_replies() == 0U);
}

BOOST_AUTO_TEST_CASE(ok_path_request_token_request)
{
    FakeHttpClient client;
    client.then(token_reply("token_v36.json")).then(released_reply());
    run(base_options(), client);
    BOOST_TEST_REQUIRE(client.requests().size() == 2U);
    const HttpRequest& request = client.requests()[0];
    BOOST_TEST(request.method == "POST");
    BOOST_TEST(request.path == token_path);
    BOOST_TEST(header_count(request, "Content-Type") == 1U);
    BOOST_TEST(header_value(request, "Content-Type").value_or("") == "application/json");
    BOOST_TEST(header_count(request, "pin") == 0U);
    BOOST_TEST(header_count(request, "token") == 0U);
    BOOST_TEST(json_member(request.body, "display_name").value_or("<none>") == "check_pexip_token");
    BOOST_TEST(json_member(request.body, "call_tag").value_or("<none>") == "check_pexip_token");
}

BOOST_AUTO_TEST_CASE(ok_path_release_token_request)
{
    FakeHttpClient client;
    client.then(token_reply("token_v36.json")).then(released_reply());
    run(base_options(), client);
    BOOST_TEST_REQUIRE(client.requests().size() == 2U);
    const HttpRequest& release = client.requests()[1];
    BOOST_TEST(release.method == "POST");
    BOOST_TEST(release.path == release_path);
    BOOST_TEST(header_count(release, "token") == 1U);
    BOOST_TEST(header_value(release, "token").value_or("") == v36_token);
    BOOST_TEST(header_count(release, "pin") == 0U);
    if (!release.body.empty()) {
        BOOST_TEST(header_value(release, "Content-Type").value_or("") == "application/json");
    }
}

BOOST_AUTO_TEST_CASE(ok_path_perfdata_label_set)
{
    FakeHttpClient client;
    client.then(token_reply("token_v36.json")).then(released_reply());
    const Run r = run(base_options(), client);
    const std::vector<std::string> expected = {"time",        "time_dns",    "time_connect",
                                               "time_tls",    "time_server", "time_transfer",
                                               "time_release"};
    BOOST_TEST(perf_labels(r.result) == expected, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(ok_path_token_held_once_before_release)
{
    FakeHttpClient client;
    client.then(token_reply("token_v36.json")).then(released_reply());
    const Run r = run(base_options(), client);
    BOOST_TEST(r.token_held_calls == 1);
    BOOST_TEST(r.requests_when_held == 1U);
}

BOOST_AUTO_TEST_CASE(display_name_and_call_tag_are_sent)
{
    ProbeSettings options = base_options();
    options.display_name = "Probe \"one\" \xc3\xa9";
    options.call_tag = "tag\\x";
    FakeHttpClient client;
    client.then(token_reply("token_v36.json")).then(released_reply());
    run(options, client);
    BOOST_TEST_REQUIRE(!client.requests().empty());
    const std::string& body = client.requests()[0].body;
    BOOST_TEST(json_member(body, "display_name").value_or("<none>") == options.display_name);
    BOOST_TEST(json_member(body, "call_tag").value_or("<none>") == options.call_tag);
}

BOOST_AUTO_TEST_CASE(alias_is_one_encoded_segment_in_both_requests)
{
    ProbeSettings options = base_options();
    options.alias = "meet@example.com/x";
    FakeHttpClient client;
    client.then(token_reply("token_v36.json")).then(released_reply());
    run(options, client);
    BOOST_TEST_REQUIRE(client.requests().size() == 2U);
    BOOST_TEST(client.requests()[0].path ==
               "/api/client/v2/conferences/meet%40example.com%2Fx/request_token");
    BOOST_TEST(client.requests()[1].path ==
               "/api/client/v2/conferences/meet%40example.com%2Fx/release_token");
}

BOOST_AUTO_TEST_CASE(pin_header_with_a_pin)
{
    ProbeSettings options = base_options();
    options.pin_mode = cpt::PinMode::pin;
    options.pin = "7319";
    FakeHttpClient client;
    client.then(token_reply("token_v36.json")).then(released_reply());
    run(options, client);
    BOOST_TEST_REQUIRE(client.requests().size() == 2U);
    BOOST_TEST(header_count(client.requests()[0], "pin") == 1U);
    BOOST_TEST(header_value(client.requests()[0], "pin").value_or("") == "7319");
    BOOST_TEST(header_count(client.requests()[1], "pin") == 0U);
}

BOOST_AUTO_TEST_CASE(pin_header_none_for_a_guest)
{
    ProbeSettings options = base_options();
    options.pin_mode = cpt::PinMode::guest;
    FakeHttpClient client;
    client.then(token_reply("token_minimal.json")).then(released_reply());
    run(options, client);
    BOOST_TEST_REQUIRE(!client.requests().empty());
    BOOST_TEST(header_count(client.requests()[0], "pin") == 1U);
    BOOST_TEST(header_value(client.requests()[0], "pin").value_or("") == "none");
}

BOOST_AUTO_TEST_CASE(minimal_grant_summary)
{
    FakeHttpClient client;
    client.then(token_reply("token_minimal.json")).then(released_reply());
    const Run r = run(base_options(), client);
    BOOST_TEST(summary_line(r.result) ==
               "PEXIP TOKEN OK: token issued in 0.042 s, released (conference, GUEST, version 36)");
}

BOOST_AUTO_TEST_CASE(status_failed_with_a_token_is_still_ok)
{
    FakeHttpClient client;
    client.then(token_reply("token_status_failed.json")).then(released_reply());
    const Run r = run(base_options(), client);
    BOOST_TEST(name_of(r.result.state()) == "OK");
    BOOST_TEST_REQUIRE(client.requests().size() == 2U);
    BOOST_TEST(header_value(client.requests()[1], "token").value_or("") ==
               "FAKE-status-failed-token=");
}

// ---------------------------------------------------------------------------------------------
// Release

BOOST_AUTO_TEST_CASE(release_http_500_is_warning)
{
    FakeHttpClient client;
    client.then(token_reply("token_v36.json"))
        .then(followup_response(500, "Internal Server Error", read_data_file("server_error.html"),
                                "text/html"));
    const Run r = run(base_options(), client);
    BOOST_TEST(name_of(r.result.state()) == "WARNING");
    BOOST_TEST(summary_line(r.result) ==
               "PEXIP TOKEN WARNING: token release failed: HTTP 500 Internal Server Error, token "
               "issued in 0.042 s (conference, HOST, version 36)");
    BOOST_TEST(perfdata_of(r.result) == time_perfdata);
}

BOOST_AUTO_TEST_CASE(release_transport_error_is_warning)
{
    FakeHttpClient client;
    client.then(token_reply("token_v36.json"))
        .then(transport_error(TransportErrorKind::connect, "Connection reset by peer"));
    const Run r = run(base_options(), client);
    BOOST_TEST(name_of(r.result.state()) == "WARNING");
    BOOST_TEST(summary_line(r.result) ==
               "PEXIP TOKEN WARNING: token release failed: Connection reset by peer, token issued "
               "in 0.042 s (conference, HOST, version 36)");
    BOOST_TEST(summary_line(r.result).find(", released") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(release_timeout_is_warning_whatever_timeout_result_says)
{
    for (State timeout_result : {State::critical, State::unknown, State::ok}) {
        ProbeSettings options = base_options();
        options.timeout_result = timeout_result;
        FakeHttpClient client;
        client.then(token_reply("token_v36.json"))
            .then(transport_error(TransportErrorKind::timeout, "waiting for the response"));
        const Run r = run(options, client);
        BOOST_TEST(name_of(r.result.state()) == "WARNING");
        const std::string summary = summary_line(r.result);
        BOOST_TEST(summary.rfind("PEXIP TOKEN WARNING: token release failed: timeout", 0) == 0U,
                   summary);
        BOOST_TEST(summary.find(", released") == std::string::npos);
        BOOST_TEST(summary.find("token issued in 0.042 s (conference, HOST, version 36)") !=
                   std::string::npos);
    }
}

BOOST_AUTO_TEST_CASE(release_403_invalid_token_is_warning)
{
    FakeHttpClient client;
    client.then(token_reply("token_v36.json"))
        .then(followup_response(403, "Forbidden", read_data_file("invalid_token.json")));
    const Run r = run(base_options(), client);
    BOOST_TEST(name_of(r.result.state()) == "WARNING");
    BOOST_TEST(summary_line(r.result).rfind(
                   "PEXIP TOKEN WARNING: token release failed: HTTP 403: Invalid token, ", 0) ==
               0U);
}

BOOST_AUTO_TEST_CASE(release_result_false_is_warning)
{
    FakeHttpClient client;
    client.then(token_reply("token_v36.json"))
        .then(followup_response(200, "OK", read_data_file("release_false.json")));
    const Run r = run(base_options(), client);
    BOOST_TEST(name_of(r.result.state()) == "WARNING");
    BOOST_TEST(summary_line(r.result).find("token release failed") != std::string::npos);
    BOOST_TEST(summary_line(r.result).find(", released") == std::string::npos);
    BOOST_TEST(!has_perf_item(r.result, release_perfdata));
}

BOOST_AUTO_TEST_CASE(no_release_sends_no_release)
{
    ProbeSettings options = base_options();
    options.release = false;
    FakeHttpClient client;
    client.then(token_reply("token_v36.json"));
    const Run r = run(options, client);
    BOOST_TEST(client.requests().size() == 1U);
    BOOST_TEST(name_of(r.result.state()) == "OK");
    BOOST_TEST(line1(r.result) ==
               "PEXIP TOKEN OK: token issued in 0.042 s, not released (--no-release) (conference, "
               "HOST, version 36) | " +
                   time_perfdata);
    BOOST_TEST(r.token_held_calls == 1);
}

// ---------------------------------------------------------------------------------------------
// Thresholds

BOOST_AUTO_TEST_CASE(warning_threshold_still_releases)
{
    ProbeSettings options = base_options();
    options.time_thresholds.warning = range("0.01");
    FakeHttpClient client;
    client.then(token_reply("token_v36.json")).then(released_reply());
    const Run r = run(options, client);
    BOOST_TEST(client.requests().size() == 2U);
    BOOST_TEST(name_of(r.result.state()) == "WARNING");
    BOOST_TEST(summary_line(r.result) ==
               "PEXIP TOKEN WARNING: response time 0.042 s outside warning range 0.01, " +
                   v36_primary);
    BOOST_TEST(has_perf_item(r.result, "'time'=0.042000s;0.01;;0;8"));
    BOOST_TEST(has_perf_item(r.result, release_perfdata));
}

BOOST_AUTO_TEST_CASE(critical_threshold_still_releases)
{
    ProbeSettings options = base_options();
    options.time_thresholds.warning = range("1");
    options.time_thresholds.critical = range("@0:1");
    FakeHttpClient client;
    client.then(token_reply("token_v36.json")).then(released_reply());
    const Run r = run(options, client);
    BOOST_TEST(client.requests().size() == 2U);
    BOOST_TEST(name_of(r.result.state()) == "CRITICAL");
    BOOST_TEST(summary_line(r.result) ==
               "PEXIP TOKEN CRITICAL: response time 0.042 s inside critical range @0:1, " +
                   v36_primary);
    BOOST_TEST(has_perf_item(r.result, "'time'=0.042000s;1;@0:1;0;8"));
}

BOOST_AUTO_TEST_CASE(thresholds_not_hit_stay_ok)
{
    ProbeSettings options = base_options();
    options.time_thresholds.warning = range("1");
    options.time_thresholds.critical = range("2");
    FakeHttpClient client;
    client.then(token_reply("token_v36.json")).then(released_reply());
    const Run r = run(options, client);
    BOOST_TEST(name_of(r.result.state()) == "OK");
    BOOST_TEST(has_perf_item(r.result, "'time'=0.042000s;1;2;0;8"));
}

// ---------------------------------------------------------------------------------------------
// Maintenance mode

BOOST_AUTO_TEST_CASE(maintenance_when_status_is_503_too)
{
    for (State maintenance : {State::critical, State::warning, State::unknown}) {
        ProbeSettings options = base_options();
        options.maintenance_result = maintenance;
        FakeHttpClient client;
        client.then(http_response(503, "Service Unavailable", read_data_file("maintenance.json")))
            .then(followup_response(503, "Service Unavailable", ""));
        const Run r = run(options, client);
        BOOST_TEST(name_of(r.result.state()) == name_of(maintenance));
        BOOST_TEST(summary_line(r.result) ==
                   "PEXIP TOKEN " + name_of(maintenance) +
                       ": node is in maintenance mode (HTTP 503: System in maintenance mode)");
        BOOST_TEST_REQUIRE(client.requests().size() == 2U);
        BOOST_TEST(client.requests()[1].method == "GET");
        BOOST_TEST(client.requests()[1].path == "/api/client/v2/status");
        BOOST_TEST(header_count(client.requests()[1], "token") == 0U);
        BOOST_TEST(r.token_held_calls == 0);
    }
}

BOOST_AUTO_TEST_CASE(unavailable_but_status_200_is_critical)
{
    ProbeSettings options = base_options();
    options.maintenance_result = State::warning;
    FakeHttpClient client;
    client.then(http_response(503, "Service Unavailable", read_data_file("maintenance.json")))
        .then(followup_response(200, "OK", ""));
    const Run r = run(options, client);
    BOOST_TEST(name_of(r.result.state()) == "CRITICAL");
    BOOST_TEST(summary_line(r.result) ==
               "PEXIP TOKEN CRITICAL: HTTP 503: System in maintenance mode");
    BOOST_TEST(client.requests().size() == 2U);
}

BOOST_AUTO_TEST_CASE(proxy_503_page_is_critical_and_never_maintenance)
{
    // A reverse proxy or load balancer answering 503 with its own page on every path: no
    // call can be placed, whatever --maintenance-result says, and /status is not asked.
    for (const char* body : {"service_unavailable.html", "malformed_empty.json"}) {
        ProbeSettings options = base_options();
        options.maintenance_result = State::ok;
        FakeHttpClient client;
        client.then(http_response(503, "Service Temporarily Unavailable", read_data_file(body)))
            .then(followup_response(503, "Service Temporarily Unavailable",
                                    read_data_file("service_unavailable.html")));
        const Run r = run(options, client);
        BOOST_TEST(name_of(r.result.state()) == "CRITICAL");
        BOOST_TEST(summary_line(r.result) ==
                   "PEXIP TOKEN CRITICAL: HTTP 503 Service Temporarily Unavailable");
        BOOST_TEST(r.result.render(3).find("maintenance") == std::string::npos);
        BOOST_TEST(client.requests().size() == 1U);
    }
}

BOOST_AUTO_TEST_CASE(unavailable_and_status_unreachable_is_critical)
{
    ProbeSettings options = base_options();
    options.maintenance_result = State::warning;
    FakeHttpClient client;
    client
        .then(http_response(503, "Service Unavailable", read_data_file("service_unavailable.json")))
        .then(transport_error(TransportErrorKind::connect, "Connection reset by peer"));
    const Run r = run(options, client);
    BOOST_TEST(name_of(r.result.state()) == "CRITICAL");
    BOOST_TEST(summary_line(r.result) == "PEXIP TOKEN CRITICAL: HTTP 503: 503 Service Unavailable");
}

// ---------------------------------------------------------------------------------------------
// Every TokenReplyKind: state and phrase

namespace {

struct ReplyCase
{
    long status;
    const char* phrase;
    const char* file;
    State expected;
    const char* summary;
    bool exact; ///< false: summary is a prefix
};

std::ostream& operator<<(std::ostream& out, const ReplyCase& c)
{
    return out << c.status << " " << c.file;
}

const std::vector<ReplyCase> reply_cases = {
    {200, "OK", "malformed_result_string.json", State::critical, "invalid response: ", false},
    {200, "OK", "malformed_empty.json", State::critical, "invalid response: ", false},
    {200, "OK", "malformed_not_json.json", State::critical, "invalid response: ", false},
    {200, "OK", "malformed_truncated.json", State::critical, "invalid response: ", false},
    {200, "OK", "malformed_missing_token.json", State::critical, "invalid response: ", false},
    {200, "OK", "malformed_token_crlf.json", State::critical, "invalid response: ", false},
    {403, "Forbidden", "pin_guest_none.json", State::warning,
     "alias 'meet' asks for a PIN (guests may join without one)", true},
    {403, "Forbidden", "pin_guest_required.json", State::warning,
     "alias 'meet' asks for a PIN (guests need one too)", true},
    {403, "Forbidden", "idp_list.json", State::warning,
     "alias 'meet' asks for an identity provider (SSO)", true},
    {403, "Forbidden", "idp_empty.json", State::warning,
     "alias 'meet' asks for an identity provider (SSO)", true},
    {403, "Forbidden", "idp_redirect.json", State::warning,
     "alias 'meet' asks for an identity provider (SSO)", true},
    {403, "Forbidden", "extension_current.json", State::warning,
     "alias 'meet' asks for a conference extension (Virtual Reception", false},
    {403, "Forbidden", "extension_legacy.json", State::warning,
     "alias 'meet' asks for a conference extension (Virtual Reception", false},
    {403, "Forbidden", "invalid_pin.json", State::critical, "access denied (HTTP 403): Invalid PIN",
     true},
    {401, "Unauthorized", "unauthorized.html", State::critical,
     "authentication required (HTTP 401 Unauthorized)", true},
    {404, "Not Found", "not_found.json", State::critical,
     "alias not found: 'meet' (Neither conference nor gateway found)", true},
    {404, "Not Found", "not_found.html", State::critical, "not a Pexip node (HTTP 404 Not Found)",
     true},
    {415, "Unsupported Media Type", "unsupported_media_type.json", State::critical,
     "HTTP 415: Invalid protocol for service", true},
    {502, "Bad Gateway", "bad_gateway.json", State::critical, "HTTP 502: Failed to forward request",
     true},
    {502, "Bad Gateway", "bad_gateway.html", State::critical, "HTTP 502 Bad Gateway", true},
    {504, "Gateway Timeout", "gateway_timeout.json", State::critical,
     "HTTP 504: 504 Gateway Timeout", true},
    {504, "Gateway Time-out", "gateway_timeout.html", State::critical, "HTTP 504 Gateway Time-out",
     true},
    {529, "", "overloaded.json", State::critical, "HTTP 529: Out of resource", true},
    {500, "Internal Server Error", "server_error.html", State::critical,
     "HTTP 500 Internal Server Error", true},
    {418, "I'm a teapot", "teapot.json", State::critical, "HTTP 418: I'm a teapot", true},
    {302, "Found", "redirect.html", State::critical, "HTTP 302 Found", false},
};

} // namespace

BOOST_DATA_TEST_CASE(every_reply_kind_gives_the_contract_state_and_phrase, bdata::make(reply_cases),
                     sample)
{
    FakeHttpClient client;
    const bool html = std::string(sample.file).find(".html") != std::string::npos;
    client.then(http_response(sample.status, sample.phrase, read_data_file(sample.file),
                              html ? "text/html" : "application/json"));
    const Run r = run(base_options(), client);
    BOOST_TEST(name_of(r.result.state()) == name_of(sample.expected));
    const std::string prefix = "PEXIP TOKEN " + name_of(sample.expected) + ": ";
    const std::string summary = summary_line(r.result);
    if (sample.exact) {
        BOOST_TEST(summary == prefix + sample.summary);
    } else {
        BOOST_TEST(summary.rfind(prefix + sample.summary, 0) == 0U, summary);
    }
    // An HTTP answer gives the request_token timings, and nothing was released.
    BOOST_TEST(perfdata_of(r.result) == time_perfdata);
    BOOST_TEST(client.requests().size() == 1U);
    BOOST_TEST(r.token_held_calls == 0);
    check_output_hygiene(r.result);
}

BOOST_AUTO_TEST_CASE(deeply_nested_200_is_an_invalid_response)
{
    FakeHttpClient client;
    client.then(http_response(200, "OK", std::string(100000, '[') + std::string(100000, ']')));
    const Run r = run(base_options(), client);
    BOOST_TEST(name_of(r.result.state()) == "CRITICAL");
    BOOST_TEST(summary_line(r.result).rfind("PEXIP TOKEN CRITICAL: invalid response: ", 0) == 0U);
    check_output_hygiene(r.result);
}

BOOST_AUTO_TEST_CASE(truncated_200_is_an_invalid_response)
{
    FakeHttpClient client;
    cpt::HttpResponse response = token_reply("token_v36.json");
    response.body_truncated = true;
    client.then(response);
    const Run r = run(base_options(), client);
    BOOST_TEST(name_of(r.result.state()) == "CRITICAL");
    BOOST_TEST(summary_line(r.result).rfind("PEXIP TOKEN CRITICAL: invalid response: ", 0) == 0U);
    BOOST_TEST(client.requests().size() == 1U);
    check_no_secrets(r.result, {v36_token});
}

BOOST_AUTO_TEST_CASE(pin_challenge_after_sending_a_pin_is_pin_not_accepted)
{
    // Whatever --challenge-result says: the node asked again for what the probe sent.
    for (State challenge : {State::ok, State::warning, State::critical, State::unknown}) {
        for (const char* file : {"pin_guest_none.json", "pin_guest_required.json"}) {
            ProbeSettings options = base_options();
            options.pin_mode = cpt::PinMode::pin;
            options.pin = "7319";
            options.challenge_result = challenge;
            FakeHttpClient client;
            client.then(http_response(403, "Forbidden", read_data_file(file)));
            const Run r = run(options, client);
            BOOST_TEST(name_of(r.result.state()) == "CRITICAL");
            BOOST_TEST(summary_line(r.result) ==
                       "PEXIP TOKEN CRITICAL: PIN not accepted: alias 'meet' asks for a PIN again");
            BOOST_TEST(client.requests().size() == 1U);
            check_no_secrets(r.result, {"7319"});
        }
    }
}

BOOST_AUTO_TEST_CASE(pin_challenge_after_guest_pin_none_is_pin_not_accepted)
{
    ProbeSettings options = base_options();
    options.pin_mode = cpt::PinMode::guest;
    options.challenge_result = State::ok;
    FakeHttpClient client;
    client.then(http_response(403, "Forbidden", read_data_file("pin_guest_required.json")));
    const Run r = run(options, client);
    BOOST_TEST(name_of(r.result.state()) == "CRITICAL");
    BOOST_TEST(summary_line(r.result) ==
               "PEXIP TOKEN CRITICAL: PIN not accepted: alias 'meet' asks for a PIN again");
    BOOST_TEST_REQUIRE(client.requests().size() == 1U);
    BOOST_TEST(header_value(client.requests()[0], "pin").value_or("") == "none");
}

BOOST_AUTO_TEST_CASE(pin_challenge_without_a_pin_header_is_still_a_challenge)
{
    ProbeSettings options = base_options();
    options.challenge_result = State::ok;
    FakeHttpClient client;
    client.then(http_response(403, "Forbidden", read_data_file("pin_guest_none.json")));
    const Run r = run(options, client);
    BOOST_TEST(name_of(r.result.state()) == "OK");
    BOOST_TEST(r.result.render(1).find("break-in") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(break_in_hint_on_pin_not_accepted_and_alias_not_found)
{
    const std::string hint = "break-in resistance: repeated wrong PINs or unknown aliases get "
                             "this host's address blocked by the node; probe a Test Call Service "
                             "alias without a PIN, or put this host on the break-in allow list "
                             "(ignore_incorrect_pins, ignore_incorrect_aliases)";
    ProbeSettings with_pin = base_options();
    with_pin.pin_mode = cpt::PinMode::pin;
    with_pin.pin = "7319";
    FakeHttpClient reprompt;
    reprompt.then(http_response(403, "Forbidden", read_data_file("pin_guest_none.json")));
    const Run wrong_pin = run(with_pin, reprompt);
    FakeHttpClient unknown;
    unknown.then(http_response(404, "Not Found", read_data_file("not_found.json")));
    const Run not_found = run(base_options(), unknown);
    for (const Run* r : {&wrong_pin, &not_found}) {
        BOOST_TEST(r->result.render(0).find("break-in") == std::string::npos);
        BOOST_TEST(r->result.render(1).find("\n" + hint + "\n") != std::string::npos,
                   r->result.render(1));
    }
    check_no_secrets(wrong_pin.result, {"7319"});
}

BOOST_AUTO_TEST_CASE(node_text_is_sanitised)
{
    FakeHttpClient client;
    client.then(http_response(
        502, "Bad\x1b Gateway",
        "{\"status\":\"failed\",\"result\":\"bad|gateway\\u001b[2J\\r\\nInjected: 1\"}"));
    const Run r = run(base_options(), client);
    BOOST_TEST(summary_line(r.result) ==
               "PEXIP TOKEN CRITICAL: HTTP 502: bad/gateway?[2J??Injected: 1");
    check_output_hygiene(r.result);
}

BOOST_AUTO_TEST_CASE(alias_in_phrases_is_sanitised)
{
    ProbeSettings options = base_options();
    options.alias = "me|et\x1b";
    FakeHttpClient client;
    client.then(http_response(404, "Not Found", read_data_file("not_found.json")));
    const Run r = run(options, client);
    BOOST_TEST(summary_line(r.result) ==
               "PEXIP TOKEN CRITICAL: alias not found: 'me/et?' (Neither conference nor gateway "
               "found)");
    check_output_hygiene(r.result);
}

// ---------------------------------------------------------------------------------------------
// --challenge-result

namespace {

struct ChallengeCase
{
    const char* file;
    State challenge_result;
    const char* phrase;
};

std::ostream& operator<<(std::ostream& out, const ChallengeCase& c)
{
    return out << c.file << " --challenge-result=" << cpt::state_name(c.challenge_result);
}

const std::vector<ChallengeCase> challenge_cases = {
    {"pin_guest_none.json", State::critical, "alias 'meet' asks for a PIN"},
    {"pin_guest_required.json", State::unknown, "alias 'meet' asks for a PIN"},
    {"idp_list.json", State::critical, "alias 'meet' asks for an identity provider (SSO)"},
    {"idp_redirect.json", State::unknown, "alias 'meet' asks for an identity provider (SSO)"},
    {"extension_current.json", State::critical, "alias 'meet' asks for a conference extension"},
    {"extension_legacy.json", State::unknown, "alias 'meet' asks for a conference extension"},
};

const std::vector<ChallengeCase> challenge_ok_cases = {
    {"pin_guest_none.json", State::ok, "alias 'meet' asks for a PIN"},
    {"idp_list.json", State::ok, "alias 'meet' asks for an identity provider (SSO)"},
    {"extension_current.json", State::ok, "alias 'meet' asks for a conference extension"},
};

} // namespace

BOOST_DATA_TEST_CASE(challenge_result_is_honoured, bdata::make(challenge_cases), sample)
{
    ProbeSettings options = base_options();
    options.challenge_result = sample.challenge_result;
    FakeHttpClient client;
    client.then(http_response(403, "Forbidden", read_data_file(sample.file)));
    const Run r = run(options, client);
    BOOST_TEST(name_of(r.result.state()) == name_of(sample.challenge_result));
    BOOST_TEST(summary_line(r.result).find(sample.phrase) != std::string::npos,
               summary_line(r.result));
}

BOOST_DATA_TEST_CASE(challenge_result_ok_still_says_what_happened, bdata::make(challenge_ok_cases),
                     sample)
{
    // An OK state chosen by the user must not turn line 1 into an empty message.
    ProbeSettings options = base_options();
    options.challenge_result = sample.challenge_result;
    FakeHttpClient client;
    client.then(http_response(403, "Forbidden", read_data_file(sample.file)));
    const Run r = run(options, client);
    BOOST_TEST(name_of(r.result.state()) == "OK");
    BOOST_TEST(summary_line(r.result).rfind(std::string("PEXIP TOKEN OK: ") + sample.phrase, 0) ==
                   0U,
               summary_line(r.result));
}

BOOST_AUTO_TEST_CASE(maintenance_result_ok_still_says_what_happened)
{
    ProbeSettings options = base_options();
    options.maintenance_result = State::ok;
    FakeHttpClient client;
    client.then(http_response(503, "Service Unavailable", read_data_file("maintenance.json")))
        .then(followup_response(503, "Service Unavailable", ""));
    const Run r = run(options, client);
    BOOST_TEST(name_of(r.result.state()) == "OK");
    BOOST_TEST(
        summary_line(r.result) ==
        "PEXIP TOKEN OK: node is in maintenance mode (HTTP 503: System in maintenance mode)");
}

BOOST_AUTO_TEST_CASE(timeout_result_ok_still_says_what_happened)
{
    ProbeSettings options = base_options();
    options.timeout_result = State::ok;
    FakeHttpClient client;
    client.then(transport_error(TransportErrorKind::timeout, "connect"));
    const Run r = run(options, client);
    BOOST_TEST(name_of(r.result.state()) == "OK");
    BOOST_TEST(summary_line(r.result) ==
               "PEXIP TOKEN OK: timeout after 8 s (request_token: connect)");
}

// ---------------------------------------------------------------------------------------------
// Transport errors

namespace {

struct TransportCase
{
    TransportErrorKind kind;
    const char* message;
    const char* summary;
    bool exact;
};

std::ostream& operator<<(std::ostream& out, const TransportCase& c)
{
    return out << c.message;
}

const std::vector<TransportCase> transport_cases = {
    {TransportErrorKind::dns, "Could not resolve host: node.example.com",
     "cannot resolve node.example.com (DNS lookup failed)", true},
    {TransportErrorKind::connect, "Connection refused",
     "cannot connect to node.example.com port 443: Connection refused", true},
    {TransportErrorKind::tls_verify, "certificate has expired",
     "TLS certificate verification failed: certificate has expired", true},
    {TransportErrorKind::tls_verify, "no alternative certificate subject name matches",
     "TLS certificate verification failed: no alternative certificate subject name matches", true},
    {TransportErrorKind::tls, "Connection reset by peer in the handshake",
     "TLS handshake failed: Connection reset by peer in the handshake", true},
    {TransportErrorKind::protocol, "Weird server reply", "Weird server reply", false},
    {TransportErrorKind::other, "Out of memory", "Out of memory", false},
};

} // namespace

BOOST_DATA_TEST_CASE(transport_errors_are_critical, bdata::make(transport_cases), sample)
{
    ProbeSettings options = base_options();
    options.timeout_result = State::warning; // must not matter for these
    FakeHttpClient client;
    client.then(transport_error(sample.kind, sample.message));
    const Run r = run(options, client);
    BOOST_TEST(name_of(r.result.state()) == "CRITICAL");
    const std::string output = r.result.render(0);
    BOOST_TEST(output.find('|') == std::string::npos, "perfdata after a transport failure");
    BOOST_TEST(r.result.perfdata().empty());
    if (sample.exact) {
        BOOST_TEST(summary_line(r.result) ==
                   std::string("PEXIP TOKEN CRITICAL: ") + sample.summary);
    } else {
        BOOST_TEST(summary_line(r.result).find(sample.summary) != std::string::npos);
    }
    BOOST_TEST(client.requests().size() == 1U);
    check_output_hygiene(r.result);
}

BOOST_AUTO_TEST_CASE(connect_error_names_the_port)
{
    ProbeSettings options = base_options();
    options.port = 8443;
    FakeHttpClient client;
    client.then(transport_error(TransportErrorKind::connect, "Connection refused"));
    const Run r = run(options, client);
    BOOST_TEST(summary_line(r.result) ==
               "PEXIP TOKEN CRITICAL: cannot connect to node.example.com port 8443: Connection "
               "refused");
}

BOOST_AUTO_TEST_CASE(timeout_follows_timeout_result)
{
    for (State timeout_result : {State::critical, State::warning, State::unknown}) {
        ProbeSettings options = base_options();
        options.timeout_result = timeout_result;
        FakeHttpClient client;
        client.then(transport_error(TransportErrorKind::timeout, "waiting for the response"));
        const Run r = run(options, client);
        BOOST_TEST(name_of(r.result.state()) == name_of(timeout_result));
        BOOST_TEST(summary_line(r.result) ==
                   "PEXIP TOKEN " + name_of(timeout_result) +
                       ": timeout after 8 s (request_token: waiting for the response)");
        BOOST_TEST(r.result.perfdata().empty());
    }
}

BOOST_AUTO_TEST_CASE(timeout_names_every_stage)
{
    for (const char* stage : {"DNS lookup", "connect", "TLS handshake", "waiting for the response",
                              "reading the response"}) {
        FakeHttpClient client;
        client.then(transport_error(TransportErrorKind::timeout, stage));
        const Run r = run(base_options(), client);
        BOOST_TEST(summary_line(r.result) ==
                   "PEXIP TOKEN CRITICAL: timeout after 8 s (request_token: " + std::string(stage) +
                       ")");
    }
}

BOOST_AUTO_TEST_CASE(failure_perfdata_is_the_completed_phases_never_time)
{
    struct Sample
    {
        cpt::CompletedPhases completed;
        std::vector<std::string> labels;
    };
    const std::vector<Sample> samples = {
        {{}, {}},
        {{0.004, std::nullopt, std::nullopt}, {"time_dns"}},
        {{0.004, 0.002, std::nullopt}, {"time_dns", "time_connect"}},
        {{0.004, 0.002, 0.010}, {"time_dns", "time_connect", "time_tls"}},
    };
    for (const Sample& sample : samples) {
        FakeHttpClient client;
        cpt::TransportError error = transport_error(TransportErrorKind::timeout, "connect");
        error.completed = sample.completed;
        client.then(error);
        const Run r = run(base_options(), client);
        std::vector<std::string> labels;
        for (const cpt::PerfValue& perf : r.result.perfdata()) {
            labels.push_back(perf.label);
            BOOST_TEST(perf.uom == "s");
            BOOST_TEST(perf.max.value_or(-1.0) == 8.0);
        }
        BOOST_TEST(labels == sample.labels, boost::test_tools::per_element());
        if (sample.completed.tls) {
            BOOST_TEST(r.result.perfdata().back().value == 0.010);
        }
    }
}

BOOST_AUTO_TEST_CASE(fractional_timeout_in_the_phrase)
{
    ProbeSettings options = base_options();
    options.timeout_seconds = 0.5;
    FakeHttpClient client;
    client.then(transport_error(TransportErrorKind::timeout, "connect"));
    const Run r = run(options, client);
    BOOST_TEST(summary_line(r.result) ==
               "PEXIP TOKEN CRITICAL: timeout after 0.5 s (request_token: connect)");
}

// ---------------------------------------------------------------------------------------------
// Certificate days

namespace {

cpt::HttpResponse token_reply_with_cert(std::int64_t not_after)
{
    cpt::HttpResponse response = token_reply("token_v36.json");
    response.cert_not_after = not_after;
    return response;
}

ProbeSettings cert_options(long warn, std::optional<long> crit)
{
    ProbeSettings options = base_options();
    options.cert_warn_days = warn;
    options.cert_crit_days = crit;
    options.cert_days_text = std::to_string(warn) + (crit ? "," + std::to_string(*crit) : "");
    return options;
}

} // namespace

BOOST_AUTO_TEST_CASE(certificate_expired)
{
    FakeHttpClient client;
    client.then(token_reply_with_cert(now_unix - 3 * day)).then(released_reply());
    const Run r = run(cert_options(30, 14), client);
    BOOST_TEST(name_of(r.result.state()) == "CRITICAL");
    BOOST_TEST(summary_line(r.result) ==
               "PEXIP TOKEN CRITICAL: certificate expired 3 days ago, " + v36_primary);
    BOOST_TEST(has_perf_item(r.result, "'cert_days'=-3;30:;14:"));
}

BOOST_AUTO_TEST_CASE(certificate_expired_without_crit_is_still_critical)
{
    FakeHttpClient client;
    client.then(token_reply_with_cert(now_unix - 3 * day)).then(released_reply());
    const Run r = run(cert_options(30, std::nullopt), client);
    BOOST_TEST(name_of(r.result.state()) == "CRITICAL");
    BOOST_TEST(summary_line(r.result).find("certificate expired") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(certificate_below_critical)
{
    FakeHttpClient client;
    client.then(token_reply_with_cert(now_unix + 10 * day + 3600)).then(released_reply());
    const Run r = run(cert_options(30, 14), client);
    BOOST_TEST(name_of(r.result.state()) == "CRITICAL");
    BOOST_TEST(summary_line(r.result) ==
               "PEXIP TOKEN CRITICAL: certificate expires in 10 days (critical below 14 days), " +
                   v36_primary);
    BOOST_TEST(has_perf_item(r.result, "'cert_days'=10;30:;14:"));
    BOOST_TEST(client.requests().size() == 2U);
}

BOOST_AUTO_TEST_CASE(certificate_below_warning)
{
    FakeHttpClient client;
    client.then(token_reply_with_cert(now_unix + 20 * day + 3600)).then(released_reply());
    const Run r = run(cert_options(30, 14), client);
    BOOST_TEST(name_of(r.result.state()) == "WARNING");
    BOOST_TEST(summary_line(r.result) ==
               "PEXIP TOKEN WARNING: certificate expires in 20 days (warning below 30 days), " +
                   v36_primary);
    BOOST_TEST(has_perf_item(r.result, "'cert_days'=20;30:;14:"));
}

BOOST_AUTO_TEST_CASE(certificate_below_warning_without_crit_is_only_warning)
{
    FakeHttpClient client;
    client.then(token_reply_with_cert(now_unix + 5 * day + 3600)).then(released_reply());
    const Run r = run(cert_options(30, std::nullopt), client);
    BOOST_TEST(name_of(r.result.state()) == "WARNING");
    BOOST_TEST(
        summary_line(r.result).rfind(
            "PEXIP TOKEN WARNING: certificate expires in 5 days (warning below 30 days)", 0) == 0U);
    BOOST_TEST(has_perf_item(r.result, "'cert_days'=5;30:"));
}

BOOST_AUTO_TEST_CASE(certificate_ok)
{
    FakeHttpClient client;
    client.then(token_reply_with_cert(now_unix + 60 * day + 3600)).then(released_reply());
    const Run r = run(cert_options(30, 14), client);
    BOOST_TEST(name_of(r.result.state()) == "OK");
    BOOST_TEST(summary_line(r.result) == "PEXIP TOKEN OK: " + v36_primary);
    BOOST_TEST(has_perf_item(r.result, "'cert_days'=60;30:;14:"));
    BOOST_TEST(perfdata_of(r.result).rfind(time_perfdata, 0) == 0U);
}

BOOST_AUTO_TEST_CASE(certificate_exactly_at_the_warning_days_is_ok)
{
    FakeHttpClient client;
    client.then(token_reply_with_cert(now_unix + 30 * day + 60)).then(released_reply());
    const Run r = run(cert_options(30, 14), client);
    BOOST_TEST(name_of(r.result.state()) == "OK");
    BOOST_TEST(has_perf_item(r.result, "'cert_days'=30;30:;14:"));
}

// "1 day", never "1 days": the singular is part of the line-1 contract (HACKING.md).
BOOST_AUTO_TEST_CASE(certificate_one_day_left_is_singular)
{
    FakeHttpClient client;
    client.then(token_reply_with_cert(now_unix + day + 3600)).then(released_reply());
    const Run r = run(cert_options(30, 14), client);
    BOOST_TEST(summary_line(r.result) ==
               "PEXIP TOKEN CRITICAL: certificate expires in 1 day (critical below 14 days), " +
                   v36_primary);
    BOOST_TEST(has_perf_item(r.result, "'cert_days'=1;30:;14:"));
}

BOOST_AUTO_TEST_CASE(certificate_expired_one_day_ago_is_singular)
{
    FakeHttpClient client;
    client.then(token_reply_with_cert(now_unix - day - 3600)).then(released_reply());
    const Run r = run(cert_options(30, 14), client);
    BOOST_TEST(summary_line(r.result) ==
               "PEXIP TOKEN CRITICAL: certificate expired 1 day ago, " + v36_primary);
}

BOOST_AUTO_TEST_CASE(no_cert_days_without_dash_c)
{
    FakeHttpClient client;
    client.then(token_reply_with_cert(now_unix - 3 * day)).then(released_reply());
    const Run r = run(base_options(), client);
    BOOST_TEST(name_of(r.result.state()) == "OK");
    for (const std::string& label : perf_labels(r.result)) {
        BOOST_TEST(label != "cert_days");
    }
}

BOOST_AUTO_TEST_CASE(no_cert_days_when_no_certificate_was_seen)
{
    FakeHttpClient client;
    client.then(token_reply("token_v36.json")).then(released_reply());
    const Run r = run(cert_options(30, 14), client);
    for (const std::string& label : perf_labels(r.result)) {
        BOOST_TEST(label != "cert_days");
    }
}

BOOST_AUTO_TEST_CASE(expired_certificate_on_a_verification_failure_is_critical)
{
    FakeHttpClient client;
    client.then(transport_error(TransportErrorKind::tls_verify, "certificate has expired",
                                now_unix - 3 * day));
    const Run r = run(cert_options(30, 14), client);
    BOOST_TEST(name_of(r.result.state()) == "CRITICAL");
    BOOST_TEST(summary_line(r.result).find("TLS certificate verification failed") !=
               std::string::npos);
}

// ---------------------------------------------------------------------------------------------
// --expect-service-type

namespace {

struct ServiceCase
{
    const char* file;
    const char* expect;
    State expected;
    const char* mismatch; ///< the WARNING phrase, or nullptr
};

std::ostream& operator<<(std::ostream& out, const ServiceCase& c)
{
    return out << c.file << " expect " << c.expect;
}

const std::vector<ServiceCase> service_cases = {
    {"token_v36.json", "conference", State::ok, nullptr},
    {"token_full.json", "conference", State::ok, nullptr},   // via service_type
    {"token_full.json", "waiting_room", State::ok, nullptr}, // via current_service_type
    {"token_test_call.json", "test_call", State::ok, nullptr},
    {"token_current_gateway.json", "gateway", State::ok, nullptr},
    {"token_current_test_call.json", "conference", State::warning,
     "service type test_call, expected conference"},
    {"token_v36.json", "test_call", State::warning, "service type conference, expected test_call"},
    {"token_full.json", "gateway", State::warning, "service type waiting_room, expected gateway"},
};

} // namespace

BOOST_DATA_TEST_CASE(expect_service_type, bdata::make(service_cases), sample)
{
    ProbeSettings options = base_options();
    options.expect_service_type = sample.expect;
    FakeHttpClient client;
    client.then(token_reply(sample.file)).then(released_reply());
    const Run r = run(options, client);
    BOOST_TEST(name_of(r.result.state()) == name_of(sample.expected));
    BOOST_TEST(client.requests().size() == 2U);
    if (sample.mismatch != nullptr) {
        BOOST_TEST(summary_line(r.result).rfind(std::string("PEXIP TOKEN WARNING: ") +
                                                    sample.mismatch + ", token issued",
                                                0) == 0U,
                   summary_line(r.result));
    }
}

// ---------------------------------------------------------------------------------------------
// Verbosity

BOOST_AUTO_TEST_CASE(long_output_levels)
{
    FakeHttpClient client;
    client.then(token_reply("token_v36.json")).then(released_reply());
    const Run r = run(base_options(), client);
    const std::string v1 = r.result.render(1);
    BOOST_TEST(v1.find("\n\\_ [OK] request_token: " + v36_primary + "\n") != std::string::npos);
    BOOST_TEST(v1.find("https://node.example.com:443" + token_path) == std::string::npos);
    const std::string v2 = r.result.render(2);
    BOOST_TEST(v2.find("https://node.example.com:443" + token_path) != std::string::npos);
    BOOST_TEST(v2.find("> POST " + token_path) == std::string::npos);
    const std::string v3 = r.result.render(3);
    BOOST_TEST(v3.find("> POST " + token_path) != std::string::npos);
    BOOST_TEST(v3.find("> POST " + release_path) != std::string::npos);
    BOOST_TEST(v3.find("<redacted>") != std::string::npos);
}

// ---------------------------------------------------------------------------------------------
// Secrets never printed

namespace {

struct SecretCase
{
    const char* what;
    std::function<void(FakeHttpClient&)> script;
    std::function<void(ProbeSettings&)> tweak;
    std::vector<std::string> secrets;
};

std::ostream& operator<<(std::ostream& out, const SecretCase& c)
{
    return out << c.what;
}

std::string echo_body(const std::string& token)
{
    return "{\"status\":\"failed\",\"result\":\"Invalid token " + token + "\",\"token\":\"" +
           token + "\"}";
}

std::vector<SecretCase> secret_cases()
{
    const std::string pin = "7319";
    const std::string long_token = "FAKE-long_" + std::string(140, 'L') + "-tail_token==";
    auto with_pin = [](ProbeSettings& o) {
        o.pin_mode = cpt::PinMode::pin;
        o.pin = "7319";
    };
    return {
        {"ok",
         [](FakeHttpClient& c) { c.then(token_reply("token_v36.json")).then(released_reply()); },
         with_pin,
         {v36_token, pin}},
        {"release 500 echoing the token",
         [](FakeHttpClient& c) {
             c.then(token_reply("token_v36.json"))
                 .then(followup_response(500, "Internal Server Error " + v36_token,
                                         echo_body(v36_token)));
         },
         with_pin,
         {v36_token, pin}},
        {"release 403 echoing the token",
         [](FakeHttpClient& c) {
             c.then(token_reply("token_v36.json"))
                 .then(followup_response(403, "Forbidden", echo_body(v36_token)));
         },
         with_pin,
         {v36_token, pin}},
        {"release timeout",
         [](FakeHttpClient& c) {
             c.then(token_reply("token_v36.json"))
                 .then(transport_error(TransportErrorKind::timeout, "waiting for the response"));
         },
         with_pin,
         {v36_token, pin}},
        {"release transport error quoting the token",
         [](FakeHttpClient& c) {
             c.then(token_reply("token_v36.json"))
                 .then(
                     transport_error(TransportErrorKind::other, "bad header token: " + v36_token));
         },
         with_pin,
         {v36_token, pin}},
        {"no release",
         [](FakeHttpClient& c) { c.then(token_reply("token_v36.json")); },
         [with_pin](ProbeSettings& o) {
             with_pin(o);
             o.release = false;
         },
         {v36_token, pin}},
        {"threshold and service type",
         [](FakeHttpClient& c) { c.then(token_reply("token_full.json")).then(released_reply()); },
         [with_pin](ProbeSettings& o) {
             with_pin(o);
             o.time_thresholds.warning = range("0.01");
             o.expect_service_type = "gateway";
         },
         {"FAKE-full-token_ZyXwVu-9876543210==", pin}},
        {"token echoed in other members of the grant",
         [](FakeHttpClient& c) {
             c
                 .then(http_response(
                     200, "OK",
                     R"({"status":"success","result":{"token":"FAKE-echo-token_77=","call_tag":"FAKE-echo-token_77=","role":"FAKE-echo-token_77=","current_service_type":"FAKE-echo-token_77=","version":{"version_id":"FAKE-echo-token_77="}}})"))
                 .then(released_reply());
         },
         [with_pin](ProbeSettings& o) {
             with_pin(o);
             o.expect_service_type = "conference";
         },
         {"FAKE-echo-token_77=", pin}},
        {"token with CR/LF refused",
         [](FakeHttpClient& c) { c.then(token_reply("malformed_token_crlf.json")); },
         with_pin,
         {"FAKE-crlf-token", pin}},
        {"token with an escaped quote",
         [](FakeHttpClient& c) {
             c
                 .then(http_response(
                     200, "OK", R"({"status":"success","result":{"token":"FAKE-q\"uote-token="}})"))
                 .then(released_reply());
         },
         with_pin,
         {"FAKE-q\"uote-token=", "FAKE-q\\\"uote-token=", pin}},
        {"grant body cut at the size limit",
         [](FakeHttpClient& c) {
             cpt::HttpResponse response = token_reply("token_v36.json");
             response.body_truncated = true;
             c.then(response);
         },
         with_pin,
         {v36_token, pin}},
        {"PIN rejected",
         [](FakeHttpClient& c) {
             c.then(http_response(403, "Forbidden",
                                  R"({"status":"failed","result":"Invalid PIN 7319"})"));
         },
         with_pin,
         {pin}},
        {"PIN challenge echoing the PIN",
         [](FakeHttpClient& c) {
             c.then(http_response(
                 403, "Forbidden 7319",
                 R"({"status":"success","result":{"pin":"7319","guest_pin":"none"}})"));
         },
         with_pin,
         {pin}},
        {"maintenance",
         [](FakeHttpClient& c) {
             c.then(http_response(503, "Service Unavailable", read_data_file("maintenance.json")))
                 .then(followup_response(503, "Service Unavailable", "7319"));
         },
         with_pin,
         {pin}},
        {"transport error quoting the PIN",
         [](FakeHttpClient& c) {
             c.then(transport_error(TransportErrorKind::protocol, "bad header pin: 7319"));
         },
         with_pin,
         {pin}},
        // Node text is cut (40, 80, 160, 1024 bytes): a long token echoed where it gets cut
        // must still be redacted, not leave its first bytes before the "...".
        {"long token echoed in grant members that get cut",
         [long_token](FakeHttpClient& c) {
             c.then(http_response(200, "OK",
                                  R"({"status":"success","result":{"token":")" + long_token +
                                      R"(","role":")" + long_token +
                                      R"(","current_service_type":")" + long_token +
                                      R"(","conference_name":")" + long_token +
                                      R"(","version":{"version_id":")" + long_token +
                                      R"(","pseudo_version":")" + long_token + R"("}}})"))
                 .then(released_reply());
         },
         with_pin,
         {long_token, long_token.substr(0, 16), long_token.substr(100, 16), pin}},
        {"release reason echoing a long token past the cut",
         [long_token](FakeHttpClient& c) {
             c.then(http_response(200, "OK",
                                  R"({"status":"success","result":{"token":")" + long_token +
                                      R"("}})"))
                 .then(followup_response(403, "Forbidden " + long_token,
                                         R"({"status":"failed","result":"Invalid token: )" +
                                             long_token + R"("})"));
         },
         with_pin,
         {long_token, long_token.substr(0, 16), long_token.substr(100, 16), pin}},
        {"403 reason echoing the PIN across the cut",
         [](FakeHttpClient& c) {
             c.then(http_response(403, "Forbidden",
                                  R"({"status":"failed","result":"Invalid PIN )" +
                                      std::string(145, 'y') + R"(7319"})"));
         },
         with_pin,
         {pin, "y7", "y73"}},
        {"a PIN that occurs inside the token",
         [](FakeHttpClient& c) {
             c.then(http_response(
                        200, "OK",
                        R"({"status":"success","result":{"token":"FAKE-7319-token-7319-tail="}})"))
                 .then(released_reply());
         },
         with_pin,
         {"FAKE-7319-token-7319-tail=", "FAKE-", "-tail="}},
    };
}

} // namespace

BOOST_DATA_TEST_CASE(token_and_pin_never_printed, bdata::make(secret_cases()), sample)
{
    ProbeSettings options = base_options();
    sample.tweak(options);
    FakeHttpClient client;
    sample.script(client);
    const Run r = run(options, client);
    check_no_secrets(r.result, sample.secrets);
    check_output_hygiene(r.result);
}

BOOST_AUTO_TEST_CASE(huge_body_at_vvv_stays_under_8_kib)
{
    std::string body = R"({"status":"success","result":{"token":"FAKE-big-token=","pad":")";
    body.append(200000, 'p');
    body += "\"}}";
    FakeHttpClient client;
    client.then(http_response(200, "OK", body)).then(released_reply());
    const Run r = run(base_options(), client);
    BOOST_TEST(name_of(r.result.state()) == "OK");
    BOOST_TEST(r.result.render(3).size() <= cpt::max_output_bytes);
    check_no_secrets(r.result, {"FAKE-big-token="});
}

// ---------------------------------------------------------------------------------------------
// PIN from the environment (v2): -vv names the source, no rendering names the PIN

BOOST_AUTO_TEST_CASE(environment_pin_is_sent_named_at_vv_and_never_printed)
{
    ProbeSettings options = base_options();
    options.pin_mode = cpt::PinMode::pin;
    options.pin_source = cpt::PinSource::environment;
    options.pin = "env-pin-97531";
    FakeHttpClient client;
    client.then(token_reply("token_v36.json")).then(released_reply());
    const Run r = run(options, client);
    BOOST_TEST_REQUIRE(client.requests().size() == 2U);
    BOOST_TEST(header_value(client.requests()[0], "pin").value_or("") == "env-pin-97531");
    BOOST_TEST(r.result.render(1).find("PIN source") == std::string::npos);
    BOOST_TEST(
        r.result.render(2).find("\nsettings: PIN source: environment CHECK_PEXIP_TOKEN_PIN\n") !=
        std::string::npos);
    check_no_secrets(r.result, {"env-pin-97531", v36_token});
}

BOOST_AUTO_TEST_CASE(no_pin_source_is_none_at_vv)
{
    FakeHttpClient client;
    client.then(token_reply("token_v36.json")).then(released_reply());
    const Run r = run(base_options(), client);
    BOOST_TEST(r.result.render(2).find("\nsettings: PIN source: none\n") != std::string::npos);
    BOOST_TEST(header_count(client.requests()[0], "pin") == 0U);
}

// ---------------------------------------------------------------------------------------------
// --min-version (v2): one line in the probe, the rest in subcheck_version

namespace {

/// One probe with --min-version against a token reply that is then released.
Run run_min_version(const char* minimum, const cpt::HttpResponse& reply, FakeHttpClient& client)
{
    ProbeSettings options = base_options();
    options.min_version = minimum;
    client.then(reply).then(released_reply());
    return run(options, client);
}

} // namespace

BOOST_AUTO_TEST_CASE(min_version_older_node_is_warning_after_release)
{
    FakeHttpClient client;
    const Run r = run_min_version("37", token_reply("token_v36.json"), client);
    BOOST_TEST(name_of(r.result.state()) == name_of(State::warning));
    BOOST_TEST(summary_line(r.result) ==
               "PEXIP TOKEN WARNING: version 36 older than minimum 37, " + v36_primary);
    BOOST_TEST(client.requests().size() == 2U); // released all the same
    const std::string v1 = r.result.render(1);
    BOOST_TEST(v1.find("\n\\_ [WARNING] version: version 36 older than minimum 37\n") !=
               std::string::npos);
    BOOST_TEST(v1.find("node: Pexip Infinity version 36 (pseudo version ") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(min_version_met_is_ok_and_shown_in_long_output)
{
    FakeHttpClient client;
    const Run r = run_min_version("36", token_reply("token_v36.json"), client);
    BOOST_TEST(name_of(r.result.state()) == name_of(State::ok));
    BOOST_TEST(summary_line(r.result) == "PEXIP TOKEN OK: " + v36_primary);
    BOOST_TEST(r.result.render(1).find("\\_ [OK] version: version 36 (minimum 36)") !=
               std::string::npos);
}

BOOST_AUTO_TEST_CASE(min_version_token_without_version_is_warning)
{
    FakeHttpClient client;
    const Run r = run_min_version(
        "36",
        http_response(200, "OK",
                      R"({"status":"success","result":{"token":"T0KEN-without-version",)"
                      R"("expires":"120","role":"HOST"}})"),
        client);
    BOOST_TEST(name_of(r.result.state()) == name_of(State::warning));
    BOOST_TEST(summary_line(r.result).rfind(
                   "PEXIP TOKEN WARNING: node reported no version (minimum 36), token issued", 0) ==
                   0U,
               summary_line(r.result));
}

BOOST_AUTO_TEST_CASE(min_version_is_not_judged_without_a_token)
{
    FakeHttpClient client;
    const Run r = run_min_version(
        "99", http_response(403, "Forbidden", read_data_file("pin_guest_none.json")), client);
    BOOST_TEST(summary_line(r.result).find("version") == std::string::npos);
    BOOST_TEST(client.unused_replies() == 1U); // no token, so no release either
}

// ---------------------------------------------------------------------------------------------
// -C over the chain (v2): the chain comes through the HttpClient seam

BOOST_AUTO_TEST_CASE(certificate_chain_from_the_client_names_the_intermediate)
{
    cpt::HttpResponse reply = token_reply("token_v36.json");
    reply.cert_not_after = now_unix + 400 * day; // the leaf alone would be fine
    reply.cert_chain = {{"node.example.com", now_unix + 400 * day, false},
                        {"Pexip Test Intermediate CA", now_unix + 5 * day + 3600, false},
                        {"Pexip Test Root CA", now_unix + day, true}};
    FakeHttpClient client;
    client.then(reply).then(released_reply());
    const Run r = run(cert_options(30, std::nullopt), client);
    BOOST_TEST(name_of(r.result.state()) == name_of(State::warning));
    BOOST_TEST(summary_line(r.result) ==
               "PEXIP TOKEN WARNING: certificate expires in 5 days: intermediate 'Pexip Test "
               "Intermediate CA' (warning below 30 days), " +
                   v36_primary);
    BOOST_TEST(has_perf_item(r.result, "'cert_days'=5;30:"));
    const std::string v1 = r.result.render(1);
    BOOST_TEST(v1.find("\ncertificate 3 of 3: root 'Pexip Test Root CA' expires ") !=
               std::string::npos);
    BOOST_TEST(r.result.render(0).find("certificate 1 of 3") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(certificate_chain_on_a_transport_error_still_gives_cert_days)
{
    cpt::TransportError error;
    error.kind = TransportErrorKind::protocol;
    error.message = "Empty reply from server";
    error.cert_chain = {{"node.example.com", now_unix + 3 * day + 60, false}};
    FakeHttpClient client;
    client.then(error);
    const Run r = run(cert_options(30, 14), client);
    BOOST_TEST(perfdata_of(r.result) == "'cert_days'=3;30:;14:");
    BOOST_TEST(summary_line(r.result).find(
                   "certificate expires in 3 days: leaf 'node.example.com' (critical below 14 "
                   "days)") != std::string::npos,
               summary_line(r.result));
}

BOOST_AUTO_TEST_SUITE_END()
