// SPDX-License-Identifier: GPL-3.0-or-later
// Where the PIN comes from: --pin, --pin-file, --guest, CHECK_PEXIP_TOKEN_PIN (through an
// injected lookup, so no test touches the process environment), and the -vv wording.
#include "cli/options.hpp"
#include "cli/pin_source.hpp"
#include "test_support.hpp"

#include <boost/test/unit_test.hpp>

#include <map>
#include <string>
#include <vector>

using cpt::Options;
using cpt::ParseOutcome;
using cpt::PinMode;
using cpt::PinSource;
using cpt_test::TempFile;
using Args = std::vector<std::string>;

namespace {

/// An environment holding exactly the given variables.
cpt::EnvironmentLookup environment(std::map<std::string, std::string> variables)
{
    return [variables = std::move(variables)](const char* name) -> std::optional<std::string> {
        const auto it = variables.find(name);
        if (it == variables.end()) {
            return std::nullopt;
        }
        return it->second;
    };
}

ParseOutcome parse(const Args& extra, const cpt::EnvironmentLookup& lookup)
{
    Args args = {"check_pexip_token", "-H", "node.example.com", "-a", "meet"};
    args.insert(args.end(), extra.begin(), extra.end());
    return cpt::parse_options(args, lookup);
}

Options require_options(const ParseOutcome& outcome)
{
    const auto* error = std::get_if<cpt::UsageError>(&outcome);
    BOOST_TEST_REQUIRE(std::holds_alternative<Options>(outcome),
                       (error != nullptr ? error->reason : std::string("InfoRequest")));
    return std::get<Options>(outcome);
}

const auto env_pin = environment({{"CHECK_PEXIP_TOKEN_PIN", "env-secret-2468"}});

} // namespace

BOOST_AUTO_TEST_SUITE(pin_source)

BOOST_AUTO_TEST_CASE(environment_pin_without_options)
{
    const Options o = require_options(parse({}, env_pin));
    BOOST_TEST((o.pin_mode == PinMode::pin));
    BOOST_TEST((o.pin_source == PinSource::environment));
    BOOST_TEST(o.pin == "env-secret-2468");
    BOOST_TEST(cpt::pin_source_text(o) == "environment CHECK_PEXIP_TOKEN_PIN");
}

BOOST_AUTO_TEST_CASE(empty_or_unset_environment_is_no_pin)
{
    for (const auto& lookup : {environment({}), environment({{"CHECK_PEXIP_TOKEN_PIN", ""}}),
                               environment({{"CHECK_PEXIP_TOKEN_PIN_X", "1"}, {"PIN", "2"}})}) {
        const Options o = require_options(parse({}, lookup));
        BOOST_TEST((o.pin_mode == PinMode::none));
        BOOST_TEST((o.pin_source == PinSource::none));
        BOOST_TEST(o.pin.empty());
        BOOST_TEST(cpt::pin_source_text(o) == "none");
    }
}

BOOST_AUTO_TEST_CASE(pin_option_wins_over_environment)
{
    const Options o = require_options(parse({"--pin=1234"}, env_pin));
    BOOST_TEST(o.pin == "1234");
    BOOST_TEST((o.pin_source == PinSource::option));
    BOOST_TEST(cpt::pin_source_text(o) == "--pin");
}

BOOST_AUTO_TEST_CASE(pin_file_wins_over_environment)
{
    const TempFile file("4321\n");
    const Options o = require_options(parse({"--pin-file=" + file.path()}, env_pin));
    BOOST_TEST(o.pin == "4321");
    BOOST_TEST((o.pin_source == PinSource::file));
    BOOST_TEST(cpt::pin_source_text(o) == "--pin-file " + file.path());
}

BOOST_AUTO_TEST_CASE(guest_wins_over_environment)
{
    const Options o = require_options(parse({"--guest"}, env_pin));
    BOOST_TEST((o.pin_mode == PinMode::guest));
    BOOST_TEST(o.pin.empty());
    BOOST_TEST(cpt::pin_source_text(o) == "--guest (pin: none)");
}

BOOST_AUTO_TEST_CASE(environment_is_not_read_when_an_option_decides)
{
    int lookups = 0;
    const cpt::EnvironmentLookup counting = [&lookups](const char*) {
        ++lookups;
        return std::optional<std::string>("x");
    };
    require_options(parse({"--guest"}, counting));
    BOOST_TEST(lookups == 0);
    require_options(parse({}, counting));
    BOOST_TEST(lookups == 1);
}

BOOST_AUTO_TEST_CASE(environment_pin_with_control_characters_is_an_error_without_echo)
{
    const ParseOutcome outcome =
        parse({}, environment({{"CHECK_PEXIP_TOKEN_PIN", "12\n34-secret"}}));
    const auto* error = std::get_if<cpt::UsageError>(&outcome);
    BOOST_TEST_REQUIRE(error != nullptr);
    BOOST_TEST(error->reason == "the PIN in CHECK_PEXIP_TOKEN_PIN contains control characters");
}

BOOST_AUTO_TEST_CASE(help_and_version_ignore_the_environment)
{
    const auto broken = environment({{"CHECK_PEXIP_TOKEN_PIN", "\x1b"}});
    BOOST_TEST(std::holds_alternative<cpt::InfoRequest>(
        cpt::parse_options({"check_pexip_token", "--help"}, broken)));
}

BOOST_AUTO_TEST_SUITE_END()
