// SPDX-License-Identifier: GPL-3.0-or-later
// Dotted decimal versions: what parses, and the order (36.10 > 36.9 > 36, 9.99 < 36).
#include "base/version_number.hpp"

#include <boost/test/data/monomorphic.hpp>
#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include <string>
#include <vector>

namespace bdata = boost::unit_test::data;

namespace {

cpt::VersionNumber version(const std::string& text)
{
    const auto parsed = cpt::parse_version_number(text);
    BOOST_TEST_REQUIRE(parsed.has_value(), "'" << text << "' did not parse");
    return *parsed;
}

int compare(const std::string& a, const std::string& b)
{
    return cpt::compare_versions(version(a), version(b));
}

} // namespace

BOOST_AUTO_TEST_SUITE(version_number)

BOOST_DATA_TEST_CASE(valid_versions_parse,
                     bdata::make(std::vector<std::string>{"36", "36.1", "36.10.2", "0", "007.1",
                                                          "99999999999999999999999.1",
                                                          "1.2.3.4.5"}),
                     text)
{
    BOOST_TEST(cpt::parse_version_number(text).has_value());
}

BOOST_DATA_TEST_CASE(invalid_versions_do_not_parse,
                     bdata::make(std::vector<std::string>{
                         "", ".", "36.", ".36", "36..1", "36.1b", "v36", "-36", "+36", "36 ", " 36",
                         "36,1", "36\n", std::string("36\0", 3), "\xd9\xa3", std::string(65, '1')}),
                     text)
{
    BOOST_TEST(!cpt::parse_version_number(text).has_value());
}

BOOST_AUTO_TEST_CASE(components_drop_leading_zeros)
{
    const std::vector<std::string> expected = {"7", "0", "10"};
    BOOST_TEST(version("007.000.010").components == expected);
}

BOOST_AUTO_TEST_CASE(order_is_numeric_per_component)
{
    BOOST_TEST(compare("36.10", "36.9") > 0);
    BOOST_TEST(compare("36.9", "36") > 0);
    BOOST_TEST(compare("9.99", "36") < 0);
    BOOST_TEST(compare("36", "37") < 0);
    BOOST_TEST(compare("37", "36.99.99") > 0);
    BOOST_TEST(compare("100", "99") > 0);
    BOOST_TEST(compare("99999999999999999999999", "99999999999999999999998") > 0);
}

BOOST_AUTO_TEST_CASE(missing_components_are_zero)
{
    BOOST_TEST(compare("36", "36.0") == 0);
    BOOST_TEST(compare("36.0.0", "36") == 0);
    BOOST_TEST(compare("036", "36") == 0);
    BOOST_TEST(compare("36.0.1", "36") > 0);
}

BOOST_AUTO_TEST_CASE(order_is_antisymmetric)
{
    const std::vector<std::string> sorted = {"0", "9.99", "36", "36.1", "36.9", "36.10", "37"};
    for (std::size_t i = 0; i < sorted.size(); ++i) {
        for (std::size_t j = 0; j < sorted.size(); ++j) {
            const int order = compare(sorted[i], sorted[j]);
            BOOST_TEST((i < j   ? order < 0
                        : i > j ? order > 0
                                : order == 0),
                       sorted[i] << " vs " << sorted[j]);
        }
    }
}

BOOST_AUTO_TEST_SUITE_END()
