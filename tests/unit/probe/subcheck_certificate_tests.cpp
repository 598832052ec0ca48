// SPDX-License-Identifier: GPL-3.0-or-later
// -C WARN[,CRIT]: days left, wording, 'cert_days' perfdata.
#include "probe/subcheck_certificate.hpp"
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

// v2: the whole chain the node sent, leaf first

namespace {

cpt::CertificateChain chain(std::int64_t leaf_days, std::int64_t inter_days, std::int64_t root_days)
{
    return {{"node.example.com", now_unix + leaf_days * day + 3600, false},
            {"Pexip Test Intermediate CA", now_unix + inter_days * day + 3600, false},
            {"Pexip Test Root CA", now_unix + root_days * day + 3600, true}};
}

} // namespace

struct ChainCase
{
    const char* what;
    std::int64_t leaf_days, inter_days, root_days;
    State state;
    const char* summary;
    const char* perf;
};

const ChainCase chain_cases[] = {
    {"intermediate expiring first is named", 400, 20, 1000, State::warning,
     "certificate expires in 20 days: intermediate 'Pexip Test Intermediate CA' (warning below "
     "30 days)",
     "'cert_days'=20;30:;14:"},
    {"self-signed root after the leaf does not count", 400, 300, 2, State::ok,
     "certificate valid for 300 days more: intermediate 'Pexip Test Intermediate CA' (until "
     "2024-09-09 23:13 UTC)",
     "'cert_days'=300;30:;14:"},
    {"leaf expiring first is named leaf", 10, 300, 1000, State::critical,
     "certificate expires in 10 days: leaf 'node.example.com' (critical below 14 days)",
     "'cert_days'=10;30:;14:"},
};

BOOST_AUTO_TEST_CASE(chain_verdicts)
{
    for (const ChainCase& c : chain_cases) {
        BOOST_TEST_CONTEXT(c.what)
        {
            const auto outcome = cpt::check_certificate(
                {30, 14}, chain(c.leaf_days, c.inter_days, c.root_days), true, now_unix);
            BOOST_TEST_REQUIRE(outcome.subcheck.has_value());
            BOOST_TEST(name_of(outcome.subcheck->state) == name_of(c.state));
            BOOST_TEST(outcome.subcheck->summary == c.summary);
            BOOST_TEST(perf_of(outcome) == c.perf);
        }
    }
}

BOOST_AUTO_TEST_CASE(chain_expired_intermediate_is_critical_and_named)
{
    const auto outcome =
        cpt::check_certificate({30, std::nullopt}, chain(400, -3, 1000), true, now_unix);
    BOOST_TEST(name_of(outcome.subcheck->state) == name_of(State::critical));
    BOOST_TEST(outcome.subcheck->summary ==
               "certificate expired 2 days ago: intermediate 'Pexip Test Intermediate CA'");
}

BOOST_AUTO_TEST_CASE(chain_self_signed_leaf_counts)
{
    const cpt::CertificateChain self_signed = {{"localhost", now_unix + 5 * day + 60, true}};
    const auto outcome = cpt::check_certificate({30, std::nullopt}, self_signed, true, now_unix);
    BOOST_TEST(outcome.subcheck->summary ==
               "certificate expires in 5 days: leaf 'localhost' (warning below 30 days)");
}

BOOST_AUTO_TEST_CASE(chain_details_list_every_certificate)
{
    const auto outcome = cpt::check_certificate({30, 14}, chain(400, 20, 2), true, now_unix);
    BOOST_TEST_REQUIRE(outcome.details.size() == 3U);
    BOOST_TEST(
        outcome.details[0] ==
        "certificate 1 of 3: leaf 'node.example.com' expires 2024-12-18 23:13 UTC (400 days)");
    BOOST_TEST(outcome.details[1] ==
               "certificate 2 of 3: intermediate 'Pexip Test Intermediate CA' "
               "expires 2023-12-04 23:13 UTC (20 days)");
    BOOST_TEST(outcome.details[2] ==
               "certificate 3 of 3: root 'Pexip Test Root CA' expires "
               "2023-11-16 23:13 UTC (2 days, self-signed root, not counted)");
}

BOOST_AUTO_TEST_CASE(unnamed_leaf_alone_keeps_the_v1_wording_and_no_listing)
{
    const auto outcome = check(30, 14, now_unix + 20 * day + 3600);
    BOOST_TEST(outcome.subcheck->summary ==
               "certificate expires in 20 days (warning below 30 days)");
    BOOST_TEST(outcome.details.empty());
}

BOOST_AUTO_TEST_CASE(empty_chain_after_handshake_is_unknown)
{
    const auto outcome = cpt::check_certificate({30, 14}, cpt::CertificateChain{}, true, now_unix);
    BOOST_TEST(name_of(outcome.subcheck->state) == name_of(State::unknown));
    BOOST_TEST(outcome.perfdata.empty());
}

BOOST_AUTO_TEST_SUITE_END()
