// SPDX-License-Identifier: GPL-3.0-or-later
// argv vectors -> Options / UsageError / InfoRequest, --pin-file, --extra-opts, help text.
#include "cli/help_text.hpp"
#include "cli/options.hpp"
#include "test_support.hpp"

#include <boost/test/data/monomorphic.hpp>
#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include <cctype>
#include <optional>
#include <string>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

namespace bdata = boost::unit_test::data;
using cpt::Options;
using cpt::ParseOutcome;
using cpt_test::EnvGuard;
using cpt_test::name_of;
using cpt_test::TempFile;
using Args = std::vector<std::string>;

namespace {

/// Parses "check_pexip_token" + args.
ParseOutcome parse(const Args& args)
{
    Args argv = {"check_pexip_token"};
    argv.insert(argv.end(), args.begin(), args.end());
    return cpt::parse_options(argv);
}

/// -H node.example.com -a meet + extra.
ParseOutcome parse_with_target(const Args& extra)
{
    Args args = {"-H", "node.example.com", "-a", "meet"};
    args.insert(args.end(), extra.begin(), extra.end());
    return parse(args);
}

std::string describe(const ParseOutcome& outcome)
{
    if (const auto* error = std::get_if<cpt::UsageError>(&outcome)) {
        return "UsageError: " + error->reason;
    }
    if (std::holds_alternative<cpt::InfoRequest>(outcome)) {
        return "InfoRequest";
    }
    return "Options";
}

/// The Options, failing the test (with the reason) when parsing did not give any.
Options require_options(const ParseOutcome& outcome)
{
    const auto* options = std::get_if<Options>(&outcome);
    BOOST_TEST_REQUIRE(options != nullptr, describe(outcome));
    return *options;
}

/// The usage error's reason, or empty when there was none (the test checks).
std::string error_of(const ParseOutcome& outcome)
{
    const auto* error = std::get_if<cpt::UsageError>(&outcome);
    return error == nullptr ? std::string() : error->reason;
}

bool is_usage_error(const ParseOutcome& outcome)
{
    const auto* error = std::get_if<cpt::UsageError>(&outcome);
    return error != nullptr && !error->reason.empty() &&
           error->reason.find('\n') == std::string::npos;
}

std::vector<std::string> lines_of(const std::string& text)
{
    std::vector<std::string> lines;
    std::size_t start = 0;
    while (start < text.size()) {
        std::size_t end = text.find('\n', start);
        if (end == std::string::npos) {
            end = text.size();
        }
        lines.push_back(text.substr(start, end - start));
        start = end + 1;
    }
    return lines;
}

/// Display columns of a UTF-8 line (code points; the help text is plain ASCII anyway).
std::size_t columns(const std::string& line)
{
    std::size_t n = 0;
    for (char c : line) {
        n += (static_cast<unsigned char>(c) & 0xC0U) != 0x80U ? 1U : 0U;
    }
    return n;
}

/// True when text holds "--name" not followed by another option-name character.
bool mentions_long_option(const std::string& text, const std::string& name)
{
    const std::string needle = "--" + name;
    std::size_t pos = 0;
    while ((pos = text.find(needle, pos)) != std::string::npos) {
        const std::size_t after = pos + needle.size();
        const bool longer =
            after < text.size() &&
            (std::isalnum(static_cast<unsigned char>(text[after])) != 0 || text[after] == '-');
        if (!longer) {
            return true;
        }
        pos = after;
    }
    return false;
}

// The long options of the contract (cli-contract.md, "Options").
const std::vector<std::string> contract_long_options = {
    "hostname",
    "ip-address",
    "port",
    "use-ipv4",
    "use-ipv6",
    "alias",
    "display-name",
    "call-tag",
    "pin",
    "pin-file",
    "guest",
    "no-release",
    "challenge-result",
    "expect-service-type",
    "maintenance-result",
    "insecure",
    "ca-file",
    "certificate",
    "client-cert",
    "client-key",
    "warning",
    "critical",
    "timeout",
    "timeout-result",
    "verbose",
    "help",
    "version",
    "extra-opts",
    "min-version",
};

const std::vector<std::string> bad_timeouts = {"abc", "-1",  "0",   "0.0", "5000", "3601",
                                               "",    "1e2", "inf", "nan", "5s",   "1,5"};
const std::vector<std::string> bad_ports = {"0", "65536", "abc", "-1",
                                            "",  "443x",  "1.5", "99999999999999999999"};
const std::vector<std::string> bad_cert_days = {"x",   "30,x",    "",    "-1",   "30,",
                                                ",14", "30,14,7", "1.5", "30;14"};
const std::vector<std::string> bad_states = {"bogus", "4", "", "-1", "WARN", "ok!"};

} // namespace

