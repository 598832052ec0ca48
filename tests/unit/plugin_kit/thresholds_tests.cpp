// SPDX-License-Identifier: GPL-3.0-or-later
// Warning/critical evaluation: critical first, then warning, else OK; either may be absent.
#include "plugin_kit/thresholds.hpp"
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

struct Case
{
    const char* warn; ///< "" = no -w
    const char* crit; ///< "" = no -c
    double value;
    State expected;
};

std::ostream& operator<<(std::ostream& out, const Case& c)
{
    return out << "-w '" << c.warn << "' -c '" << c.crit << "' value " << c.value << " -> "
               << cpt::state_name(c.expected);
}

const std::vector<Case> cases = {
    // -w 10 -c 20 (MPG: CRITICAL above 20, WARNING above 10, negative values CRITICAL)
    {"10", "20", -1.0, State::critical},
    {"10", "20", 0.0, State::ok},
    {"10", "20", 5.0, State::ok},
    {"10", "20", 10.0, State::ok},
    {"10", "20", 10.001, State::warning},
    {"10", "20", 20.0, State::warning},
    {"10", "20", 20.001, State::critical},
    // critical wins when both alert
    {"@0:100", "5", 6.0, State::critical},
    {"@0:100", "5", 4.0, State::warning},
    {"1", "1", 1.5, State::critical},
    // inside ranges
    {"@10:20", "@15:20", 12.0, State::warning},
    {"@10:20", "@15:20", 16.0, State::critical},
    {"@10:20", "@15:20", 25.0, State::ok},
    // -c alone
    {"", "1:", 0.5, State::critical},
    {"", "1:", 1.0, State::ok},
    {"", "1:", 100.0, State::ok},
    {"", "2", 2.5, State::critical},
    {"", "2", 1.0, State::ok},
    // -w alone
    {"1", "", 1.5, State::warning},
    {"1", "", 0.5, State::ok},
    {"1", "", -0.5, State::warning},
    {"~:0.25", "", 0.3, State::warning},
    // neither
    {"", "", -1e9, State::ok},
    {"", "", 1e9, State::ok},
};

cpt::Thresholds make(const Case& c)
{
    cpt::Thresholds thresholds;
    std::string error;
    if (*c.warn != '\0') {
        thresholds.warning = cpt::parse_range(c.warn, error);
    }
    if (*c.crit != '\0') {
        thresholds.critical = cpt::parse_range(c.crit, error);
    }
    return thresholds;
}

} // namespace

BOOST_AUTO_TEST_SUITE(thresholds)

BOOST_DATA_TEST_CASE(value_warn_crit_table, bdata::make(cases), sample)
{
    const cpt::Thresholds thresholds = make(sample);
    BOOST_TEST_REQUIRE((*sample.warn == '\0') != thresholds.warning.has_value());
    BOOST_TEST_REQUIRE((*sample.crit == '\0') != thresholds.critical.has_value());
    BOOST_TEST(name_of(thresholds.evaluate(sample.value)) == name_of(sample.expected));
}

BOOST_AUTO_TEST_CASE(critical_wins_over_warning)
{
    std::string error;
    cpt::Thresholds thresholds;
    thresholds.warning = cpt::parse_range("1", error);
    thresholds.critical = cpt::parse_range("2", error);
    BOOST_TEST(name_of(thresholds.evaluate(3.0)) == "CRITICAL");
    BOOST_TEST(name_of(thresholds.evaluate(1.5)) == "WARNING");
    BOOST_TEST(name_of(thresholds.evaluate(0.5)) == "OK");
}

BOOST_AUTO_TEST_CASE(critical_alone_never_gives_warning)
{
    std::string error;
    cpt::Thresholds thresholds;
    thresholds.critical = cpt::parse_range("10", error);
    for (double value : {-1.0, 0.0, 5.0, 10.0, 11.0, 1e6}) {
        BOOST_TEST(name_of(thresholds.evaluate(value)) != "WARNING");
    }
}

BOOST_AUTO_TEST_CASE(warning_alone_never_gives_critical)
{
    std::string error;
    cpt::Thresholds thresholds;
    thresholds.warning = cpt::parse_range("10", error);
    for (double value : {-1.0, 0.0, 5.0, 10.0, 11.0, 1e6}) {
        BOOST_TEST(name_of(thresholds.evaluate(value)) != "CRITICAL");
    }
}

BOOST_AUTO_TEST_CASE(no_thresholds_is_always_ok)
{
    const cpt::Thresholds thresholds;
    BOOST_TEST(name_of(thresholds.evaluate(0.0)) == "OK");
    BOOST_TEST(name_of(thresholds.evaluate(-1.0)) == "OK");
    BOOST_TEST(name_of(thresholds.evaluate(1e12)) == "OK");
}

BOOST_AUTO_TEST_SUITE_END()
