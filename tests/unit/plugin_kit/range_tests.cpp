// SPDX-License-Identifier: GPL-3.0-or-later
// Nagios threshold ranges: parsing, endpoint semantics, rejected specs, verbatim text.
#include "plugin_kit/range.hpp"

#include <boost/test/data/monomorphic.hpp>
#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include <ostream>
#include <string>
#include <vector>

namespace bdata = boost::unit_test::data;

namespace {

struct AlertCase
{
    const char* spec;
    double value;
    bool alerts;
};

std::ostream& operator<<(std::ostream& out, const AlertCase& c)
{
    return out << "range '" << c.spec << "' value " << c.value << " alerts=" << c.alerts;
}

// Endpoints are inclusive: never alert on an endpoint without '@', always with it.
const std::vector<AlertCase> alert_cases = {
    // "10": 0..10
    {"10", -0.001, true},
    {"10", 0.0, false},
    {"10", 0.001, false},
    {"10", 9.999, false},
    {"10", 10.0, false},
    {"10", 10.001, true},
    {"10", -5.0, true},
    // "10:": 10..inf
    {"10:", 9.999, true},
    {"10:", 10.0, false},
    {"10:", 10.001, false},
    {"10:", 1e9, false},
    {"10:", -10.0, true},
    // "~:10": -inf..10
    {"~:10", -1e9, false},
    {"~:10", 9.999, false},
    {"~:10", 10.0, false},
    {"~:10", 10.001, true},
    // "10:20"
    {"10:20", 9.999, true},
    {"10:20", 10.0, false},
    {"10:20", 10.001, false},
    {"10:20", 15.0, false},
    {"10:20", 19.999, false},
    {"10:20", 20.0, false},
    {"10:20", 20.001, true},
    // "@10:20": alert inside, endpoints included
    {"@10:20", 9.999, false},
    {"@10:20", 10.0, true},
    {"@10:20", 10.001, true},
    {"@10:20", 19.999, true},
    {"@10:20", 20.0, true},
    {"@10:20", 20.001, false},
    // ":10": an empty start is 0
    {":10", -0.001, true},
    {":10", 0.0, false},
    {":10", 10.0, false},
    {":10", 10.001, true},
    // "@10": inside 0..10
    {"@10", -0.001, false},
    {"@10", 0.0, true},
    {"@10", 10.0, true},
    {"@10", 10.001, false},
    // a single point
    {"10:10", 9.999, true},
    {"10:10", 10.0, false},
    {"10:10", 10.001, true},
    // negative ranges
    {"-5:5", -5.001, true},
    {"-5:5", -5.0, false},
    {"-5:5", 0.0, false},
    {"-5:5", 5.0, false},
    {"-5:5", 5.001, true},
    {"-10:-5", -10.001, true},
    {"-10:-5", -10.0, false},
    {"-10:-5", -5.0, false},
    {"-10:-5", -4.999, true},
    {"~:-5", -1e9, false},
    {"~:-5", -5.0, false},
    {"~:-5", -4.999, true},
    {"-5:", -5.001, true},
    {"-5:", -5.0, false},
    {"@-5:5", -5.001, false},
    {"@-5:5", -5.0, true},
    {"@-5:5", 5.0, true},
    {"@-5:5", 5.001, false},
    // decimals
    {"0.5", -0.001, true},
    {"0.5", 0.0, false},
    {"0.5", 0.5, false},
    {"0.5", 0.501, true},
    {"0.25:1.75", 0.249, true},
    {"0.25:1.75", 0.25, false},
    {"0.25:1.75", 1.75, false},
    {"0.25:1.75", 1.751, true},
    {"@1.5:", 1.499, false},
    {"@1.5:", 1.5, true},
    {"@1.5:", 1e6, true},
    {"@~:0.1", -1e9, true},
    {"@~:0.1", 0.1, true},
    {"@~:0.1", 0.101, false},
    {"-0.5:0.5", -0.501, true},
    {"-0.5:0.5", -0.5, false},
    {"-0.5:0.5", 0.5, false},
    {"-0.5:0.5", 0.501, true},
    // both ends open: never alerts
    {"~:", -1e9, false},
    {"~:", 1e9, false},
};

struct ShapeCase
{
    const char* spec;
    double start;
    double end;
    bool start_infinite;
    bool end_infinite;
    bool alert_inside;
};

std::ostream& operator<<(std::ostream& out, const ShapeCase& c)
{
    return out << "range '" << c.spec << "'";
}

const std::vector<ShapeCase> shape_cases = {
    {"10", 0.0, 10.0, false, false, false},         {"10:", 10.0, 0.0, false, true, false},
    {"~:10", 0.0, 10.0, true, false, false},        {"10:20", 10.0, 20.0, false, false, false},
    {"@10:20", 10.0, 20.0, false, false, true},     {":10", 0.0, 10.0, false, false, false},
    {"-5:5", -5.0, 5.0, false, false, false},       {"@-10:-5", -10.0, -5.0, false, false, true},
    {"0.25:1.75", 0.25, 1.75, false, false, false},
};

const std::vector<std::string> invalid_specs = {
    "5:2", "",    "@",   "abc",  "1:x",  "1e3", "inf", "nan", "x:1",   "1:2:3", "~",      "10~",
    " 10", "10 ", "1,5", "-inf", "0x10", "@@1", "--1", "1-2", "~:1e3", "@5:2",  "-5:-10", "1:inf",
};

struct VerbatimCase
{
    const char* spec;
};

std::ostream& operator<<(std::ostream& out, const VerbatimCase& c)
{
    return out << "range '" << c.spec << "'";
}

const std::vector<VerbatimCase> verbatim_cases = {
    {"10"},  {"10:"},  {"~:10"}, {"10:20"},  {"@10:20"},
    {":10"}, {"-5:5"}, {"0.50"}, {"@~:0.1"}, {"1.000:2.50"},
};

} // namespace

