// SPDX-License-Identifier: GPL-3.0-or-later
// Sanitising node/user text, UTF-8 aware truncation, redaction and number formatting.
#include "base/text.hpp"

#include <boost/test/data/monomorphic.hpp>
#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include <clocale>
#include <ostream>
#include <string>
#include <vector>

namespace bdata = boost::unit_test::data;

namespace {

using namespace std::string_literals;

struct SanitizeCase
{
    std::string input;
    std::string expected;
    const char* what;
};

std::ostream& operator<<(std::ostream& out, const SanitizeCase& c)
{
    return out << c.what;
}

const std::vector<SanitizeCase> sanitize_cases = {
    {"plain text", "plain text", "printable ASCII kept"},
    {"", "", "empty"},
    {"a\x01z", "a?z", "C0 control SOH"},
    {"tab\there", "tab?here", "TAB"},
    {"bell\a", "bell?", "BEL"},
    {"del\x7f", "del?", "DEL"},
    {"\x1b[31mred\x1b[0m", "?[31mred?[0m", "ESC sequences"},
    {"line1\r\nline2", "line1??line2", "CR LF"},
    {"a\nb", "a?b", "LF"},
    {"a\rb", "a?b", "CR"},
    {"nul\0byte"s, "nul?byte", "NUL"},
    {"a|b||c", "a/b//c", "pipe becomes slash"},
    {"x \xc2\x85 y", "x ? y", "C1 NEL U+0085 is one '?'"},
    {"\xc2\x9b"
     "31m",
     "?31m", "C1 CSI U+009B"},
    {"\xc2\x80\xc2\x9f", "??", "C1 range ends"},
    {"\xc2\xa0", "\xc2\xa0", "U+00A0 is not a control"},
    {"caf\xc3\xa9", "caf\xc3\xa9", "two-byte UTF-8 kept"},
    {"\xe2\x82\xac 5", "\xe2\x82\xac 5", "three-byte UTF-8 kept"},
    {"\xe4\xbc\x9a\xe8\xae\xae", "\xe4\xbc\x9a\xe8\xae\xae", "CJK kept"},
    {"\xf0\x9f\x98\x80", "\xf0\x9f\x98\x80", "four-byte UTF-8 kept"},
    {"\xff", "?", "0xFF"},
    {"a\xfe"
     "b",
     "a?b", "0xFE"},
    {"\x80", "?", "lone continuation byte"},
    {"\xc3", "?", "truncated two-byte sequence"},
    {"\xe2\x82", "??", "truncated three-byte sequence"},
    {"\xc0\xaf", "??", "overlong '/'"},
    {"\xe0\x80\xaf", "???", "overlong three-byte"},
    {"\xed\xa0\x80", "???", "UTF-16 surrogate"},
    {"\xf4\x90\x80\x80", "????", "above U+10FFFF"},
    {"ok \xc3\xa9|\x1b\xff", "ok \xc3\xa9/??", "mixed"},
};

struct Utf8Case
{
    std::string input;
    bool valid;
    const char* what;
};

std::ostream& operator<<(std::ostream& out, const Utf8Case& c)
{
    return out << c.what;
}

const std::vector<Utf8Case> utf8_cases = {
    {"", true, "empty"},
    {"ascii", true, "ASCII"},
    {"\0"s, true, "NUL is valid UTF-8"},
    {"\xc3\xa9", true, "U+00E9"},
    {"\xc2\x80", true, "U+0080"},
    {"\xdf\xbf", true, "U+07FF"},
    {"\xe0\xa0\x80", true, "U+0800"},
    {"\xef\xbf\xbf", true, "U+FFFF"},
    {"\xed\x9f\xbf", true, "U+D7FF"},
    {"\xee\x80\x80", true, "U+E000"},
    {"\xf0\x90\x80\x80", true, "U+10000"},
    {"\xf4\x8f\xbf\xbf", true, "U+10FFFF"},
    {"\xc0\x80", false, "overlong NUL"},
    {"\xc1\xbf", false, "overlong two-byte"},
    {"\xe0\x80\x80", false, "overlong three-byte"},
    {"\xe0\x9f\xbf", false, "overlong three-byte upper"},
    {"\xf0\x80\x80\x80", false, "overlong four-byte"},
    {"\xf0\x8f\xbf\xbf", false, "overlong four-byte upper"},
    {"\xed\xa0\x80", false, "high surrogate U+D800"},
    {"\xed\xbf\xbf", false, "low surrogate U+DFFF"},
    {"\xf4\x90\x80\x80", false, "U+110000"},
    {"\xf5\x80\x80\x80", false, "lead byte F5"},
    {"\xf8\x88\x80\x80\x80", false, "five-byte form"},
    {"\xff", false, "FF"},
    {"\x80", false, "lone continuation"},
    {"\xc3", false, "truncated at end"},
    {"\xc3"
     "a",
     false, "continuation missing"},
    {"\xe2\x82", false, "truncated three-byte"},
    {"\xf0\x9f\x98", false, "truncated four-byte"},
    {"a\xc3\xa9\xff", false, "bad byte after good text"},
};

} // namespace

