// SPDX-License-Identifier: GPL-3.0-or-later
// --events through the probe: the request, the five outcomes of the contract's event stream
// table, time_events, the release on every path, and no token in any output.
#include "fake_http_client.hpp"
#include "probe/probe.hpp"
#include "probe/subcheck_events.hpp"
#include "test_support.hpp"

#include <boost/test/data/monomorphic.hpp>
#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include <ostream>
#include <string>
#include <vector>

namespace bdata = boost::unit_test::data;
using cpt::State;
using cpt::StreamEnd;
using cpt_test::FakeHttpClient;
using cpt_test::followup_response;
using cpt_test::header_value;
using cpt_test::http_response;
using cpt_test::name_of;
using cpt_test::read_data_file;
using Stream = cpt_test::FakeHttpClient::ScriptedStream;

namespace {

const std::string v36_token = "FAKE-v36-token_AbCdEfGhIjKlMnOp-qrstuvwxyz0123456789=";
const std::string events_path = "/api/client/v2/conferences/meet/events";
const std::string own_uuid = "614221f4-3a5c-4d1f-8df6-3ae27188df54"; // token_v36.json's

cpt::ProbeSettings events_options()
{
    cpt::ProbeSettings options;
    options.hostname = "node.example.com";
    options.alias = "meet";
    options.timeout_seconds = 8.0;
    options.events = true;
    options.events_wait_seconds = 3.0;
    return options;
}

std::string roster_stream()
{
    return "event: hello\ndata: {}\n\n"
           "event: conference_update\ndata: {\"locked\": false}\n\n"
           "event: participant_sync_begin\ndata: null\n\n"
           "event: participant_create\ndata: {\"uuid\": \"other-1\"}\n\n"
           "event: participant_create\ndata: {\"uuid\": \"" +
           own_uuid +
           "\", \"protocol\": \"api\"}\n\n"
           "event: participant_sync_end\ndata: null\n\n"
           "event: stage\ndata: []\n\n";
}

struct Outcome
{
    const char* name;
    Stream stream;
    State state;
    std::string phrase;
};

std::ostream& operator<<(std::ostream& out, const Outcome& c)
{
    return out << c.name;
}

Stream stream_of(std::vector<std::pair<std::string, double>> chunks, StreamEnd end,
                 long status = 200, std::string reason = "OK",
                 std::string content_type = "text/event-stream")
{
    Stream s;
    s.status = status;
    s.reason = std::move(reason);
    s.content_type = std::move(content_type);
    s.chunks = std::move(chunks);
    s.end = end;
    return s;
}

Stream failed_stream()
{
    Stream s;
    s.error =
        cpt::TransportError{cpt::TransportErrorKind::connect, "Connection refused", {}, {}, {}};
    return s;
}

const std::vector<Outcome> outcomes = {
    {"roster", stream_of({{roster_stream(), 0.012}}, StreamEnd::wait_over), State::ok,
     "roster of 2 participants (this probe among them) in 0.012 s"},
    {"disconnect",
     stream_of(
         {{"event: disconnect\ndata: {\"reason\": \"Out of transcoding resource\"}\n\n", 0.02}},
         StreamEnd::wait_over),
     State::critical, "node ended the session: Out of transcoding resource"},
    {"silent", stream_of({}, StreamEnd::wait_over), State::warning,
     "event stream silent: no participant_sync_end within 3 s"},
    {"closed",
     stream_of({{"event: participant_sync_begin\ndata: null\n\n", 0.01}}, StreamEnd::closed),
     State::critical, "event stream closed before participant_sync_end"},
    {"refused 502",
     stream_of({{"<html>Bad Gateway</html>", 0.01}}, StreamEnd::closed, 502, "Bad Gateway",
               "text/html"),
     State::critical, "event stream refused (HTTP 502 Bad Gateway)"},
    {"refused content type",
     stream_of({{"{}", 0.01}}, StreamEnd::closed, 200, "OK", "application/json"), State::critical,
     "event stream refused (HTTP 200 OK, Content-Type 'application/json')"},
    {"byte cap", stream_of({{std::string(2 * 1024 * 1024, ':'), 0.5}}, StreamEnd::wait_over),
     State::warning, "event stream silent: no participant_sync_end in the first 1 MiB"},
    {"no connection", failed_stream(), State::critical,
     "event stream closed before a response: Connection refused"},
};

} // namespace

BOOST_AUTO_TEST_SUITE(subcheck_events)

