// SPDX-License-Identifier: GPL-3.0-or-later
// The result tree: worst state, line 1 wording, long output, redaction, sanitising, 8 KiB cap.
#include "plugin_kit/check_result.hpp"
#include "test_support.hpp"

#include <boost/test/unit_test.hpp>

#include <string>
#include <vector>

using cpt::CheckResult;
using cpt::State;
using cpt::Subcheck;
using cpt_test::name_of;

namespace {

std::string first_line(const std::string& output)
{
    return output.substr(0, output.find('\n'));
}

std::vector<std::string> lines_of(const std::string& output)
{
    std::vector<std::string> lines;
    std::size_t start = 0;
    while (start < output.size()) {
        const std::size_t end = output.find('\n', start);
        if (end == std::string::npos) {
            lines.push_back(output.substr(start));
            break;
        }
        lines.push_back(output.substr(start, end - start));
        start = end + 1;
    }
    return lines;
}

std::size_t count_of(const std::string& text, char c)
{
    std::size_t n = 0;
    for (char x : text) {
        n += x == c ? 1U : 0U;
    }
    return n;
}

cpt::PerfValue perf(const char* label, double value)
{
    cpt::PerfValue p;
    p.label = label;
    p.value = value;
    p.uom = "s";
    p.min = 0.0;
    p.max = 8.0;
    return p;
}

CheckResult token_result()
{
    CheckResult result;
    result.add(Subcheck{"request_token", State::ok,
                        "token issued in 0.042 s, released (conference, HOST, version 36)", true});
    result.add(Subcheck{"release_token", State::ok, "released in 0.010 s"});
    return result;
}

} // namespace

BOOST_AUTO_TEST_SUITE(check_result)

BOOST_AUTO_TEST_CASE(empty_result_is_ok)
{
    const CheckResult result;
    BOOST_TEST(name_of(result.state()) == "OK");
    BOOST_TEST(result.subchecks().empty());
    BOOST_TEST(result.perfdata().empty());
}

BOOST_AUTO_TEST_CASE(state_is_the_worst_subcheck)
{
    CheckResult result = token_result();
    BOOST_TEST(name_of(result.state()) == "OK");
    result.add(Subcheck{"certificate", State::unknown, "certificate expiry could not be read"});
    BOOST_TEST(name_of(result.state()) == "UNKNOWN");
    result.add(Subcheck{"time", State::warning, "response time 1.234 s outside warning range 1"});
    BOOST_TEST(name_of(result.state()) == "WARNING");
    result.add(Subcheck{"service_type", State::critical, "x"});
    BOOST_TEST(name_of(result.state()) == "CRITICAL");
    result.add(Subcheck{"other", State::ok, "fine"});
    BOOST_TEST(name_of(result.state()) == "CRITICAL");
}

BOOST_AUTO_TEST_CASE(line1_format_with_perfdata)
{
    CheckResult result = token_result();
    result.add_perfdata(perf("time", 0.042));
    result.add_perfdata(perf("time_release", 0.01));
    BOOST_TEST(result.render(0) ==
               "PEXIP TOKEN OK: token issued in 0.042 s, released (conference, HOST, version 36) "
               "| 'time'=0.042000s;;;0;8 'time_release'=0.010000s;;;0;8\n");
}

BOOST_AUTO_TEST_CASE(no_perfdata_means_no_pipe)
{
    CheckResult result;
    result.add(Subcheck{"request_token", State::critical,
                        "cannot connect to node.example.com port 443: Connection refused"});
    const std::string output = result.render(0);
    BOOST_TEST(output ==
               "PEXIP TOKEN CRITICAL: cannot connect to node.example.com port 443: Connection "
               "refused\n");
    BOOST_TEST(output.find('|') == std::string::npos);
}

BOOST_AUTO_TEST_CASE(summary_worst_first_then_ok_primary)
{
    CheckResult result;
    result.add(Subcheck{"request_token", State::ok, "token issued in 0.042 s (conference)", true});
    result.add(Subcheck{"release_token", State::warning, "token release failed: HTTP 500"});
    result.add(Subcheck{"certificate", State::unknown, "certificate expiry could not be read"});
    result.add(Subcheck{"time", State::critical, "response time 3.000 s outside critical range 2"});
    result.add(Subcheck{"service_type", State::warning, "service type test_call, expected x"});
    result.add(Subcheck{"extra", State::ok, "an OK non-primary summary is not shown"});
    BOOST_TEST(first_line(result.render(0)) ==
               "PEXIP TOKEN CRITICAL: response time 3.000 s outside critical range 2, token "
               "release failed: HTTP 500, service type test_call, expected x, certificate expiry "
               "could not be read, token issued in 0.042 s (conference)");
}