BOOST_AUTO_TEST_SUITE(range)

BOOST_DATA_TEST_CASE(alerts_at_and_around_every_endpoint, bdata::make(alert_cases), sample)
{
    std::string error;
    const auto range = cpt::parse_range(sample.spec, error);
    BOOST_TEST_REQUIRE(range.has_value(), "'" << sample.spec << "' rejected: " << error);
    BOOST_TEST(range->alerts(sample.value) == sample.alerts);
}

BOOST_DATA_TEST_CASE(parsed_shape, bdata::make(shape_cases), sample)
{
    std::string error;
    const auto range = cpt::parse_range(sample.spec, error);
    BOOST_TEST_REQUIRE(range.has_value(), "'" << sample.spec << "' rejected: " << error);
    BOOST_TEST(range->start_infinite == sample.start_infinite);
    BOOST_TEST(range->end_infinite == sample.end_infinite);
    BOOST_TEST(range->alert_inside == sample.alert_inside);
    if (!sample.start_infinite) {
        BOOST_TEST(range->start == sample.start);
    }
    if (!sample.end_infinite) {
        BOOST_TEST(range->end == sample.end);
    }
}

BOOST_DATA_TEST_CASE(invalid_specs_are_rejected_with_a_reason, bdata::make(invalid_specs), spec)
{
    std::string error;
    const auto range = cpt::parse_range(spec, error);
    BOOST_TEST(!range.has_value(), "'" << spec << "' was accepted");
    BOOST_TEST(!error.empty(), "no error text for '" << spec << "'");
    BOOST_TEST(error.find('\n') == std::string::npos);
}

BOOST_DATA_TEST_CASE(text_is_kept_verbatim, bdata::make(verbatim_cases), sample)
{
    std::string error;
    const auto range = cpt::parse_range(sample.spec, error);
    BOOST_TEST_REQUIRE(range.has_value(), "'" << sample.spec << "' rejected: " << error);
    BOOST_TEST(range->text == sample.spec);
}

BOOST_AUTO_TEST_CASE(start_greater_than_end_names_the_problem)
{
    std::string error;
    BOOST_TEST(!cpt::parse_range("5:2", error).has_value());
    BOOST_TEST(!error.empty());
}

BOOST_AUTO_TEST_SUITE_END()
