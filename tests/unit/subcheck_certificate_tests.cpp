// SPDX-License-Identifier: GPL-3.0-or-later
// -C WARN[,CRIT]: days left, wording, 'cert_days' perfdata.
#include "subcheck_certificate.hpp"
#include "test_support.hpp"

#include <boost/test/unit_test.hpp>

#include <cstdint>

using cpt::State;
using cpt_test::name_of;

namespace {

constexpr std::int64_t now_unix = 1700000000;
constexpr std::int64_t day = 86400;

cpt::SubcheckOutcome check(std::optional<long> warn, std::optional<long> crit,
                           std::optional<std::int64_t> not_after, bool handshake_done = true)
{
    return cpt::check_certificate({warn, crit}, not_after, handshake_done, now_unix);
}

std::string perf_of(const cpt::SubcheckOutcome& outcome)
{
    BOOST_TEST_REQUIRE(outcome.perfdata.size() == 1U);
    return cpt::format_perfdata(outcome.perfdata.front());
}

} // namespace

BOOST_AUTO_TEST_SUITE(subcheck_certificate)

BOOST_AUTO_TEST_CASE(without_c_nothing_at_all)
{
    const auto outcome = check(std::nullopt, std::nullopt, now_unix + day);
    BOOST_TEST(!outcome.subcheck.has_value());
    BOOST_TEST(outcome.perfdata.empty());
}

BOOST_AUTO_TEST_CASE(unread_expiry_after_handshake_is_unknown)
{
    const auto outcome = check(30, std::nullopt, std::nullopt, true);
    BOOST_TEST_REQUIRE(outcome.subcheck.has_value());
    BOOST_TEST(name_of(outcome.subcheck->state) == name_of(State::unknown));
    BOOST_TEST(outcome.subcheck->summary == "certificate expiry could not be read");
    BOOST_TEST(outcome.perfdata.empty());
}

BOOST_AUTO_TEST_CASE(no_handshake_no_verdict)
{
    const auto outcome = check(30, std::nullopt, std::nullopt, false);
    BOOST_TEST(!outcome.subcheck.has_value());
    BOOST_TEST(outcome.perfdata.empty());
}

BOOST_AUTO_TEST_CASE(expired_days_ago_and_today)
{
    auto outcome = check(30, 14, now_unix - 3 * day);
    BOOST_TEST_REQUIRE(outcome.subcheck.has_value());
    BOOST_TEST(name_of(outcome.subcheck->state) == name_of(State::critical));
    BOOST_TEST(outcome.subcheck->summary == "certificate expired 3 days ago");
    BOOST_TEST(perf_of(outcome) == "'cert_days'=-3;30:;14:");
    outcome = check(30, std::nullopt, now_unix - 60);
    BOOST_TEST_REQUIRE(outcome.subcheck.has_value());
    BOOST_TEST(outcome.subcheck->summary == "certificate expired today");
    BOOST_TEST(name_of(outcome.subcheck->state) == name_of(State::critical));
}

BOOST_AUTO_TEST_CASE(below_critical_and_warning)
{
    auto outcome = check(30, 14, now_unix + 10 * day + 3600);
    BOOST_TEST(name_of(outcome.subcheck->state) == name_of(State::critical));
    BOOST_TEST(outcome.subcheck->summary ==
               "certificate expires in 10 days (critical below 14 days)");
    outcome = check(30, 14, now_unix + 20 * day + 3600);
    BOOST_TEST(name_of(outcome.subcheck->state) == name_of(State::warning));
    BOOST_TEST(outcome.subcheck->summary ==
               "certificate expires in 20 days (warning below 30 days)");
    BOOST_TEST(perf_of(outcome) == "'cert_days'=20;30:;14:");
    outcome = check(30, std::nullopt, now_unix + day + 3600);
    BOOST_TEST(outcome.subcheck->summary == "certificate expires in 1 day (warning below 30 days)");
    BOOST_TEST(perf_of(outcome) == "'cert_days'=1;30:");
}

BOOST_AUTO_TEST_CASE(boundary_is_not_below)
{
    const auto outcome = check(30, 14, now_unix + 30 * day);
    BOOST_TEST(name_of(outcome.subcheck->state) == name_of(State::ok));
    BOOST_TEST(outcome.subcheck->summary ==
               "certificate valid for 30 days more (until 2023-12-14 22:13 UTC)");
}

BOOST_AUTO_TEST_SUITE_END()
