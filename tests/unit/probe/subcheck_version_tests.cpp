// SPDX-License-Identifier: GPL-3.0-or-later
// --min-version against a token's version_id: wording and states.
#include "probe/subcheck_version.hpp"
#include "test_support.hpp"

#include <boost/test/unit_test.hpp>

using cpt::State;
using cpt_test::name_of;

namespace {

cpt::Subcheck check(const std::string& minimum, const std::string& version_id)
{
    const auto sub = cpt::check_min_version(minimum, version_id);
    BOOST_TEST_REQUIRE(sub.has_value());
    BOOST_TEST(sub->name == "version");
    BOOST_TEST(!sub->primary);
    return *sub;
}

} // namespace

BOOST_AUTO_TEST_SUITE(subcheck_version)

BOOST_AUTO_TEST_CASE(without_min_version_nothing)
{
    BOOST_TEST(!cpt::check_min_version("", "36").has_value());
    BOOST_TEST(!cpt::check_min_version("", "").has_value());
}

BOOST_AUTO_TEST_CASE(older_is_warning_and_names_both)
{
    const auto sub = check("37", "36");
    BOOST_TEST(name_of(sub.state) == name_of(State::warning));
    BOOST_TEST(sub.summary == "version 36 older than minimum 37");
    BOOST_TEST(check("36.10", "36.9").summary == "version 36.9 older than minimum 36.10");
    BOOST_TEST(check("36", "9.99").summary == "version 9.99 older than minimum 36");
}

BOOST_AUTO_TEST_CASE(equal_or_newer_is_ok)
{
    for (const auto& [minimum, actual] :
         {std::pair{"36", "36"}, {"36", "36.0"}, {"36.9", "36.10"}, {"36", "37"}, {"9.99", "36"}}) {
        const auto sub = check(minimum, actual);
        BOOST_TEST(name_of(sub.state) == name_of(State::ok), minimum << " / " << actual);
        BOOST_TEST(sub.summary == std::string("version ") + actual + " (minimum " + minimum + ")");
    }
}

BOOST_AUTO_TEST_CASE(missing_version_is_warning)
{
    const auto sub = check("36", "");
    BOOST_TEST(name_of(sub.state) == name_of(State::warning));
    BOOST_TEST(sub.summary == "node reported no version (minimum 36)");
}

BOOST_AUTO_TEST_CASE(unparsable_version_is_warning)
{
    const auto sub = check("36", "36.1b");
    BOOST_TEST(name_of(sub.state) == name_of(State::warning));
    BOOST_TEST(sub.summary == "unparsable version '36.1b' (minimum 36)");
    BOOST_TEST(name_of(check("36", "36 ").state) == name_of(State::warning));
}

BOOST_AUTO_TEST_CASE(long_node_version_is_cut)
{
    // Past 64 bytes no version parses: unparsable, and the text stays short.
    const auto sub = check("99", std::string(300, '1'));
    BOOST_TEST(name_of(sub.state) == name_of(State::warning));
    BOOST_TEST(sub.summary.rfind("unparsable version '111", 0) == 0U);
    BOOST_TEST(sub.summary.size() < 120U);
    BOOST_TEST(check("99", std::string(64, '1')).summary.size() < 120U);
}

BOOST_AUTO_TEST_SUITE_END()
