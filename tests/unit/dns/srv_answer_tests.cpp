// SPDX-License-Identifier: GPL-3.0-or-later
// The SRV answer parser: well-formed answers, compression, and hostile messages rejected.
#include "dns/srv_answer.hpp"

#include <boost/test/unit_test.hpp>

#include <string>
#include <vector>

using cpt::parse_srv_answer;
using cpt::SrvAnswer;

namespace {

using Bytes = std::vector<std::uint8_t>;

void u16(Bytes& b, unsigned value)
{
    b.push_back(static_cast<std::uint8_t>(value >> 8));
    b.push_back(static_cast<std::uint8_t>(value & 0xFF));
}

void name(Bytes& b, const std::string& dotted)
{
    std::size_t start = 0;
    while (start < dotted.size()) {
        std::size_t end = dotted.find('.', start);
        if (end == std::string::npos) {
            end = dotted.size();
        }
        b.push_back(static_cast<std::uint8_t>(end - start));
        b.insert(b.end(), dotted.begin() + static_cast<long>(start),
                 dotted.begin() + static_cast<long>(end));
        start = end + 1;
    }
    b.push_back(0);
}

Bytes header(unsigned flags, unsigned questions, unsigned answers)
{
    Bytes b;
    u16(b, 0x1234);
    u16(b, flags);
    u16(b, questions);
    u16(b, answers);
    u16(b, 0);
    u16(b, 0);
    return b;
}

const std::string qname = "_pexapp._tcp.example.test";

/// A response with the question and SRV records (owner compressed to the question).
Bytes answer(const std::vector<std::tuple<int, int, int, std::string>>& records, unsigned rcode = 0)
{
    Bytes b = header(0x8180 | rcode, 1, static_cast<unsigned>(records.size()));
    name(b, qname);
    u16(b, 33);
    u16(b, 1);
    for (const auto& [priority, weight, port, target] : records) {
        u16(b, 0xC00C);
        u16(b, 33);
        u16(b, 1);
        u16(b, 0);
        u16(b, 300);
        Bytes rdata;
        u16(rdata, static_cast<unsigned>(priority));
        u16(rdata, static_cast<unsigned>(weight));
        u16(rdata, static_cast<unsigned>(port));
        if (target == ".") {
            rdata.push_back(0);
        } else {
            name(rdata, target);
        }
        u16(b, static_cast<unsigned>(rdata.size()));
        b.insert(b.end(), rdata.begin(), rdata.end());
    }
    return b;
}

SrvAnswer parse(const Bytes& b)
{
    return parse_srv_answer(b.data(), b.size());
}

} // namespace

BOOST_AUTO_TEST_SUITE(srv_answer)

BOOST_AUTO_TEST_CASE(records_in_message_order_lower_case)
{
    const SrvAnswer a = parse(answer({{10, 60, 443, "Node1.Example.TEST"}, {20, 0, 8443, "n2.x"}}));
    BOOST_TEST(a.valid);
    BOOST_TEST(a.rcode == 0);
    BOOST_REQUIRE(a.records.size() == 2U);
    BOOST_TEST(a.records[0].target == "node1.example.test");
    BOOST_TEST(a.records[0].priority == 10);
    BOOST_TEST(a.records[0].weight == 60);
    BOOST_TEST(a.records[0].port == 443);
    BOOST_TEST(a.records[1].target == "n2.x");
    BOOST_TEST(a.records[1].port == 8443);
}

BOOST_AUTO_TEST_CASE(root_target)
{
    const SrvAnswer a = parse(answer({{0, 0, 0, "."}}));
    BOOST_TEST(a.valid);
    BOOST_REQUIRE(a.records.size() == 1U);
    BOOST_TEST(a.records[0].target == ".");
}

BOOST_AUTO_TEST_CASE(rcode_and_no_records)
{
    const SrvAnswer nx = parse(answer({}, 3));
    BOOST_TEST(nx.valid);
    BOOST_TEST(nx.rcode == 3);
    BOOST_TEST(nx.records.empty());
    BOOST_TEST(parse(answer({}, 2)).rcode == 2);
}

