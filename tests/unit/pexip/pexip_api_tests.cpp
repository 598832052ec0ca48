// SPDX-License-Identifier: GPL-3.0-or-later
// URLs, alias encoding and the request_token body.
#include "pexip/pexip_api.hpp"

#include <boost/test/data/monomorphic.hpp>
#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>
#include <rapidjson/document.h>

#include <ostream>
#include <string>
#include <vector>

namespace bdata = boost::unit_test::data;
using namespace std::string_literals;

namespace {

struct EncodeCase
{
    std::string alias;
    std::string encoded;
};

std::ostream& operator<<(std::ostream& out, const EncodeCase& c)
{
    return out << "'" << c.encoded << "'";
}

const std::vector<EncodeCase> encode_cases = {
    {"meet", "meet"},
    {"ABCXYZabcxyz0189-._~", "ABCXYZabcxyz0189-._~"},
    {"", ""},
    {"meet@example.com", "meet%40example.com"},
    {"a/b", "a%2Fb"},
    {"../admin", "..%2Fadmin"},
    {"a b", "a%20b"},
    {"100%", "100%25"},
    {"%2F", "%252F"},
    {"a?b", "a%3Fb"},
    {"a#b", "a%23b"},
    {".", "."},
    {"..", ".."},
    {"a+b", "a%2Bb"},
    {"a&b=c;d,e", "a%26b%3Dc%3Bd%2Ce"},
    {"!*'()", "%21%2A%27%28%29"},
    {"a:b", "a%3Ab"},
    {"a\\b", "a%5Cb"},
    {"\"<>`{|}^", "%22%3C%3E%60%7B%7C%7D%5E"},
    {"caf\xc3\xa9", "caf%C3%A9"},
    {"\xe4\xbc\x9a\xe8\xae\xae", "%E4%BC%9A%E8%AE%AE"},
    {"\xff\x80", "%FF%80"},
    {"a\0b"s, "a%00b"},
    {"\r\n\t", "%0D%0A%09"},
    {"\x7f", "%7F"},
};

std::string member_string(const rapidjson::Document& doc, const char* name)
{
    const auto it = doc.FindMember(name);
    if (it == doc.MemberEnd() || !it->value.IsString()) {
        return "<missing>";
    }
    return std::string(it->value.GetString(), it->value.GetStringLength());
}

struct BodyCase
{
    std::string display_name;
    std::string call_tag;
    const char* what;
};

std::ostream& operator<<(std::ostream& out, const BodyCase& c)
{
    return out << c.what;
}

const std::vector<BodyCase> body_cases = {
    {"check_pexip_token", "check_pexip_token", "defaults"},
    {"nagios-probe", "", "empty call tag"},
    {"say \"hi\"", "tag\"", "quotes"},
    {"back\\slash\\", "\\", "backslashes"},
    {"a/b", "</script>", "slash and markup"},
    {"ctl\x01\x1f\t\n\r\b\f", "\x7f", "control characters"},
    {"Zo\xc3\xab \xe4\xbc\x9a\xe8\xae\xae \xf0\x9f\x98\x80", "caf\xc3\xa9", "UTF-8"},
    {"{\"display_name\":\"x\"}", "\",\"call_tag\":\"injected", "JSON injection attempt"},
    {"nul\0inside"s, "x", "NUL"},
};

} // namespace

BOOST_AUTO_TEST_SUITE(pexip_api)

BOOST_DATA_TEST_CASE(encode_path_segment_table, bdata::make(encode_cases), sample)
{
    BOOST_TEST(cpt::encode_path_segment(sample.alias) == sample.encoded);
}

BOOST_AUTO_TEST_CASE(encode_path_segment_every_byte)
{
    for (int b = 0; b < 256; ++b) {
        const std::string in(1, static_cast<char>(b));
        const std::string out = cpt::encode_path_segment(in);
        const bool unreserved = (b >= 'A' && b <= 'Z') || (b >= 'a' && b <= 'z') ||
                                (b >= '0' && b <= '9') || b == '-' || b == '.' || b == '_' ||
                                b == '~';
        if (unreserved) {
            BOOST_TEST(out == in, "byte " << b);
        } else {
            static const char hex[] = "0123456789ABCDEF";
            const std::string expected{'%', hex[b / 16], hex[b % 16]};
            BOOST_TEST(out == expected, "byte " << b);
        }
        BOOST_TEST(out.find('/') == std::string::npos);
    }
}

BOOST_AUTO_TEST_CASE(conference_path_builds_one_segment)
{
    BOOST_TEST(cpt::conference_path("meet", "request_token") ==
               "/api/client/v2/conferences/meet/request_token");
    BOOST_TEST(cpt::conference_path("meet@example.com", "release_token") ==
               "/api/client/v2/conferences/meet%40example.com/release_token");
    BOOST_TEST(cpt::conference_path("a/b c", "request_token") ==
               "/api/client/v2/conferences/a%2Fb%20c/request_token");
}

BOOST_AUTO_TEST_CASE(conference_path_keeps_dot_segments_literal)
{
    BOOST_TEST(cpt::conference_path("..", "request_token") ==
               "/api/client/v2/conferences/../request_token");
    BOOST_TEST(cpt::conference_path(".", "request_token") ==
               "/api/client/v2/conferences/./request_token");
}

BOOST_AUTO_TEST_CASE(status_path_is_the_health_endpoint)
{
    BOOST_TEST(std::string(cpt::status_path) == "/api/client/v2/status");
}

BOOST_DATA_TEST_CASE(request_token_body_round_trips, bdata::make(body_cases), sample)
{
    const std::string body = cpt::request_token_body(sample.display_name, sample.call_tag);
    rapidjson::Document doc;
    doc.Parse(body.c_str(), body.size());
    BOOST_TEST_REQUIRE(!doc.HasParseError(), "not JSON: " << body);
    BOOST_TEST_REQUIRE(doc.IsObject());
    BOOST_TEST(doc.MemberCount() == 2U);
    BOOST_TEST(member_string(doc, "display_name") == sample.display_name);
    BOOST_TEST(member_string(doc, "call_tag") == sample.call_tag);
    for (char c : body) {
        const auto byte = static_cast<unsigned char>(c);
        BOOST_TEST(byte >= 0x20U, "raw control byte " << static_cast<int>(byte) << " in body");
    }
}

BOOST_AUTO_TEST_CASE(request_token_body_exact_text)
{
    BOOST_TEST(cpt::request_token_body("nagios-probe", "nagios") ==
               R"({"display_name":"nagios-probe","call_tag":"nagios"})");
}

BOOST_AUTO_TEST_SUITE_END()
