// SPDX-License-Identifier: GPL-3.0-or-later
// -w/-c on the response time: which range alerts, its wording, and the time perfdata.
#include "probe/subcheck_time.hpp"
#include "test_support.hpp"

#include <boost/test/unit_test.hpp>

#include <string>

using cpt::State;
using cpt_test::name_of;

namespace {

cpt::Range range(const char* text)
{
    std::string error;
    auto parsed = cpt::parse_range(text, error);
    BOOST_TEST_REQUIRE(parsed.has_value(), error);
    return *parsed;
}

cpt::Thresholds thresholds(const char* warning, const char* critical)
{
    cpt::Thresholds t;
    if (warning != nullptr) {
        t.warning = range(warning);
    }
    if (critical != nullptr) {
        t.critical = range(critical);
    }
    return t;
}

} // namespace

BOOST_AUTO_TEST_SUITE(subcheck_time)

BOOST_AUTO_TEST_CASE(no_alert_says_nothing)
{
    BOOST_TEST(!cpt::check_response_time(thresholds("1", "2"), 0.5).has_value());
    BOOST_TEST(!cpt::check_response_time(cpt::Thresholds{}, 99.0).has_value());
}

BOOST_AUTO_TEST_CASE(warning_outside)
{
    const auto sub = cpt::check_response_time(thresholds("1", "2"), 1.5);
    BOOST_TEST_REQUIRE(sub.has_value());
    BOOST_TEST(name_of(sub->state) == name_of(State::warning));
    BOOST_TEST(sub->name == "time");
    BOOST_TEST(sub->summary == "response time 1.500 s outside warning range 1");
    BOOST_TEST(!sub->primary);
}

BOOST_AUTO_TEST_CASE(critical_wins_over_warning)
{
    const auto sub = cpt::check_response_time(thresholds("1", "2"), 2.25);
    BOOST_TEST_REQUIRE(sub.has_value());
    BOOST_TEST(name_of(sub->state) == name_of(State::critical));
    BOOST_TEST(sub->summary == "response time 2.250 s outside critical range 2");
}

BOOST_AUTO_TEST_CASE(inside_range_says_inside)
{
    const auto sub = cpt::check_response_time(thresholds("@1:2", nullptr), 1.5);
    BOOST_TEST_REQUIRE(sub.has_value());
    BOOST_TEST(sub->summary == "response time 1.500 s inside warning range @1:2");
}

BOOST_AUTO_TEST_CASE(exchange_perfdata_carries_thresholds_verbatim_on_time_only)
{
    cpt::PhaseTimings timings;
    timings.dns = 0.001;
    timings.total = 0.042;
    const auto perf = cpt::exchange_perfdata(timings, thresholds("~:1", "2"), 8.0);
    BOOST_TEST_REQUIRE(perf.size() == 6U);
    BOOST_TEST(cpt::format_perfdata(perf[0]) == "'time'=0.042000s;~:1;2;0;8");
    BOOST_TEST(cpt::format_perfdata(perf[1]) == "'time_dns'=0.001000s;;;0;8");
    const char* labels[] = {"time",     "time_dns",    "time_connect",
                            "time_tls", "time_server", "time_transfer"};
    for (std::size_t i = 0; i < perf.size(); ++i) {
        BOOST_TEST(perf[i].label == labels[i]);
    }
}

BOOST_AUTO_TEST_CASE(time_perfdata_max_is_the_timeout)
{
    BOOST_TEST(cpt::format_perfdata(cpt::time_perfdata("time_release", 0.01, 2.5)) ==
               "'time_release'=0.010000s;;;0;2.5");
}

BOOST_AUTO_TEST_SUITE_END()