BOOST_AUTO_TEST_CASE(problems_of_equal_state_keep_their_order)
{
    CheckResult result;
    result.add(Subcheck{"a", State::warning, "first"});
    result.add(Subcheck{"b", State::warning, "second"});
    result.add(Subcheck{"c", State::warning, "third"});
    BOOST_TEST(first_line(result.render(0)) == "PEXIP TOKEN WARNING: first, second, third");
}

BOOST_AUTO_TEST_CASE(non_ok_primary_is_listed_once_with_the_problems)
{
    CheckResult result;
    result.add(Subcheck{"request_token", State::critical, "HTTP 502 Bad Gateway", true});
    BOOST_TEST(first_line(result.render(0)) == "PEXIP TOKEN CRITICAL: HTTP 502 Bad Gateway");
}

BOOST_AUTO_TEST_CASE(long_output_only_with_verbosity)
{
    CheckResult result = token_result();
    result.add_perfdata(perf("time", 0.042));
    result.add_detail("node: Pexip Infinity version 36");
    const std::string quiet = result.render(0);
    BOOST_TEST(lines_of(quiet).size() == 1U);
    BOOST_TEST(quiet.back() == '\n');
    const std::string verbose = result.render(1);
    const auto lines = lines_of(verbose);
    BOOST_TEST_REQUIRE(lines.size() == 4U);
    BOOST_TEST(lines[0] == first_line(quiet));
    BOOST_TEST(lines[1] ==
               "\\_ [OK] request_token: token issued in 0.042 s, released (conference, HOST, "
               "version 36)");
    BOOST_TEST(lines[2] == "\\_ [OK] release_token: released in 0.010 s");
    BOOST_TEST(lines[3] == "node: Pexip Infinity version 36");
    BOOST_TEST(verbose.back() == '\n');
    BOOST_TEST(verbose.find('\r') == std::string::npos);
}

BOOST_AUTO_TEST_CASE(details_follow_their_min_verbosity)
{
    CheckResult result = token_result();
    result.add_detail("level one");
    result.add_detail("level two", 2);
    result.add_detail("level three", 3);
    const auto has = [](const std::string& output, const char* text) {
        return output.find(text) != std::string::npos;
    };
    BOOST_TEST(!has(result.render(0), "level one"));
    BOOST_TEST(has(result.render(1), "level one"));
    BOOST_TEST(!has(result.render(1), "level two"));
    BOOST_TEST(has(result.render(2), "level two"));
    BOOST_TEST(!has(result.render(2), "level three"));
    BOOST_TEST(has(result.render(3), "level three"));
    BOOST_TEST(has(result.render(3), "level one"));
}

BOOST_AUTO_TEST_CASE(secrets_are_redacted_everywhere)
{
    const std::string pin = "735911";
    const std::string token = "FAKE-secret-token_Zz9=";
    CheckResult result;
    result.add_secret(pin);
    result.add_secret(token);
    result.add_secret("");
    result.add(Subcheck{"request_token", State::warning,
                        "odd reply mentioning " + token + " and pin " + pin});
    result.add_detail("> pin: " + pin, 3);
    result.add_detail("< {\"token\":\"" + token + "\"}", 3);
    result.add_detail("level one " + token);
    for (int verbosity = 0; verbosity <= 3; ++verbosity) {
        const std::string output = result.render(verbosity);
        BOOST_TEST(output.find(pin) == std::string::npos, "verbosity " << verbosity);
        BOOST_TEST(output.find(token) == std::string::npos, "verbosity " << verbosity);
    }
    const std::string output = result.render(3);
    BOOST_TEST(first_line(output) ==
               "PEXIP TOKEN WARNING: odd reply mentioning <redacted> and pin <redacted>");
    BOOST_TEST(output.find("> pin: <redacted>") != std::string::npos);
    BOOST_TEST(output.find("\\_ [WARNING] request_token: odd reply mentioning <redacted>") !=
               std::string::npos);
}

