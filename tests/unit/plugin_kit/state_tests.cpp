// SPDX-License-Identifier: GPL-3.0-or-later
// The four states: names, exit codes, parsing --*-result values, worst-of ordering.
#include "plugin_kit/state.hpp"
#include "test_support.hpp"

#include <boost/test/data/monomorphic.hpp>
#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include <ostream>
#include <string>
#include <vector>

namespace bdata = boost::unit_test::data;
using cpt::State;
using cpt_test::name_of;

namespace {

struct ParseCase
{
    const char* text;
    State expected;
};

std::ostream& operator<<(std::ostream& out, const ParseCase& c)
{
    return out << "'" << c.text << "' -> " << cpt::state_name(c.expected);
}

const std::vector<ParseCase> valid_words = {
    {"OK", State::ok},
    {"ok", State::ok},
    {"Ok", State::ok},
    {"oK", State::ok},
    {"WARNING", State::warning},
    {"warning", State::warning},
    {"Warning", State::warning},
    {"wArNiNg", State::warning},
    {"CRITICAL", State::critical},
    {"critical", State::critical},
    {"Critical", State::critical},
    {"UNKNOWN", State::unknown},
    {"unknown", State::unknown},
    {"UnKnOwN", State::unknown},
    {"0", State::ok},
    {"1", State::warning},
    {"2", State::critical},
    {"3", State::unknown},
};

const std::vector<std::string> invalid_words = {
    "",     "4",        "-1",  "00",   "01",  " ok",  "ok ",   "ok\n",
    "WARN", "CRIT",     "UNK", "okay", "1.0", "+1",   "O K",   "pending",
    "3 ",   "WARNINGS", "10",  "OK,",  "0x1", "null", "error", "CRITICAL\r",
};

struct WorseCase
{
    State a;
    State b;
    State expected;
};

std::ostream& operator<<(std::ostream& out, const WorseCase& c)
{
    return out << "worse(" << cpt::state_name(c.a) << ", " << cpt::state_name(c.b)
               << ") = " << cpt::state_name(c.expected);
}

// OK < UNKNOWN < WARNING < CRITICAL (monitoring-plugins' max_state_alt).
const std::vector<WorseCase> worse_cases = {
    {State::ok, State::ok, State::ok},
    {State::ok, State::unknown, State::unknown},
    {State::ok, State::warning, State::warning},
    {State::ok, State::critical, State::critical},
    {State::unknown, State::ok, State::unknown},
    {State::unknown, State::unknown, State::unknown},
    {State::unknown, State::warning, State::warning},
    {State::unknown, State::critical, State::critical},
    {State::warning, State::ok, State::warning},
    {State::warning, State::unknown, State::warning},
    {State::warning, State::warning, State::warning},
    {State::warning, State::critical, State::critical},
    {State::critical, State::ok, State::critical},
    {State::critical, State::unknown, State::critical},
    {State::critical, State::warning, State::critical},
    {State::critical, State::critical, State::critical},
};

} // namespace

BOOST_AUTO_TEST_SUITE(state)

BOOST_AUTO_TEST_CASE(exit_codes_are_the_enum_values)
{
    BOOST_TEST(static_cast<int>(State::ok) == 0);
    BOOST_TEST(static_cast<int>(State::warning) == 1);
    BOOST_TEST(static_cast<int>(State::critical) == 2);
    BOOST_TEST(static_cast<int>(State::unknown) == 3);
}

BOOST_AUTO_TEST_CASE(state_names)
{
    BOOST_TEST(std::string(cpt::state_name(State::ok)) == "OK");
    BOOST_TEST(std::string(cpt::state_name(State::warning)) == "WARNING");
    BOOST_TEST(std::string(cpt::state_name(State::critical)) == "CRITICAL");
    BOOST_TEST(std::string(cpt::state_name(State::unknown)) == "UNKNOWN");
}

BOOST_DATA_TEST_CASE(parse_state_accepts_words_in_any_case_and_digits, bdata::make(valid_words),
                     sample)
{
    const auto state = cpt::parse_state(sample.text);
    BOOST_TEST_REQUIRE(state.has_value(), "'" << sample.text << "' rejected");
    BOOST_TEST(name_of(*state) == name_of(sample.expected));
}

BOOST_DATA_TEST_CASE(parse_state_rejects_everything_else, bdata::make(invalid_words), text)
{
    BOOST_TEST(!cpt::parse_state(text).has_value(), "'" << text << "' accepted");
}

BOOST_AUTO_TEST_CASE(parse_state_rejects_embedded_nul)
{
    BOOST_TEST(!cpt::parse_state(std::string("OK\0", 3)).has_value());
}

BOOST_AUTO_TEST_CASE(parse_state_round_trips_state_name)
{
    for (State state : {State::ok, State::warning, State::critical, State::unknown}) {
        const auto parsed = cpt::parse_state(cpt::state_name(state));
        BOOST_TEST_REQUIRE(parsed.has_value());
        BOOST_TEST(name_of(*parsed) == name_of(state));
    }
}

BOOST_DATA_TEST_CASE(worse_ranks_ok_unknown_warning_critical, bdata::make(worse_cases), sample)
{
    BOOST_TEST(name_of(cpt::worse(sample.a, sample.b)) == name_of(sample.expected));
}

BOOST_AUTO_TEST_CASE(severity_order)
{
    BOOST_TEST(cpt::severity(State::ok) < cpt::severity(State::unknown));
    BOOST_TEST(cpt::severity(State::unknown) < cpt::severity(State::warning));
    BOOST_TEST(cpt::severity(State::warning) < cpt::severity(State::critical));
}

BOOST_AUTO_TEST_SUITE_END()