BOOST_AUTO_TEST_SUITE(text)

BOOST_DATA_TEST_CASE(sanitize_line_table, bdata::make(sanitize_cases), sample)
{
    BOOST_TEST(cpt::sanitize_line(sample.input) == sample.expected, sample.what);
}

BOOST_AUTO_TEST_CASE(sanitize_line_output_is_always_safe)
{
    // Every byte value, alone and after a valid lead byte.
    for (int b = 0; b < 256; ++b) {
        const char c = static_cast<char>(b);
        for (const std::string& input : {std::string(1, c), "\xc2"s + c, "\xe2\x82"s + c}) {
            const std::string out = cpt::sanitize_line(input);
            BOOST_TEST(!cpt::has_control_chars(out), "byte " << b);
            BOOST_TEST(cpt::is_valid_utf8(out), "byte " << b);
            BOOST_TEST(out.find('|') == std::string::npos, "byte " << b);
            BOOST_TEST(out.find("\xc2\x80") == std::string::npos);
        }
    }
}

BOOST_AUTO_TEST_CASE(truncate_text_keeps_short_text)
{
    BOOST_TEST(cpt::truncate_text("hello", 10) == "hello");
    BOOST_TEST(cpt::truncate_text("hello", 5) == "hello");
    BOOST_TEST(cpt::truncate_text("", 0) == "");
}

BOOST_AUTO_TEST_CASE(truncate_text_cuts_and_appends_ellipsis)
{
    BOOST_TEST(cpt::truncate_text("hello world", 8) == "hello...");
    BOOST_TEST(cpt::truncate_text("abcdef", 5) == "ab...");
}

BOOST_AUTO_TEST_CASE(truncate_text_never_splits_utf8)
{
    // Two-, three- and four-byte characters, cut at every possible length.
    for (const std::string& unit : {"\xc3\xa9"s, "\xe2\x82\xac"s, "\xf0\x9f\x98\x80"s}) {
        std::string text = "ab";
        for (int i = 0; i < 10; ++i) {
            text += unit;
        }
        // From 4 bytes on there is room for the ellipsis; tinier limits are tested below.
        for (std::size_t max = 4; max <= text.size() + 1; ++max) {
            const std::string out = cpt::truncate_text(text, max);
            BOOST_TEST(out.size() <= max, "max " << max);
            BOOST_TEST(cpt::is_valid_utf8(out), "max " << max << " gave invalid UTF-8");
            if (out.size() < text.size()) {
                BOOST_TEST(out.substr(out.size() - 3) == "...");
            }
        }
    }
}

BOOST_AUTO_TEST_CASE(truncate_text_at_a_character_boundary)
{
    // "é" x5 is 10 bytes; 6 leaves room for 3 bytes: only one "é" fits whole.
    BOOST_TEST(cpt::truncate_text("\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9", 6) == "\xc3\xa9...");
}

BOOST_AUTO_TEST_CASE(truncate_text_tiny_limits_stay_within_the_limit)
{
    // The header promises "at most max_bytes", even when the ellipsis does not fit.
    for (std::size_t max = 0; max < 3; ++max) {
        const std::string out = cpt::truncate_text("abcdef", max);
        BOOST_TEST(out.size() <= max, "max " << max << " gave '" << out << "'");
    }
}

BOOST_AUTO_TEST_CASE(redact_every_occurrence_of_every_secret)
{
    BOOST_TEST(cpt::redact("pin 1234 and 1234 again", {"1234"}) ==
               "pin <redacted> and <redacted> again");
    BOOST_TEST(cpt::redact("tok=ABC pin=987", {"987", "ABC"}) == "tok=<redacted> pin=<redacted>");
}

