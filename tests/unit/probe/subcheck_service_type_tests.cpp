// SPDX-License-Identifier: GPL-3.0-or-later
// --expect-service-type against the token's service types.
#include "probe/subcheck_service_type.hpp"
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

struct TypeCase
{
    const char* expected;
    const char* current;
    const char* service_type;
    State state;
    const char* summary;
};

// A locked room reports current waiting_room but service_type conference: a match.
const TypeCase type_cases[] = {
    {"test_call", "test_call", "", State::ok, "service type test_call"},
    {"conference", "waiting_room", "conference", State::ok, "service type conference"},
    {"conference", "test_call", "", State::warning, "service type test_call, expected conference"},
    {"conference", "", "", State::warning, "service type unknown, expected conference"},
};

BOOST_AUTO_TEST_CASE(verdicts)
{
    for (const TypeCase& c : type_cases) {
        BOOST_TEST_CONTEXT(c.expected << " vs " << c.current << "/" << c.service_type)
        {
            const auto sub = cpt::check_service_type(c.expected, grant(c.current, c.service_type));
            BOOST_TEST_REQUIRE(sub.has_value());
            BOOST_TEST(name_of(sub->state) == name_of(c.state));
            BOOST_TEST(sub->summary == c.summary);
        }
    }
}

BOOST_AUTO_TEST_SUITE_END()
