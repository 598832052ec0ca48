// SPDX-License-Identifier: GPL-3.0-or-later
// The server-sent events parser (HTML standard, "Interpreting an event stream") and the roster
// Pexip's clients build from it.
#include "pexip/event_roster.hpp"
#include "pexip/event_stream.hpp"

#include <boost/test/data/monomorphic.hpp>
#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include <ostream>
#include <string>
#include <vector>

namespace bdata = boost::unit_test::data;
using cpt::EventRoster;
using cpt::EventStreamParser;
using cpt::ServerSentEvent;
using namespace std::string_literals;

namespace {

std::vector<ServerSentEvent> parse_all(const std::string& text)
{
    EventStreamParser parser;
    std::vector<ServerSentEvent> events;
    parser.feed(text, events);
    return events;
}

/// The same text fed one byte at a time: the result must not depend on chunking.
std::vector<ServerSentEvent> parse_bytewise(const std::string& text)
{
    EventStreamParser parser;
    std::vector<ServerSentEvent> events;
    for (const char c : text) {
        parser.feed(std::string_view(&c, 1), events);
    }
    return events;
}

std::string describe(const std::vector<ServerSentEvent>& events)
{
    std::string out;
    for (const auto& event : events) {
        out += "[" + event.type + "|" + event.data + "|" + event.id + "]";
    }
    return out;
}

struct ParseCase
{
    const char* name;
    std::string stream;
    std::string expected;
};

std::ostream& operator<<(std::ostream& out, const ParseCase& c)
{
    return out << c.name;
}

const std::vector<ParseCase> parse_cases = {
    {"LF", "event: hello\ndata: {}\n\n", "[hello|{}|]"},
    {"CRLF", "event: hello\r\ndata: {}\r\n\r\n", "[hello|{}|]"},
    {"CR", "event: hello\rdata: {}\r\r", "[hello|{}|]"},
    {"mixed line ends", "event: a\r\ndata: 1\n\revent: b\rdata: 2\r\n\n", "[a|1|][b|2|]"},
    {"no event field is message", "data: x\n\n", "[message|x|]"},
    {"multi-line data joined by LF", "data: a\ndata: b\ndata:\n\n", "[message|a\nb\n|]"},
    {"one leading space stripped, not two", "data:  two\n\n", "[message| two|]"},
    {"no space after the colon", "data:x\n\n", "[message|x|]"},
    {"comment skipped", ": keep-alive\n\ndata: y\n\n", "[message|y|]"},
    {"no data: not dispatched", "event: ping\n\n", ""},
    {"empty data: dispatched", "event: ping\ndata\n\n", "[ping||]"},
    {"field without colon", "data\ndata\n\n", "[message|\n|]"},
    {"event type reset after dispatch", "event: a\ndata: 1\n\ndata: 2\n\n", "[a|1|][message|2|]"},
    {"id carried", "id: 7\ndata: 1\n\ndata: 2\n\n", "[message|1|7][message|2|7]"},
    {"id with NUL ignored", "id: 7\ndata: 1\n\nid: 8\0x\ndata: 2\n\n"s,
     "[message|1|7][message|2|7]"},
    {"unfinished event at the end dropped", "data: 1\n\ndata: 2\n", "[message|1|]"},
    {"BOM dropped",
     "\xEF\xBB\xBF"
     "data: b\n\n",
     "[message|b|]"},
    {"only the first BOM",
     "\xEF\xBB\xBF\xEF\xBB\xBF"
     "data: b\n\n",
     ""},
    {"not a BOM",
     "\xEF\xBB"
     "data: b\n\n",
     ""},
    {"retry and unknown fields ignored", "retry: 10\nfoo: bar\ndata: z\n\n", "[message|z|]"},
    {"field names are case-sensitive", "Data: no\nEVENT: x\ndata: yes\n\n", "[message|yes|]"},
    {"colon in the value kept", "data: a: b\n\n", "[message|a: b|]"},
    {"space before colon is part of the name", "data : x\ndata: y\n\n", "[message|y|]"},
};

} // namespace

BOOST_AUTO_TEST_SUITE(event_stream)

BOOST_DATA_TEST_CASE(parses_as_the_standard_says, bdata::make(parse_cases), c)
{
    BOOST_TEST(describe(parse_all(c.stream)) == c.expected);
    BOOST_TEST(describe(parse_bytewise(c.stream)) == c.expected);
}

BOOST_AUTO_TEST_CASE(crlf_split_across_chunks_is_one_line_end)
{
    EventStreamParser parser;
    std::vector<ServerSentEvent> events;
    parser.feed("data: 1\r", events);
    parser.feed("\ndata: 2\r", events);
    parser.feed("\n\r", events);
    parser.feed("\n", events);
    BOOST_TEST(describe(events) == "[message|1\n2|]");
    BOOST_TEST(parser.lines() == 3U);
}

BOOST_AUTO_TEST_CASE(counts_comments)
{
    EventStreamParser parser;
    std::vector<ServerSentEvent> events;
    parser.feed(":a\n:b\n\n", events);
    BOOST_TEST(parser.comments() == 2U);
    BOOST_TEST(events.empty());
}

BOOST_AUTO_TEST_CASE(a_huge_line_is_cut_and_memory_stays_bounded)
{
    EventStreamParser parser;
    std::vector<ServerSentEvent> events;
    parser.feed("data: ", events);
    const std::string block(64 * 1024, 'x');
    for (int i = 0; i < 32; ++i) { // 2 MiB without a line end
        parser.feed(block, events);
    }
    parser.feed("\n\n", events);
    BOOST_TEST_REQUIRE(events.size() == 1U);
    BOOST_TEST(events[0].truncated);
    BOOST_TEST(events[0].data.size() <= cpt::max_event_bytes);
}