BOOST_AUTO_TEST_CASE(secret_with_a_pipe_or_control_char_is_still_redacted)
{
    const std::string token = "tok|en\x01x";
    CheckResult result;
    result.add_secret(token);
    result.add(Subcheck{"request_token", State::critical, "saw " + token});
    result.add_detail("detail " + token);
    const std::string output = result.render(1);
    BOOST_TEST(output.find("tok/en?x") == std::string::npos);
    BOOST_TEST(output.find("tok|en") == std::string::npos);
    BOOST_TEST(output.find("<redacted>") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(pipes_and_control_chars_in_summaries_are_sanitised)
{
    CheckResult result;
    result.add(Subcheck{"request_token", State::critical,
                        "HTTP 502: bad|gateway\x1b[31m\r\nX-Evil: 1\x7f\xc2\x9b\xff"});
    result.add_perfdata(perf("time", 0.5));
    result.add_detail("detail|with\rcontrols\n and \x1b");
    const std::string output = result.render(1);
    BOOST_TEST(first_line(output) ==
               "PEXIP TOKEN CRITICAL: HTTP 502: bad/gateway?[31m??X-Evil: 1??? | "
               "'time'=0.500000s;;;0;8");
    BOOST_TEST(count_of(output, '|') == 1U);
    BOOST_TEST(output.find('\r') == std::string::npos);
    BOOST_TEST(output.find('\x1b') == std::string::npos);
    BOOST_TEST(output.find('\x7f') == std::string::npos);
    const auto lines = lines_of(output);
    BOOST_TEST_REQUIRE(lines.size() == 3U);
    BOOST_TEST(lines[2] == "detail/with?controls? and ?");
}

BOOST_AUTO_TEST_CASE(trailing_whitespace_of_a_summary_is_dropped_not_shown)
{
    CheckResult result;
    result.add(Subcheck{"request_token", State::critical, "TLS handshake failed: node:443 "});
    result.add(Subcheck{"release_token", State::warning, "HTTP 403: Invalid token\r\n"});
    result.add_detail("trace line \t ");
    const std::string output = result.render(1);
    BOOST_TEST(first_line(output) ==
               "PEXIP TOKEN CRITICAL: TLS handshake failed: node:443, HTTP 403: Invalid token");
    const auto lines = lines_of(output);
    BOOST_TEST_REQUIRE(lines.size() == 4U);
    BOOST_TEST(lines[2] == "\\_ [WARNING] release_token: HTTP 403: Invalid token");
    BOOST_TEST(lines[3] == "trace line");
}

BOOST_AUTO_TEST_CASE(subcheck_names_are_sanitised_in_long_output)
{
    CheckResult result;
    result.add(Subcheck{"name|x\n", State::ok, "ok", true});
    const std::string output = result.render(1);
    BOOST_TEST(count_of(output, '|') == 0U);
    BOOST_TEST(lines_of(output).size() == 2U);
}

BOOST_AUTO_TEST_CASE(huge_details_are_capped_at_8_kib)
{
    CheckResult result = token_result();
    result.add_perfdata(perf("time", 0.042));
    for (int i = 0; i < 200; ++i) {
        result.add_detail("detail " + std::to_string(i) + " " + std::string(900, 'x'));
    }
    const std::string output = result.render(1);
    BOOST_TEST(output.size() <= cpt::max_output_bytes);
    BOOST_TEST(output.size() <= 8192U);
    BOOST_TEST(output.find("(output truncated)") != std::string::npos);
    BOOST_TEST(output.back() == '\n');
    BOOST_TEST(first_line(output).find("PEXIP TOKEN OK: token issued") == 0U);
}

BOOST_AUTO_TEST_CASE(one_enormous_detail_line_is_capped)
{
    CheckResult result = token_result();
    result.add_detail(std::string(100000, 'y'), 3);
    const std::string output = result.render(3);
    BOOST_TEST(output.size() <= cpt::max_output_bytes);
}

BOOST_AUTO_TEST_CASE(enormous_summary_is_capped)
{
    CheckResult result;
    for (int i = 0; i < 50; ++i) {
        result.add(Subcheck{"s" + std::to_string(i), State::warning, std::string(1000, 'z')});
    }
    result.add_perfdata(perf("time", 0.042));
    const std::string output = result.render(3);
    BOOST_TEST(output.size() <= cpt::max_output_bytes);
    // The perfdata survives the cut of the summary.
    BOOST_TEST(first_line(output).find(" | 'time'=0.042000s;;;0;8") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(small_output_is_not_marked_truncated)
{
    CheckResult result = token_result();
    result.add_detail("just one line");
    BOOST_TEST(result.render(3).find("(output truncated)") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(utf8_in_summaries_is_kept)
{
    CheckResult result;
    result.add(Subcheck{"request_token", State::critical, "alias 'caf\xc3\xa9' not found"});
    BOOST_TEST(first_line(result.render(0)) ==
               "PEXIP TOKEN CRITICAL: alias 'caf\xc3\xa9' not found");
}

BOOST_AUTO_TEST_SUITE_END()