BOOST_AUTO_TEST_CASE(redact_json_escaped_secrets)
{
    const std::vector<std::string> pin{"90210731"};
    BOOST_TEST(cpt::redact(R"(Invalid PIN \u0039\u0030\u0032\u0031\u0030\u0037\u0033\u0031!)",
                           pin) == "Invalid PIN <redacted>!");
    // Mixed plain and escaped, upper and lower case hex.
    BOOST_TEST(cpt::redact(R"({"pin":"9\u00302\u00310\u00373\u0031"})", pin) ==
               R"({"pin":"<redacted>"})");
    BOOST_TEST(cpt::redact(R"(x \u0039\u0030\u0032\u0031\u0030\u0037\u0033\u0031 y)", pin) ==
               "x <redacted> y");
    // A token with '/' and '+': JSON may write "\/", and \u002B / \u002b.
    const std::vector<std::string> token{"Ab/c+d=="};
    BOOST_TEST(cpt::redact(R"("token":"Ab\/c\u002Bd\u003d\u003D")", token) ==
               R"("token":"<redacted>")");
    // Every occurrence, escaped or not.
    BOOST_TEST(cpt::redact(R"(Ab/c+d== and A\u0062\/c+d==)", token) == "<redacted> and <redacted>");
}

BOOST_AUTO_TEST_CASE(redact_percent_encoded_secrets)
{
    const std::vector<std::string> pin{"90210731"};
    BOOST_TEST(cpt::redact("pin=%39%30%32%31%30%37%33%31&x=1", pin) == "pin=<redacted>&x=1");
    BOOST_TEST(cpt::redact("pin=9%302%310%373%31", pin) == "pin=<redacted>");
    const std::vector<std::string> token{"Ab/c+d=="};
    BOOST_TEST(cpt::redact("t=Ab%2Fc%2bd%3D%3d;", token) == "t=<redacted>;");
    // Percent and JSON escapes mixed in one secret.
    BOOST_TEST(cpt::redact(R"(t=Ab%2F\u0063+d\u003d%3D)", token) == "t=<redacted>");
}

BOOST_AUTO_TEST_CASE(redact_escaped_leaves_other_text_alone)
{
    const std::vector<std::string> pin{"90210731"};
    const std::string other = R"(\u0039\u0030 %39%30 \n \" 100% \u12 %zz 9021073)";
    BOOST_TEST(cpt::redact(other, pin) == other);
    // A secret that itself holds '%' or '\': found plain and encoded.
    const std::vector<std::string> odd{"a%41\\b"};
    BOOST_TEST(cpt::redact(R"(1 a%41\b 2 a%2541%5Cb 3 a\u002541\\b)", odd) ==
               "1 <redacted> 2 <redacted> 3 <redacted>");
}

BOOST_AUTO_TEST_CASE(redact_escaped_non_ascii_secrets)
{
    const std::vector<std::string> secret{"r\xC3\xA9union-\xF0\x9F\x98\x80"};
    BOOST_TEST(cpt::redact(R"(r\u00e9union-\ud83d\ude00!)", secret) == "<redacted>!");
    BOOST_TEST(cpt::redact("r%C3%A9union-%F0%9F%98%80!", secret) == "<redacted>!");
}

BOOST_AUTO_TEST_CASE(redact_replaces_the_longest_secret_first)
{
    // A PIN inside the token must not split the token into pieces that escape redaction.
    BOOST_TEST(cpt::redact("tok AB12CD12EF end", {"12", "AB12CD12EF"}) == "tok <redacted> end");
    BOOST_TEST(cpt::redact("pin 12 tok AB12CD12EF", {"12", "AB12CD12EF"}) ==
               "pin <redacted> tok <redacted>");
}

BOOST_AUTO_TEST_CASE(redact_ignores_empty_secrets_and_empty_lists)
{
    BOOST_TEST(cpt::redact("nothing to hide", {""}) == "nothing to hide");
    BOOST_TEST(cpt::redact("nothing to hide", {}) == "nothing to hide");
}

BOOST_AUTO_TEST_CASE(redact_terminates_when_the_secret_is_inside_the_replacement)
{
    BOOST_TEST(cpt::redact("redacted", {"redacted"}) == "<redacted>");
    BOOST_TEST(cpt::redact("a<b", {"<"}) == "a<redacted>b");
}

BOOST_AUTO_TEST_CASE(redact_json_member_plain)
{
    BOOST_TEST(cpt::redact_json_member(R"({"token":"abc","expires":"120"})", "token") ==
               R"({"token":"<redacted>","expires":"120"})");
}

BOOST_AUTO_TEST_CASE(redact_json_member_escaped_quotes_inside_the_token)
{
    BOOST_TEST(cpt::redact_json_member(R"({"token":"ab\"c\\\"d","x":1})", "token") ==
               R"({"token":"<redacted>","x":1})");
    BOOST_TEST(cpt::redact_json_member(R"({"token":"ends with backslash\\","x":1})", "token") ==
               R"({"token":"<redacted>","x":1})");
}

