// SPDX-License-Identifier: GPL-3.0-or-later
// RFC 2782 client order: priority ascending, weight descending, ties by name.
#include "dns/srv_record.hpp"

#include <boost/test/unit_test.hpp>

#include <string>
#include <vector>

using cpt::client_order;
using cpt::SrvRecord;

namespace {

SrvRecord rec(int priority, int weight, const std::string& target, int port = 443)
{
    return SrvRecord{static_cast<std::uint16_t>(priority), static_cast<std::uint16_t>(weight),
                     static_cast<std::uint16_t>(port), target};
}

std::vector<std::string> names(const std::vector<SrvRecord>& records)
{
    std::vector<std::string> out;
    for (const SrvRecord& r : records) {
        out.push_back(r.target + ":" + std::to_string(r.port));
    }
    return out;
}

} // namespace

BOOST_AUTO_TEST_SUITE(srv_record)

BOOST_AUTO_TEST_CASE(lowest_priority_first)
{
    const auto order = names(client_order({rec(20, 0, "a"), rec(10, 0, "b"), rec(5, 0, "c")}));
    const std::vector<std::string> expected{"c:443", "b:443", "a:443"};
    BOOST_TEST(order == expected, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(higher_weight_first_within_a_priority)
{
    const auto order =
        names(client_order({rec(10, 10, "a"), rec(10, 60, "b"), rec(10, 30, "c"), rec(5, 0, "z")}));
    const std::vector<std::string> expected{"z:443", "b:443", "c:443", "a:443"};
    BOOST_TEST(order == expected, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(ties_by_name_then_port)
{
    const auto order = names(client_order(
        {rec(10, 5, "n2"), rec(10, 5, "n1", 8443), rec(10, 5, "n1", 443), rec(10, 5, "m9")}));
    const std::vector<std::string> expected{"m9:443", "n1:443", "n1:8443", "n2:443"};
    BOOST_TEST(order == expected, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(the_same_records_in_any_order_give_one_order)
{
    std::vector<SrvRecord> records{rec(1, 1, "a"), rec(0, 0, "b"), rec(1, 2, "c"), rec(1, 1, "d")};
    const auto first = names(client_order(records));
    std::reverse(records.begin(), records.end());
    BOOST_TEST(names(client_order(records)) == first, boost::test_tools::per_element());
    const std::vector<std::string> expected{"b:443", "c:443", "a:443", "d:443"};
    BOOST_TEST(first == expected, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(empty_stays_empty)
{
    BOOST_TEST(client_order({}).empty());
}

BOOST_AUTO_TEST_SUITE_END()