BOOST_AUTO_TEST_SUITE(options)

BOOST_AUTO_TEST_CASE(minimal_command_line_gives_defaults)
{
    const Options o = require_options(parse_with_target({}));
    BOOST_TEST(o.hostname == "node.example.com");
    BOOST_TEST(o.alias == "meet");
    BOOST_TEST(o.ip_address.empty());
    BOOST_TEST(o.port == 443);
    BOOST_TEST((o.ip_family == cpt::IpFamily::any));
    BOOST_TEST(o.display_name == "check_pexip_token");
    BOOST_TEST(o.call_tag == "check_pexip_token");
    BOOST_TEST((o.pin_mode == cpt::PinMode::none));
    BOOST_TEST(o.pin.empty());
    BOOST_TEST(o.release);
    BOOST_TEST(name_of(o.challenge_result) == "WARNING");
    BOOST_TEST(name_of(o.maintenance_result) == "CRITICAL");
    BOOST_TEST(name_of(o.timeout_result) == "CRITICAL");
    BOOST_TEST(!o.insecure);
    BOOST_TEST(!o.cert_warn_days.has_value());
    BOOST_TEST(!o.cert_crit_days.has_value());
    BOOST_TEST(!o.time_thresholds.warning.has_value());
    BOOST_TEST(!o.time_thresholds.critical.has_value());
    BOOST_TEST(o.timeout_seconds > 0.0);
    BOOST_TEST(o.timeout_seconds < 10.0); // finishes before check_nrpe's default
    BOOST_TEST(o.verbosity == 0);
}

BOOST_AUTO_TEST_CASE(long_forms)
{
    const Options o = require_options(
        parse({"--hostname=node.example.com", "--alias=meet", "--ip-address=192.0.2.10",
               "--port=8443", "--use-ipv6", "--display-name=Probe", "--call-tag=tag", "--insecure",
               "--expect-service-type=test_call", "--no-release"}));
    BOOST_TEST(o.ip_address == "192.0.2.10");
    BOOST_TEST(o.port == 8443);
    BOOST_TEST((o.ip_family == cpt::IpFamily::v6));
    BOOST_TEST(o.display_name == "Probe");
    BOOST_TEST(o.call_tag == "tag");
    BOOST_TEST(o.insecure);
    BOOST_TEST(o.expect_service_type == "test_call");
    BOOST_TEST(!o.release);
}

BOOST_AUTO_TEST_CASE(short_forms)
{
    const Options o =
        require_options(parse({"-H", "node.example.com", "-a", "meet", "-I", "192.0.2.10", "-p",
                               "8443", "-4", "-k", "-C", "30", "-w", "1", "-c", "2", "-t", "5"}));
    BOOST_TEST(o.ip_address == "192.0.2.10");
    BOOST_TEST(o.port == 8443);
    BOOST_TEST((o.ip_family == cpt::IpFamily::v4));
    BOOST_TEST(o.insecure);
    BOOST_TEST(o.cert_warn_days.value_or(-1) == 30);
    BOOST_TEST(o.time_thresholds.warning.has_value());
    BOOST_TEST(o.time_thresholds.critical.has_value());
    BOOST_TEST(o.timeout_seconds == 5.0);
}