BOOST_AUTO_TEST_CASE(redact_json_member_unterminated_value)
{
    const std::string out = cpt::redact_json_member(R"({"result":{"token":"abcdefgh)", "token");
    BOOST_TEST(out.find("abcdefgh") == std::string::npos);
    BOOST_TEST(out.find("<redacted>") != std::string::npos);
    const std::string trailing_escape = cpt::redact_json_member(R"({"token":"abcdefgh\)", "token");
    BOOST_TEST(trailing_escape.find("abcdefgh") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(redact_json_member_spaces_around_the_colon)
{
    BOOST_TEST(cpt::redact_json_member("{\"token\" :\t\"abc\" }", "token") ==
               "{\"token\" :\t\"<redacted>\" }");
    BOOST_TEST(cpt::redact_json_member("{\n  \"token\"\n  :\n  \"abc\"\n}", "token") ==
               "{\n  \"token\"\n  :\n  \"<redacted>\"\n}");
}

BOOST_AUTO_TEST_CASE(redact_json_member_every_occurrence)
{
    BOOST_TEST(cpt::redact_json_member(R"([{"token":"a1"},{"token":"b2"}])", "token") ==
               R"([{"token":"<redacted>"},{"token":"<redacted>"}])");
}

BOOST_AUTO_TEST_CASE(redact_json_member_leaves_other_things_alone)
{
    // The key as a value, a non-string value, a longer key name.
    const std::string unchanged = R"({"a":"token","token":123,"token_type":"x","b":"c"})";
    BOOST_TEST(cpt::redact_json_member(unchanged, "token") == unchanged);
    BOOST_TEST(cpt::redact_json_member("", "token") == "");
    BOOST_TEST(cpt::redact_json_member(R"({"token")", "token") == R"({"token")");
    BOOST_TEST(cpt::redact_json_member(R"({"token":)", "token") == R"({"token":)");
}

BOOST_DATA_TEST_CASE(is_valid_utf8_table, bdata::make(utf8_cases), sample)
{
    BOOST_TEST(cpt::is_valid_utf8(sample.input) == sample.valid, sample.what);
}

BOOST_AUTO_TEST_CASE(trim_trailing_whitespace_table)
{
    BOOST_TEST(cpt::trim_trailing_whitespace("") == "");
    BOOST_TEST(cpt::trim_trailing_whitespace(" \t\r\n\v\f") == "");
    BOOST_TEST(cpt::trim_trailing_whitespace("in connection to node:443 ") ==
               "in connection to node:443");
    BOOST_TEST(cpt::trim_trailing_whitespace("Invalid PIN\r\n") == "Invalid PIN");
    BOOST_TEST(cpt::trim_trailing_whitespace("  kept in front") == "  kept in front");
    BOOST_TEST(cpt::trim_trailing_whitespace("a \x1b") == "a \x1b");
    BOOST_TEST(cpt::trim_trailing_whitespace("nul\0 "s) == "nul\0"s);
}

BOOST_AUTO_TEST_CASE(printable_line_trims_then_sanitises_then_cuts)
{
    BOOST_TEST(cpt::printable_line("reset by peer \r\n", 100) == "reset by peer");
    BOOST_TEST(cpt::printable_line("a|b\x1b[2J\nc", 100) == "a/b?[2J?c");
    BOOST_TEST(cpt::printable_line("abcdefghij   ", 8) == "abcde...");
    BOOST_TEST(cpt::printable_line(" \t\n", 100) == "");
}

BOOST_AUTO_TEST_CASE(has_control_chars_table)
{
    BOOST_TEST(!cpt::has_control_chars(""));
    BOOST_TEST(!cpt::has_control_chars("plain text ~|{}"));
    BOOST_TEST(!cpt::has_control_chars("caf\xc3\xa9 \xc2\x85"));
    BOOST_TEST(cpt::has_control_chars("\0"s));
    BOOST_TEST(cpt::has_control_chars("a\tb"));
    BOOST_TEST(cpt::has_control_chars("a\rb"));
    BOOST_TEST(cpt::has_control_chars("a\nb"));
    BOOST_TEST(cpt::has_control_chars("\x1b[0m"));
    BOOST_TEST(cpt::has_control_chars("\x1f"));
    BOOST_TEST(cpt::has_control_chars("\x7f"));
    BOOST_TEST(!cpt::has_control_chars(" "));
}

BOOST_AUTO_TEST_CASE(format_decimal_uses_a_dot_and_fixed_notation)
{
    BOOST_TEST(cpt::format_decimal(0.042, 3) == "0.042");
    BOOST_TEST(cpt::format_decimal(0.042, 6) == "0.042000");
    BOOST_TEST(cpt::format_decimal(1.0, 6) == "1.000000");
    BOOST_TEST(cpt::format_decimal(-1.5, 1) == "-1.5");
    BOOST_TEST(cpt::format_decimal(8.0, 0) == "8");
    BOOST_TEST(cpt::format_decimal(1.23456, 3) == "1.235");
    BOOST_TEST(cpt::format_decimal(1234567.891, 2) == "1234567.89");
    BOOST_TEST(cpt::format_decimal(1e20, 0) == "100000000000000000000");
    BOOST_TEST(cpt::format_decimal(0.0, 2) == "0.00");
}

BOOST_AUTO_TEST_CASE(format_compact_drops_trailing_zeros)
{
    BOOST_TEST(cpt::format_compact(8.0, 3) == "8");
    BOOST_TEST(cpt::format_compact(1.5, 3) == "1.5");
    BOOST_TEST(cpt::format_compact(0.25, 6) == "0.25");
    BOOST_TEST(cpt::format_compact(10.0, 0) == "10");
    BOOST_TEST(cpt::format_compact(0.0, 3) == "0");
    BOOST_TEST(cpt::format_compact(100.0, 2) == "100");
}

BOOST_AUTO_TEST_CASE(format_decimal_edges)
{
    BOOST_TEST(cpt::format_decimal(1e300, 6) == "0"); // does not fit: as to_chars did
    BOOST_TEST(cpt::format_decimal(-0.0004, 3) == "-0.000");
    BOOST_TEST(cpt::format_decimal(2.5, 0) == "2"); // exact ties to even
    BOOST_TEST(cpt::format_decimal(0.125, 2) == "0.12");
}

BOOST_AUTO_TEST_CASE(parse_decimal_reads_plain_decimals)
{
    BOOST_TEST(cpt::parse_decimal("5").value_or(-1) == 5.0);
    BOOST_TEST(cpt::parse_decimal("-0.5").value_or(-1) == -0.5);
    BOOST_TEST(cpt::parse_decimal("10.5").value_or(-1) == 10.5);
    BOOST_TEST(cpt::parse_decimal("5.").value_or(-1) == 5.0);
    BOOST_TEST(cpt::parse_decimal(".25").value_or(-1) == 0.25);
    BOOST_TEST(cpt::parse_decimal("-.25").value_or(-1) == -0.25);
    BOOST_TEST(cpt::parse_decimal("0.1").value_or(-1) == 0.1); // correctly rounded
    BOOST_TEST(cpt::parse_decimal("007").value_or(-1) == 7.0);
}

BOOST_AUTO_TEST_CASE(parse_decimal_rejects_everything_else)
{
    for (const char* text : {"", "-", ".", "-.", "+5", " 5", "5 ", "5e3", "1E2", "0x10", "inf",
                             "nan", "1.2.3", "--5", "5-", "1,5", "five"}) {
        BOOST_TEST(!cpt::parse_decimal(text).has_value(), "accepted '" << text << "'");
    }
    // Out of range both ways: 1 followed by 400 zeros, and 0.000...1 with 400 zeros.
    BOOST_TEST(!cpt::parse_decimal("1" + std::string(400, '0')).has_value());
    BOOST_TEST(!cpt::parse_decimal("0." + std::string(400, '0') + "1").has_value());
}

BOOST_AUTO_TEST_CASE(decimals_keep_the_dot_in_a_decimal_comma_locale)
{
    // The C library's own decimal point is swapped both ways (format_decimal, parse_decimal).
    // Without the locale this case fails, loudly: it is the only one of its kind, and
    // .ci/install-deps makes the locale (localedef -i de_DE -f UTF-8 de_DE.UTF-8).
    BOOST_REQUIRE_MESSAGE(std::setlocale(LC_NUMERIC, "de_DE.UTF-8") != nullptr,
                          "locale de_DE.UTF-8 is not installed: `localedef -i de_DE -f UTF-8 "
                          "de_DE.UTF-8` as root (.ci/install-deps does it)");
    const bool comma = std::string(std::localeconv()->decimal_point) == ",";
    const std::string formatted = cpt::format_decimal(1.5, 2);
    const double parsed = cpt::parse_decimal("10.5").value_or(-1);
    const bool comma_rejected = !cpt::parse_decimal("10,5").has_value();
    std::setlocale(LC_NUMERIC, "C");
    BOOST_TEST(comma);
    BOOST_TEST(formatted == "1.50");
    BOOST_TEST(parsed == 10.5);
    BOOST_TEST(comma_rejected);
}

BOOST_AUTO_TEST_SUITE_END()
