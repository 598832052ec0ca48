// SPDX-License-Identifier: GPL-3.0-or-later
// --expect-service-type against the token's service types.
#include "subcheck_service_type.hpp"
#include "test_support.hpp"

#include <boost/test/unit_test.hpp>

using cpt::State;
using cpt_test::name_of;

namespace {

cpt::TokenGrant grant(const char* current, const char* service_type)
{
    cpt::TokenGrant g;
    g.current_service_type = current;
    g.service_type = service_type;
    return g;
}

} // namespace

BOOST_AUTO_TEST_SUITE(subcheck_service_type)

BOOST_AUTO_TEST_CASE(not_asked_says_nothing)
{
    BOOST_TEST(!cpt::check_service_type("", grant("conference", "")).has_value());
}

BOOST_AUTO_TEST_CASE(match_is_ok)
{
    const auto sub = cpt::check_service_type("test_call", grant("test_call", ""));
    BOOST_TEST_REQUIRE(sub.has_value());
    BOOST_TEST(name_of(sub->state) == name_of(State::ok));
    BOOST_TEST(sub->summary == "service type test_call");
}

BOOST_AUTO_TEST_CASE(locked_room_matches_on_service_type)
{
    const auto sub = cpt::check_service_type("conference", grant("waiting_room", "conference"));
    BOOST_TEST_REQUIRE(sub.has_value());
    BOOST_TEST(name_of(sub->state) == name_of(State::ok));
}

BOOST_AUTO_TEST_CASE(mismatch_is_warning)
{
    const auto sub = cpt::check_service_type("conference", grant("test_call", ""));
    BOOST_TEST_REQUIRE(sub.has_value());
    BOOST_TEST(name_of(sub->state) == name_of(State::warning));
    BOOST_TEST(sub->summary == "service type test_call, expected conference");
}

BOOST_AUTO_TEST_CASE(missing_type_is_unknown_text)
{
    const auto sub = cpt::check_service_type("conference", grant("", ""));
    BOOST_TEST_REQUIRE(sub.has_value());
    BOOST_TEST(sub->summary == "service type unknown, expected conference");
}

BOOST_AUTO_TEST_SUITE_END()