BOOST_AUTO_TEST_CASE(hostname_is_required)
{
    const ParseOutcome outcome = parse({"-a", "meet"});
    BOOST_TEST(is_usage_error(outcome), describe(outcome));
    BOOST_TEST(error_of(outcome).find("hostname") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(alias_is_required)
{
    const ParseOutcome outcome = parse({"-H", "node.example.com"});
    BOOST_TEST(is_usage_error(outcome), describe(outcome));
    BOOST_TEST(error_of(outcome).find("alias") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(empty_command_line_is_an_error)
{
    BOOST_TEST(is_usage_error(parse({})));
    BOOST_TEST(is_usage_error(cpt::parse_options({})));
}

BOOST_AUTO_TEST_CASE(empty_hostname_or_alias_is_an_error)
{
    BOOST_TEST(is_usage_error(parse({"-H", "", "-a", "meet"})));
    BOOST_TEST(is_usage_error(parse({"-H", "node.example.com", "-a", ""})));
}

BOOST_AUTO_TEST_CASE(verbosity_counts)
{
    BOOST_TEST(require_options(parse_with_target({"-v"})).verbosity == 1);
    BOOST_TEST(require_options(parse_with_target({"-vvv"})).verbosity == 3);
    BOOST_TEST(require_options(parse_with_target({"-v", "-v", "-v"})).verbosity == 3);
    BOOST_TEST(require_options(parse_with_target({"-vv", "-v"})).verbosity == 3);
    BOOST_TEST(require_options(parse_with_target({"--verbose", "--verbose"})).verbosity == 2);
    BOOST_TEST(require_options(parse_with_target({"-v", "--verbose", "-v"})).verbosity == 3);
}

BOOST_AUTO_TEST_CASE(negative_range_as_separate_value)
{
    const Options o = require_options(parse_with_target({"-w", "-5:5"}));
    BOOST_TEST_REQUIRE(o.time_thresholds.warning.has_value());
    BOOST_TEST(o.time_thresholds.warning->text == "-5:5");
    BOOST_TEST(o.time_thresholds.warning->start == -5.0);
    const Options l = require_options(parse_with_target({"--warning=-5:5"}));
    BOOST_TEST_REQUIRE(l.time_thresholds.warning.has_value());
    BOOST_TEST(l.time_thresholds.warning->text == "-5:5");
    const Options c = require_options(parse_with_target({"--critical", "-5:5"}));
    BOOST_TEST_REQUIRE(c.time_thresholds.critical.has_value());
    BOOST_TEST(c.time_thresholds.critical->text == "-5:5");
}

BOOST_AUTO_TEST_CASE(inside_ranges)
{
    const Options o = require_options(parse_with_target({"--warning=@10:20", "-c@1:2"}));
    BOOST_TEST_REQUIRE(o.time_thresholds.warning.has_value());
    BOOST_TEST(o.time_thresholds.warning->text == "@10:20");
    BOOST_TEST(o.time_thresholds.warning->alert_inside);
    BOOST_TEST_REQUIRE(o.time_thresholds.critical.has_value());
    BOOST_TEST(o.time_thresholds.critical->text == "@1:2");
    const Options t = require_options(parse_with_target({"-w", "~:10"}));
    BOOST_TEST(t.time_thresholds.warning->start_infinite);
}

BOOST_AUTO_TEST_CASE(bad_ranges_are_rejected)
{
    for (const char* spec : {"5:2", "abc", "1:x", "@", "1e3", ""}) {
        BOOST_TEST(is_usage_error(parse_with_target({"-w", spec})), "-w '" << spec << "'");
        BOOST_TEST(is_usage_error(parse_with_target({"--critical=" + std::string(spec)})),
                   "-c '" << spec << "'");
    }
}

BOOST_DATA_TEST_CASE(bad_timeouts_are_rejected, bdata::make(bad_timeouts), value)
{
    const ParseOutcome outcome = parse_with_target({"-t", value});
    BOOST_TEST(is_usage_error(outcome), "-t '" << value << "': " << describe(outcome));
}

BOOST_AUTO_TEST_CASE(fractional_timeout_is_fine)
{
    BOOST_TEST(require_options(parse_with_target({"-t", "0.5"})).timeout_seconds == 0.5);
    BOOST_TEST(require_options(parse_with_target({"--timeout=12"})).timeout_seconds == 12.0);
    BOOST_TEST(require_options(parse_with_target({"-t", "3600"})).timeout_seconds == 3600.0);
}

BOOST_DATA_TEST_CASE(bad_ports_are_rejected, bdata::make(bad_ports), value)
{
    const ParseOutcome outcome = parse_with_target({"-p", value});
    BOOST_TEST(is_usage_error(outcome), "-p '" << value << "': " << describe(outcome));
}

BOOST_AUTO_TEST_CASE(port_bounds)
{
    BOOST_TEST(require_options(parse_with_target({"-p", "1"})).port == 1);
    BOOST_TEST(require_options(parse_with_target({"-p", "65535"})).port == 65535);
}

BOOST_AUTO_TEST_CASE(state_options_any_case_and_digits)
{
    const Options o = require_options(parse_with_target(
        {"--challenge-result=critical", "--timeout-result=3", "--maintenance-result=Warning"}));
    BOOST_TEST(name_of(o.challenge_result) == "CRITICAL");
    BOOST_TEST(name_of(o.timeout_result) == "UNKNOWN");
    BOOST_TEST(name_of(o.maintenance_result) == "WARNING");
    const Options p = require_options(parse_with_target(
        {"--challenge-result", "0", "--timeout-result", "wArNiNg", "--maintenance-result", "ok"}));
    BOOST_TEST(name_of(p.challenge_result) == "OK");
    BOOST_TEST(name_of(p.timeout_result) == "WARNING");
    BOOST_TEST(name_of(p.maintenance_result) == "OK");
}

BOOST_DATA_TEST_CASE(bad_states_are_rejected, bdata::make(bad_states), value)
{
    for (const char* option :
         {"--challenge-result=", "--timeout-result=", "--maintenance-result="}) {
        const ParseOutcome outcome = parse_with_target({option + value});
        BOOST_TEST(is_usage_error(outcome), option << value << ": " << describe(outcome));
    }
}

BOOST_AUTO_TEST_CASE(certificate_days)
{
    const Options w = require_options(parse_with_target({"-C", "30"}));
    BOOST_TEST(w.cert_warn_days.value_or(-1) == 30);
    BOOST_TEST(!w.cert_crit_days.has_value());
    BOOST_TEST(w.cert_days_text == "30");
    const Options wc = require_options(parse_with_target({"--certificate=30,14"}));
    BOOST_TEST(wc.cert_warn_days.value_or(-1) == 30);
    BOOST_TEST(wc.cert_crit_days.value_or(-1) == 14);
    BOOST_TEST(wc.cert_days_text == "30,14");
    const Options zero = require_options(parse_with_target({"-C", "0"}));
    BOOST_TEST(zero.cert_warn_days.value_or(-1) == 0);
}

BOOST_DATA_TEST_CASE(bad_certificate_days_are_rejected, bdata::make(bad_cert_days), value)
{
    const ParseOutcome outcome = parse_with_target({"-C", value});
    BOOST_TEST(is_usage_error(outcome), "-C '" << value << "': " << describe(outcome));
}

BOOST_AUTO_TEST_CASE(pin_modes)
{
    const Options pin = require_options(parse_with_target({"--pin=1234"}));
    BOOST_TEST((pin.pin_mode == cpt::PinMode::pin));
    BOOST_TEST(pin.pin == "1234");
    const Options guest = require_options(parse_with_target({"--guest"}));
    BOOST_TEST((guest.pin_mode == cpt::PinMode::guest));
    BOOST_TEST(guest.pin.empty());
}

BOOST_AUTO_TEST_CASE(pin_and_guest_exclude_each_other)
{
    BOOST_TEST(is_usage_error(parse_with_target({"--pin=1234", "--guest"})));
    BOOST_TEST(is_usage_error(parse_with_target({"--guest", "--pin", "1234"})));
    const TempFile file("1234\n");
    BOOST_TEST(is_usage_error(parse_with_target({"--pin=1234", "--pin-file=" + file.path()})));
    BOOST_TEST(is_usage_error(parse_with_target({"--guest", "--pin-file=" + file.path()})));
}

BOOST_AUTO_TEST_CASE(empty_pin_is_rejected)
{
    BOOST_TEST(is_usage_error(parse_with_target({"--pin", ""})));
    BOOST_TEST(is_usage_error(parse_with_target({"--pin="})));
}

BOOST_AUTO_TEST_CASE(pin_with_control_characters_is_rejected_without_echoing_it)
{
    const ParseOutcome outcome = parse_with_target({"--pin=12\r\n34"});
    BOOST_TEST(is_usage_error(outcome));
    BOOST_TEST(error_of(outcome).find("12") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(pin_file_first_line)
{
    const TempFile file("4321\nsecond line\n");
    const Options o = require_options(parse_with_target({"--pin-file=" + file.path()}));
    BOOST_TEST((o.pin_mode == cpt::PinMode::pin));
    BOOST_TEST(o.pin == "4321");
    BOOST_TEST(o.pin_file == file.path());
}

BOOST_AUTO_TEST_CASE(pin_file_crlf_is_stripped)
{
    const TempFile file("4321\r\n");
    BOOST_TEST(require_options(parse_with_target({"--pin-file", file.path()})).pin == "4321");
    const TempFile no_newline("8765");
    BOOST_TEST(require_options(parse_with_target({"--pin-file", no_newline.path()})).pin == "8765");
}

BOOST_AUTO_TEST_CASE(pin_file_empty_is_an_error)
{
    const TempFile empty("");
    BOOST_TEST(is_usage_error(parse_with_target({"--pin-file=" + empty.path()})));
    const TempFile empty_first_line("\n1234\n");
    BOOST_TEST(is_usage_error(parse_with_target({"--pin-file=" + empty_first_line.path()})));
    const TempFile crlf_only("\r\n");
    BOOST_TEST(is_usage_error(parse_with_target({"--pin-file=" + crlf_only.path()})));
}

BOOST_AUTO_TEST_CASE(pin_file_missing_is_an_error)
{
    const ParseOutcome outcome = parse_with_target({"--pin-file=" + cpt_test::missing_path()});
    BOOST_TEST(is_usage_error(outcome), describe(outcome));
    BOOST_TEST(error_of(outcome).find(cpt_test::missing_path()) != std::string::npos);
}

BOOST_AUTO_TEST_CASE(pin_file_world_readable_flag)
{
    const TempFile world("1234\n", 0644);
    BOOST_TEST(
        require_options(parse_with_target({"--pin-file=" + world.path()})).pin_file_world_readable);
    const TempFile owner_only("1234\n", 0600);
    BOOST_TEST(!require_options(parse_with_target({"--pin-file=" + owner_only.path()}))
                    .pin_file_world_readable);
    const TempFile group("1234\n", 0640);
    BOOST_TEST(!require_options(parse_with_target({"--pin-file=" + group.path()}))
                    .pin_file_world_readable);
}

BOOST_AUTO_TEST_CASE(pin_file_that_is_not_a_regular_file_is_refused_at_once)
{
    // /dev/zero never ends its first line and a FIFO without a writer blocks open(): both
    // used to hang the run (and eat memory) before the -t deadline was armed.
    const TempFile anchor("");
    const std::string fifo = anchor.path() + ".fifo";
    BOOST_TEST_REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
    for (const std::string& path :
         {std::string("/dev/zero"), std::string("/dev/null"), fifo, std::string("/")}) {
        const ParseOutcome outcome = parse_with_target({"--pin-file=" + path});
        BOOST_TEST(is_usage_error(outcome), path << ": " << describe(outcome));
        BOOST_TEST(error_of(outcome).find("cannot read --pin-file") != std::string::npos,
                   describe(outcome));
    }
    ::unlink(fifo.c_str());
}

// Found by fuzz_options: Boost.ProgramOptions looped forever building the message of an error
// whose argument contains the placeholder it is substituted into.
BOOST_AUTO_TEST_CASE(arguments_with_boost_placeholders_give_an_error_at_once,
                     *boost::unit_test::timeout(10))
{
    for (const std::string arg :
         {"--%original_token%", "--%option%", "--x%value%y", "--%canonical_option%", "--%prefix%",
          "-k%original_token%", "--%original_token%=%value%"}) {
        const ParseOutcome outcome = parse_with_target({arg});
        BOOST_TEST(is_usage_error(outcome), arg << ": " << describe(outcome));
        BOOST_TEST(error_of(outcome).find("unrecognised option") != std::string::npos,
                   describe(outcome));
    }
    BOOST_TEST(error_of(parse_with_target({"--100%"})).find("'--100%'") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(pin_file_larger_than_64_kib_is_refused)
{
    const TempFile big("1234\n" + std::string(64 * 1024, '#'));
    const ParseOutcome outcome = parse_with_target({"--pin-file=" + big.path()});
    BOOST_TEST(is_usage_error(outcome), describe(outcome));
    const TempFile fits("1234\n" + std::string(60 * 1024, '#'));
    BOOST_TEST(require_options(parse_with_target({"--pin-file=" + fits.path()})).pin == "1234");
}

BOOST_AUTO_TEST_CASE(ca_file_must_exist)
{
    const ParseOutcome missing = parse_with_target({"--ca-file=" + cpt_test::missing_path()});
    BOOST_TEST(is_usage_error(missing), describe(missing));
    const TempFile bundle("-----BEGIN CERTIFICATE-----\n");
    BOOST_TEST(require_options(parse_with_target({"--ca-file=" + bundle.path()})).ca_file ==
               bundle.path());
}

BOOST_AUTO_TEST_CASE(client_key_needs_client_cert)
{
    const TempFile key("key\n");
    const TempFile cert("cert\n");
    BOOST_TEST(is_usage_error(parse_with_target({"--client-key=" + key.path()})));
    const Options both = require_options(
        parse_with_target({"--client-cert=" + cert.path(), "--client-key=" + key.path()}));
    BOOST_TEST(both.client_cert == cert.path());
    BOOST_TEST(both.client_key == key.path());
    BOOST_TEST(is_usage_error(parse_with_target({"--client-cert=" + cpt_test::missing_path()})));
    BOOST_TEST(is_usage_error(parse_with_target(
        {"--client-cert=" + cert.path(), "--client-key=" + cpt_test::missing_path()})));
}

BOOST_AUTO_TEST_CASE(unknown_option_is_an_error)
{
    BOOST_TEST(is_usage_error(parse_with_target({"--bogus"})));
    BOOST_TEST(is_usage_error(parse_with_target({"-x"})));
    BOOST_TEST(is_usage_error(parse_with_target({"--bogus=1"})));
}

BOOST_AUTO_TEST_CASE(abbreviated_long_options_are_not_guessed)
{
    BOOST_TEST(is_usage_error(parse_with_target({"--pin-f=/etc/x"})));
    BOOST_TEST(is_usage_error(parse_with_target({"--time=5"})));
}

BOOST_AUTO_TEST_CASE(positional_argument_is_rejected)
{
    // Nothing on the command line may be silently ignored.
    BOOST_TEST(is_usage_error(parse_with_target({"extra"})));
    BOOST_TEST(is_usage_error(parse({"extra", "-H", "node.example.com", "-a", "meet"})));
    BOOST_TEST(is_usage_error(parse_with_target({"-v", "meet2"})));
}

BOOST_AUTO_TEST_CASE(ipv4_and_ipv6_together_are_rejected)
{
    BOOST_TEST(is_usage_error(parse_with_target({"-4", "-6"})));
    BOOST_TEST(is_usage_error(parse_with_target({"--use-ipv4", "--use-ipv6"})));
    BOOST_TEST((require_options(parse_with_target({"-4"})).ip_family == cpt::IpFamily::v4));
    BOOST_TEST((require_options(parse_with_target({"-6"})).ip_family == cpt::IpFamily::v6));
}

BOOST_AUTO_TEST_CASE(last_value_wins)
{
    BOOST_TEST(require_options(parse_with_target({"-t", "5", "-t", "6"})).timeout_seconds == 6.0);
    BOOST_TEST(require_options(parse_with_target({"-H", "other.example.com"})).hostname ==
               "other.example.com");
    BOOST_TEST(require_options(parse_with_target({"-w", "1", "--warning=2"}))
                   .time_thresholds.warning->text == "2");
}

BOOST_AUTO_TEST_CASE(hosts_must_look_like_hosts)
{
    BOOST_TEST(require_options(parse({"-H", "[2001:db8::1]", "-a", "meet"})).hostname ==
               "2001:db8::1");
    BOOST_TEST(is_usage_error(parse({"-H", "node.example.com/x", "-a", "meet"})));
    BOOST_TEST(is_usage_error(parse({"-H", "node example", "-a", "meet"})));
    BOOST_TEST(is_usage_error(parse({"-H", "node\r\nHost: evil", "-a", "meet"})));
    BOOST_TEST(is_usage_error(parse_with_target({"-I", "192.0.2.10|x"})));
}

BOOST_AUTO_TEST_CASE(texts_for_headers_and_body_are_checked)
{
    BOOST_TEST(is_usage_error(parse_with_target({"--display-name", ""})));
    BOOST_TEST(is_usage_error(parse_with_target({"--display-name=a\nb"})));
    BOOST_TEST(is_usage_error(parse_with_target({"--display-name=\xff"})));
    BOOST_TEST(require_options(parse_with_target({"--call-tag", ""})).call_tag.empty());
    BOOST_TEST(require_options(parse_with_target({"--display-name=Zo\xc3\xab"})).display_name ==
               "Zo\xc3\xab");
}

BOOST_AUTO_TEST_CASE(usage_errors_are_one_safe_line)
{
    for (const Args& args : {Args{"--bogus\x1b[31m"}, Args{"-t", "a|b\nc"},
                             Args{"--challenge-result=\x07"}, Args{"-p", "\xff"}}) {
        const ParseOutcome outcome = parse_with_target(args);
        BOOST_TEST_REQUIRE(is_usage_error(outcome), describe(outcome));
        const std::string reason = error_of(outcome);
        for (char c : reason) {
            const auto byte = static_cast<unsigned char>(c);
            BOOST_TEST((byte >= 0x20U && byte != 0x7FU), "control byte in: " << reason);
        }
        BOOST_TEST(reason.find('|') == std::string::npos, reason);
    }
}

BOOST_AUTO_TEST_CASE(extra_opts_values_flags_and_comments)
{
    const TempFile ini("[check_pexip_token]\n"
                       "# a comment\n"
                       "hostname = node.example.com\n"
                       "alias=meet\n"
                       "; alias=commented\n"
                       "timeout=7\n"
                       "no-release\n"
                       "insecure\n"
                       "challenge-result=critical\n"
                       "pin=2468\n");
    const Options o = require_options(parse({"--extra-opts=check_pexip_token@" + ini.path()}));
    BOOST_TEST(o.hostname == "node.example.com");
    BOOST_TEST(o.alias == "meet");
    BOOST_TEST(o.timeout_seconds == 7.0);
    BOOST_TEST(!o.release);
    BOOST_TEST(o.insecure);
    BOOST_TEST(name_of(o.challenge_result) == "CRITICAL");
    BOOST_TEST((o.pin_mode == cpt::PinMode::pin));
    BOOST_TEST(o.pin == "2468");
}

BOOST_AUTO_TEST_CASE(extra_opts_named_section_and_default_section)
{
    const TempFile ini("[check_pexip_token]\nhostname=default.example.com\nalias=a\n"
                       "[lab]\nhostname=lab.example.com\nalias=b\n");
    BOOST_TEST(require_options(parse({"--extra-opts=lab@" + ini.path()})).hostname ==
               "lab.example.com");
    BOOST_TEST(require_options(parse({"--extra-opts=@" + ini.path()})).hostname ==
               "default.example.com");
}

BOOST_AUTO_TEST_CASE(extra_opts_one_letter_keys)
{
    // monitoring-plugins writes one-letter keys as "-k=value": the value must still be "5".
    const TempFile ini("[check_pexip_token]\nH=node.example.com\na=meet\nt=5\nw=1:2\nk\n");
    const ParseOutcome outcome = parse({"--extra-opts=@" + ini.path()});
    const Options o = require_options(outcome);
    BOOST_TEST(o.hostname == "node.example.com");
    BOOST_TEST(o.alias == "meet");
    BOOST_TEST(o.timeout_seconds == 5.0);
    BOOST_TEST_REQUIRE(o.time_thresholds.warning.has_value());
    BOOST_TEST(o.time_thresholds.warning->text == "1:2");
    BOOST_TEST(o.insecure);
}

BOOST_AUTO_TEST_CASE(extra_opts_command_line_overrides_the_file)
{
    const TempFile ini("[check_pexip_token]\nhostname=file.example.com\nalias=fromfile\n"
                       "timeout=9\n");
    const Options o =
        require_options(parse({"-a", "meet", "--extra-opts=@" + ini.path(), "-t", "6"}));
    BOOST_TEST(o.hostname == "file.example.com");
    BOOST_TEST(o.alias == "meet");
    BOOST_TEST(o.timeout_seconds == 6.0);
}

BOOST_AUTO_TEST_CASE(extra_opts_unknown_key_is_an_error)
{
    const TempFile ini("[check_pexip_token]\nhostname=node.example.com\nalias=meet\nbogus=1\n");
    const ParseOutcome outcome = parse({"--extra-opts=@" + ini.path()});
    BOOST_TEST(is_usage_error(outcome), describe(outcome));
}

BOOST_AUTO_TEST_CASE(extra_opts_bad_value_is_an_error)
{
    const TempFile ini("[check_pexip_token]\nhostname=node.example.com\nalias=meet\ntimeout=0\n");
    BOOST_TEST(is_usage_error(parse({"--extra-opts=@" + ini.path()})));
}

BOOST_AUTO_TEST_CASE(extra_opts_missing_file_or_section_is_an_error)
{
    const ParseOutcome no_file = parse({"--extra-opts=@" + cpt_test::missing_path()});
    BOOST_TEST(is_usage_error(no_file), describe(no_file));
    const TempFile ini("[other]\nhostname=node.example.com\n");
    const ParseOutcome no_section = parse({"--extra-opts=@" + ini.path()});
    BOOST_TEST(is_usage_error(no_section), describe(no_section));
    const ParseOutcome named = parse({"--extra-opts=nosuch@" + ini.path()});
    BOOST_TEST(is_usage_error(named), describe(named));
}

BOOST_AUTO_TEST_CASE(extra_opts_without_a_file_uses_mp_config_file)
{
    const TempFile ini("[check_pexip_token]\nhostname=env.example.com\nalias=meet\n");
    const EnvGuard env("MP_CONFIG_FILE", ini.path().c_str());
    BOOST_TEST(require_options(parse({"--extra-opts"})).hostname == "env.example.com");
}

BOOST_AUTO_TEST_CASE(extra_opts_file_may_not_recurse)
{
    const TempFile ini("[check_pexip_token]\nhostname=node.example.com\nalias=meet\n"
                       "extra-opts=@/etc/other.ini\n");
    BOOST_TEST(is_usage_error(parse({"--extra-opts=@" + ini.path()})));
}

BOOST_AUTO_TEST_CASE(help_and_version_are_info_requests)
{
    for (const Args& args : {Args{"--help"}, Args{"-h"}, Args{"-H", "x", "-a", "y", "--help"},
                             Args{"--version"}, Args{"-V"}}) {
        const ParseOutcome outcome = parse(args);
        BOOST_TEST(std::holds_alternative<cpt::InfoRequest>(outcome), describe(outcome));
    }
}

BOOST_AUTO_TEST_CASE(help_text_is_what_help_prints)
{
    const ParseOutcome outcome = parse({"--help"});
    const auto* info = std::get_if<cpt::InfoRequest>(&outcome);
    BOOST_TEST_REQUIRE(info != nullptr);
    BOOST_TEST(info->text == cpt::help_text());
    const ParseOutcome version = parse({"--version"});
    const auto* version_info = std::get_if<cpt::InfoRequest>(&version);
    BOOST_TEST_REQUIRE(version_info != nullptr);
    BOOST_TEST(version_info->text == cpt::version_text());
    BOOST_TEST(version_info->text.rfind("check_pexip_token v", 0) == 0U);
}

BOOST_AUTO_TEST_CASE(help_text_fits_80_columns)
{
    for (const std::string& line : lines_of(cpt::help_text())) {
        BOOST_TEST(columns(line) <= 80U, "too wide: '" << line << "'");
        BOOST_TEST(line.find('\t') == std::string::npos);
    }
}

BOOST_AUTO_TEST_CASE(help_text_lists_every_contract_long_option)
{
    const std::string help = cpt::help_text();
    for (const std::string& name : contract_long_options) {
        BOOST_TEST(mentions_long_option(help, name), "--" << name << " missing from --help");
    }
    for (const char* short_form : {"-H,", "-I,", "-p,", "-4,", "-6,", "-a,", "-k,", "-C,", "-w,",
                                   "-c,", "-t,", "-v,", "-h,", "-V,"}) {
        BOOST_TEST(help.find(short_form) != std::string::npos, short_form);
    }
}

BOOST_AUTO_TEST_CASE(usage_text_is_short)
{
    const auto lines = lines_of(cpt::usage_text());
    BOOST_TEST(!lines.empty());
    BOOST_TEST(lines.size() <= 23U);
    for (const std::string& line : lines) {
        BOOST_TEST(columns(line) <= 80U, "too wide: '" << line << "'");
    }
}

BOOST_AUTO_TEST_CASE(min_version_is_kept_as_given)
{
    BOOST_TEST(is_usage_error(parse_with_target({"--min-version="})));
    BOOST_TEST(is_usage_error(parse_with_target({"--min-version", ""})));
    BOOST_TEST(require_options(parse_with_target({})).min_version.empty());
    BOOST_TEST(require_options(parse_with_target({"--min-version=36.10"})).min_version == "36.10");
    BOOST_TEST(require_options(parse_with_target({"--min-version", "37"})).min_version == "37");
}

BOOST_DATA_TEST_CASE(min_version_not_dotted_decimal_is_an_argument_error,
                     bdata::make(std::vector<std::string>{"36.", ".36", "36..1", "v36", "36.1b",
                                                          "-1", "36 ", " 36", "36,1", "+36",
                                                          "3\xc3\xa9"}),
                     text)
{
    const ParseOutcome outcome = parse_with_target({"--min-version=" + text});
    const auto* error = std::get_if<cpt::UsageError>(&outcome);
    BOOST_TEST_REQUIRE(error != nullptr, describe(outcome));
    BOOST_TEST(error->reason.rfind("--min-version must be dotted decimal numbers", 0) == 0U,
               error->reason);
}

BOOST_AUTO_TEST_SUITE_END()