BOOST_DATA_TEST_CASE(each_outcome_with_the_token_released, bdata::make(outcomes), c)
{
    FakeHttpClient client;
    client.then(http_response(200, "OK", read_data_file("token_v36.json")))
        .then_stream(c.stream)
        .then(followup_response(200, "OK", read_data_file("release_true.json")));
    cpt::ProbeEnvironment environment;
    const cpt::CheckResult result = cpt::run_probe(events_options(), client, environment);

    BOOST_TEST(name_of(result.state()) == name_of(c.state));
    const std::string output = result.render(3);
    BOOST_TEST(output.find(c.phrase) != std::string::npos, output);
    // request_token, the events request, release_token: in that order, the release always.
    BOOST_TEST_REQUIRE(client.requests().size() == 3U);
    const cpt::HttpRequest& events = client.requests()[1];
    BOOST_TEST(events.method == "GET");
    BOOST_TEST(events.path == events_path); // never ?token=
    const std::string token = v36_token;
    BOOST_TEST(header_value(events, "token").value_or("") == token);
    BOOST_TEST(header_value(events, "Accept").value_or("") == "text/event-stream");
    BOOST_TEST(client.requests()[2].path == "/api/client/v2/conferences/meet/release_token");
    BOOST_TEST(output.find(token) == std::string::npos);
    BOOST_TEST(output.find("> token: <redacted>") != std::string::npos);
    // time_events only with the roster.
    const bool perf = output.find("'time_events'=") != std::string::npos;
    BOOST_TEST(perf == (c.state == State::ok));
    if (c.state != State::ok) {
        BOOST_TEST(output.find(c.phrase) < output.find('\n'), "the phrase is on line 1");
    }
}

BOOST_AUTO_TEST_CASE(time_events_perfdata_and_limits)
{
    FakeHttpClient client;
    client.then(http_response(200, "OK", read_data_file("token_v36.json")))
        .then_stream(stream_of({{roster_stream(), 0.25}}, StreamEnd::wait_over))
        .then(followup_response(200, "OK", read_data_file("release_true.json")));
    cpt::ProbeSettings options = events_options();
    options.events_wait_seconds = 1.5;
    const cpt::CheckResult result = cpt::run_probe(options, client, cpt::ProbeEnvironment{});
    BOOST_TEST(result.render(0).find("'time_events'=0.250000s;;;0;8") != std::string::npos);
    BOOST_TEST_REQUIRE(client.stream_limits().size() == 1U);
    BOOST_TEST(client.stream_limits()[0].wait_ms == 1500);
    BOOST_TEST(client.stream_limits()[0].reserve_ms == 2000); // min(2 s, -t/4)
    BOOST_TEST(client.stream_limits()[0].max_bytes == 1024U * 1024U);
}

BOOST_AUTO_TEST_CASE(release_reserve_is_a_share_of_the_timeout)
{
    BOOST_TEST(cpt::release_reserve_ms(8.0) == 2000);
    BOOST_TEST(cpt::release_reserve_ms(2.0) == 500);
}

BOOST_AUTO_TEST_CASE(no_events_without_the_option)
{
    FakeHttpClient client;
    client.then(http_response(200, "OK", read_data_file("token_v36.json")))
        .then(followup_response(200, "OK", read_data_file("release_true.json")));
    cpt::ProbeSettings options = events_options();
    options.events = false;
    const cpt::CheckResult result = cpt::run_probe(options, client, cpt::ProbeEnvironment{});
    BOOST_TEST(client.requests().size() == 2U);
    BOOST_TEST(result.render(3).find("events") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_node_that_echoes_the_token_in_the_stream_never_shows_it)
{
    const std::string token = v36_token;
    FakeHttpClient client;
    client.then(http_response(200, "OK", read_data_file("token_v36.json")))
        .then_stream(
            stream_of({{"event: disconnect\ndata: {\"reason\": \"bad " + token + "\"}\n\n", 0.01}},
                      StreamEnd::wait_over, 200, "OK " + token))
        .then(followup_response(200, "OK", read_data_file("release_true.json")));
    const cpt::CheckResult result =
        cpt::run_probe(events_options(), client, cpt::ProbeEnvironment{});
    const std::string output = result.render(3);
    BOOST_TEST(output.find(token) == std::string::npos);
    BOOST_TEST(output.find(token.substr(0, 16)) == std::string::npos);
    BOOST_TEST(output.find("node ended the session: bad <redacted>") != std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()