BOOST_AUTO_TEST_CASE(many_data_lines_are_capped)
{
    EventStreamParser parser;
    std::vector<ServerSentEvent> events;
    const std::string line = "data: " + std::string(1000, 'y') + "\n";
    for (int i = 0; i < 200; ++i) {
        parser.feed(line, events);
    }
    parser.feed("\n", events);
    BOOST_TEST_REQUIRE(events.size() == 1U);
    BOOST_TEST(events[0].truncated);
    BOOST_TEST(events[0].data.size() == cpt::max_event_bytes);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(event_roster)

namespace {

ServerSentEvent event(std::string type, std::string data = "{}")
{
    return ServerSentEvent{std::move(type), std::move(data), "", false};
}

} // namespace

BOOST_AUTO_TEST_CASE(counts_the_first_roster_and_finds_the_probe)
{
    EventRoster roster("uuid-2");
    BOOST_TEST(!roster.take(event("hello")));
    BOOST_TEST(!roster.take(event("conference_update", R"({"locked":false})")));
    BOOST_TEST(!roster.take(event("participant_sync_begin")));
    BOOST_TEST(!roster.take(event("participant_create", R"({"uuid":"uuid-1"})")));
    BOOST_TEST(!roster.take(event("ping")));
    BOOST_TEST(!roster.take(event("participant_create", R"({"uuid":"uuid-2"})")));
    BOOST_TEST(!roster.take(event("participant_create", R"({"uuid":"uuid-3"})")));
    BOOST_TEST(!roster.take(event("some_future_event", "not json")));
    BOOST_TEST(roster.take(event("participant_sync_end")));
    BOOST_TEST(roster.complete());
    BOOST_TEST(!roster.disconnected());
    BOOST_TEST(roster.participants() == 3U);
    BOOST_TEST(roster.own_participant_seen());
    BOOST_TEST(roster.events() == 9U);
}

BOOST_AUTO_TEST_CASE(an_empty_roster_is_complete)
{
    EventRoster roster;
    BOOST_TEST(!roster.take(event("participant_sync_begin")));
    BOOST_TEST(roster.take(event("participant_sync_end")));
    BOOST_TEST(roster.participants() == 0U);
    BOOST_TEST(!roster.own_participant_seen());
}

BOOST_AUTO_TEST_CASE(a_participant_twice_counts_once_and_deletes_count_down)
{
    EventRoster roster("x");
    roster.take(event("participant_sync_begin"));
    roster.take(event("participant_create", R"({"uuid":"a"})"));
    roster.take(event("participant_create", R"({"uuid":"a"})"));
    roster.take(event("participant_create", R"({"uuid":"b"})"));
    roster.take(event("participant_delete", R"({"uuid":"b"})"));
    roster.take(event("participant_create", "garbage"));
    roster.take(event("participant_sync_end"));
    BOOST_TEST(roster.participants() == 2U); // "a" and the one without a uuid
    BOOST_TEST(!roster.own_participant_seen());
}

BOOST_AUTO_TEST_CASE(disconnect_ends_it_with_the_reason)
{
    EventRoster roster;
    roster.take(event("participant_sync_begin"));
    BOOST_TEST(roster.take(event("disconnect", R"({"reason":"Out of transcoding resource"})")));
    BOOST_TEST(roster.disconnected());
    BOOST_TEST(!roster.complete());
    BOOST_TEST(roster.disconnect_reason() == "Out of transcoding resource");
    // Nothing after the end changes it.
    BOOST_TEST(roster.take(event("participant_sync_end")));
    BOOST_TEST(!roster.complete());
}

BOOST_AUTO_TEST_CASE(disconnect_without_a_usable_reason)
{
    for (const char* data : {"", "[]", "{\"reason\":5}", "{", "\"text\""}) {
        EventRoster roster;
        BOOST_TEST(roster.take(event("disconnect", data)));
        BOOST_TEST(roster.disconnect_reason().empty());
    }
}

BOOST_AUTO_TEST_CASE(deep_json_does_not_exhaust_the_stack)
{
    const std::string deep = std::string(60000, '[') + std::string(60000, ']');
    EventRoster roster;
    BOOST_TEST(roster.take(event("disconnect", deep)));
    BOOST_TEST(roster.disconnect_reason().empty());
}

BOOST_AUTO_TEST_CASE(pexip_stream_end_to_end)
{
    const std::string stream =
        "event: hello\r\ndata: {}\r\n\r\n"
        ":comment\r\n\r\n"
        "event: participant_sync_begin\r\ndata: null\r\n\r\n"
        "event: participant_create\r\ndata: {\"uuid\":\r\ndata: \"p1\"}\r\n\r\n"
        "event: participant_sync_end\r\ndata: null\r\n\r\n";
    EventStreamParser parser;
    std::vector<ServerSentEvent> events;
    parser.feed(stream, events);
    EventRoster roster("p1");
    bool done = false;
    for (const auto& e : events) {
        done = roster.take(e);
    }
    BOOST_TEST(done);
    BOOST_TEST(roster.participants() == 1U);
    BOOST_TEST(roster.own_participant_seen()); // the multi-line data joined by LF is JSON
}

BOOST_AUTO_TEST_SUITE_END()