BOOST_AUTO_TEST_CASE(other_types_are_skipped)
{
    Bytes b = header(0x8180, 1, 2);
    name(b, qname);
    u16(b, 33);
    u16(b, 1);
    u16(b, 0xC00C); // CNAME
    u16(b, 5);
    u16(b, 1);
    u16(b, 0);
    u16(b, 60);
    Bytes target;
    name(target, "alias.example.test");
    u16(b, static_cast<unsigned>(target.size()));
    const std::size_t cname_data = b.size();
    b.insert(b.end(), target.begin(), target.end());
    u16(b, 0xC00C); // SRV whose target is compressed into the CNAME's data
    u16(b, 33);
    u16(b, 1);
    u16(b, 0);
    u16(b, 60);
    u16(b, 8);
    u16(b, 1);
    u16(b, 2);
    u16(b, 443);
    u16(b, 0xC000 | static_cast<unsigned>(cname_data));
    const SrvAnswer a = parse(b);
    BOOST_TEST(a.valid, a.error);
    BOOST_REQUIRE(a.records.size() == 1U);
    BOOST_TEST(a.records[0].target == "alias.example.test");
}

BOOST_AUTO_TEST_CASE(truncated_anywhere_is_malformed_never_a_crash)
{
    const Bytes full =
        answer({{10, 60, 443, "node1.example.test"}, {20, 0, 443, "n2.example.test"}});
    for (std::size_t size = 0; size < full.size(); ++size) {
        const Bytes cut(full.begin(), full.begin() + static_cast<long>(size));
        const SrvAnswer a = parse(cut);
        BOOST_TEST(!a.valid, "size " << size);
        BOOST_TEST(a.records.empty());
        BOOST_TEST(!a.error.empty());
    }
    BOOST_TEST(parse(full).valid);
    BOOST_TEST(!parse_srv_answer(nullptr, 0).valid);
}

BOOST_AUTO_TEST_CASE(queries_are_not_answers)
{
    Bytes b = answer({{1, 1, 443, "a.b"}});
    b[2] = 0x01; // QR clear
    BOOST_TEST(parse(b).error == "not a response");
}

BOOST_AUTO_TEST_CASE(compression_loops_and_forward_pointers_rejected)
{
    Bytes b = header(0x8180, 1, 0);
    u16(b, 0xC00C); // points at itself
    u16(b, 33);
    u16(b, 1);
    BOOST_TEST(parse(b).error == "bad compression pointer");
    Bytes f = header(0x8180, 1, 0);
    u16(f, 0xC0FF); // forward, past the end
    BOOST_TEST(!parse(f).valid);
    // Forward to a well-formed name inside the message (the root, then QTYPE and QCLASS
    // read from the same bytes): RFC 1035 4.1.4 allows only a prior occurrence.
    Bytes w = header(0x8180, 1, 0);
    u16(w, 0xC00E);
    u16(w, 0x0021);
    u16(w, 0x0001);
    BOOST_TEST(parse(w).error == "bad compression pointer");
    Bytes t = header(0x8180, 1, 0);
    t.push_back(0x40); // extended label type
    BOOST_TEST(parse(t).error == "unknown label type");
}

BOOST_AUTO_TEST_CASE(names_and_labels_bounded)
{
    BOOST_TEST(parse(answer({{1, 1, 443, std::string(64, 'a') + ".test"}})).error ==
               "unknown label type"); // 64 = 0x40: the length byte's top bits say 01
    std::string longest;
    for (int i = 0; i < 5; ++i) {
        longest += std::string(60, 'a') + ".";
    }
    BOOST_TEST(parse(answer({{1, 1, 443, longest + "test"}})).error ==
               "name longer than 255 bytes");
}

BOOST_AUTO_TEST_CASE(targets_must_be_host_names)
{
    for (const char* bad : {"bad name.test", "-lead.test", "trail-.test", "x|y.test", "a..b"}) {
        BOOST_TEST(!parse(answer({{1, 1, 443, bad}})).valid, bad);
    }
    BOOST_TEST(parse(answer({{1, 1, 443, "ok-name_1.test"}})).valid);
    BOOST_TEST(parse(answer({{1, 1, 0, "node.test"}})).error == "SRV record with port 0");
}

BOOST_AUTO_TEST_CASE(rdlength_must_match)
{
    Bytes b = answer({{1, 1, 443, "node.test"}});
    // RDLENGTH is the two bytes before the RDATA: 6 + name ("node.test" = 11 bytes).
    b[b.size() - 17 - 1] = static_cast<std::uint8_t>(b[b.size() - 17 - 1] + 1);
    BOOST_TEST(!parse(b).valid);
}

BOOST_AUTO_TEST_CASE(at_most_32_records)
{
    std::vector<std::tuple<int, int, int, std::string>> many;
    for (int i = 0; i < 33; ++i) {
        many.emplace_back(1, 1, 443, "n" + std::to_string(i) + ".test");
    }
    BOOST_TEST(parse(answer(many)).error == "more than 32 SRV records");
    many.pop_back();
    BOOST_TEST(parse(answer(many)).records.size() == 32U);
}

BOOST_AUTO_TEST_SUITE_END()
