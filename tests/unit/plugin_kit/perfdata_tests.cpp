// SPDX-License-Identifier: GPL-3.0-or-later
// One perfdata item: quoted label, '.' decimals in any locale, trailing empty fields dropped.
#include "plugin_kit/perfdata.hpp"

#include <boost/test/unit_test.hpp>

#include <clocale>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <locale>
#include <optional>
#include <string>

namespace {

cpt::PerfValue time_value(double value)
{
    cpt::PerfValue perf;
    perf.label = "time";
    perf.value = value;
    perf.uom = "s";
    return perf;
}

/// Restores the C and C++ global locales to "C" however the test ends.
struct LocaleGuard
{
    LocaleGuard() = default;
    LocaleGuard(const LocaleGuard&) = delete;
    LocaleGuard& operator=(const LocaleGuard&) = delete;
    ~LocaleGuard()
    {
        std::locale::global(std::locale::classic());
        std::setlocale(LC_ALL, "C");
    }
};

/// A C++ locale that uses ',' as the decimal point and '.' to group thousands.
struct CommaDecimal : std::numpunct<char>
{
    char do_decimal_point() const override { return ','; }
    char do_thousands_sep() const override { return '.'; }
    std::string do_grouping() const override { return "\3"; }
};

std::optional<std::locale> installed_german_locale()
{
    for (const char* name : {"de_DE.UTF-8", "de_DE.utf8", "de_DE"}) {
        try {
            return std::locale(name);
        } catch (const std::runtime_error&) {
        }
    }
    return std::nullopt;
}

/// de_DE.UTF-8 compiled by localedef into a scratch LOCPATH when the system lacks it (glibc
/// reads LOCPATH at every setlocale); the directory goes, and LOCPATH with it, at the end.
class ScratchGermanLocale
{
public:
    ScratchGermanLocale()
    {
        char pattern[] = "/tmp/cpt-locale-XXXXXX";
        if (::mkdtemp(pattern) == nullptr) {
            return;
        }
        dir_ = pattern;
        const std::string command =
            "localedef -i de_DE -f UTF-8 '" + dir_ + "/de_DE.UTF-8' >/dev/null 2>&1";
        // Exit 1 means warnings only: the locale is written and usable.
        const int status = std::system(command.c_str());
        BOOST_TEST_MESSAGE("localedef into " << dir_ << " returned " << status);
        ::setenv("LOCPATH", dir_.c_str(), 1);
    }
    ~ScratchGermanLocale()
    {
        if (!dir_.empty()) {
            ::unsetenv("LOCPATH");
            std::error_code ignored;
            std::filesystem::remove_all(dir_, ignored);
        }
    }
    ScratchGermanLocale(const ScratchGermanLocale&) = delete;
    ScratchGermanLocale& operator=(const ScratchGermanLocale&) = delete;

private:
    std::string dir_;
};

} // namespace

BOOST_AUTO_TEST_SUITE(perfdata)

BOOST_AUTO_TEST_CASE(label_is_always_quoted)
{
    cpt::PerfValue perf;
    perf.label = "cert_days";
    perf.value = 42;
    perf.decimals = 0;
    BOOST_TEST(cpt::format_perfdata(perf) == "'cert_days'=42");
}

BOOST_AUTO_TEST_CASE(value_has_six_decimals_and_the_uom)
{
    BOOST_TEST(cpt::format_perfdata(time_value(0.042)) == "'time'=0.042000s");
    BOOST_TEST(cpt::format_perfdata(time_value(1.0)) == "'time'=1.000000s");
    BOOST_TEST(cpt::format_perfdata(time_value(0.0)) == "'time'=0.000000s");
}

BOOST_AUTO_TEST_CASE(full_item_with_min_0_and_max_8)
{
    cpt::PerfValue perf = time_value(0.042);
    perf.warn = "1";
    perf.crit = "2";
    perf.min = 0.0;
    perf.max = 8.0;
    BOOST_TEST(cpt::format_perfdata(perf) == "'time'=0.042000s;1;2;0;8");
}

BOOST_AUTO_TEST_CASE(min_and_max_without_thresholds_keep_empty_fields)
{
    cpt::PerfValue perf = time_value(0.5);
    perf.min = 0.0;
    perf.max = 8.0;
    BOOST_TEST(cpt::format_perfdata(perf) == "'time'=0.500000s;;;0;8");
}

BOOST_AUTO_TEST_CASE(trailing_empty_fields_are_dropped)
{
    cpt::PerfValue perf = time_value(0.5);
    perf.warn = "1";
    BOOST_TEST(cpt::format_perfdata(perf) == "'time'=0.500000s;1");
    perf.warn.clear();
    perf.crit = "2";
    BOOST_TEST(cpt::format_perfdata(perf) == "'time'=0.500000s;;2");
    perf.crit.clear();
    perf.min = 0.0;
    BOOST_TEST(cpt::format_perfdata(perf) == "'time'=0.500000s;;;0");
}

BOOST_AUTO_TEST_CASE(thresholds_are_verbatim)
{
    cpt::PerfValue perf = time_value(1.5);
    perf.warn = "@1:2";
    perf.crit = "~:10";
    perf.min = 0.0;
    perf.max = 8.0;
    BOOST_TEST(cpt::format_perfdata(perf) == "'time'=1.500000s;@1:2;~:10;0;8");
}

BOOST_AUTO_TEST_CASE(fractional_max_has_no_trailing_zeros)
{
    cpt::PerfValue perf = time_value(0.1);
    perf.min = 0.0;
    perf.max = 0.5;
    BOOST_TEST(cpt::format_perfdata(perf) == "'time'=0.100000s;;;0;0.5");
    perf.max = 12.25;
    BOOST_TEST(cpt::format_perfdata(perf) == "'time'=0.100000s;;;0;12.25");
}

BOOST_AUTO_TEST_CASE(whole_number_days)
{
    cpt::PerfValue perf;
    perf.label = "cert_days";
    perf.value = 10;
    perf.decimals = 0;
    perf.warn = "30:";
    perf.crit = "14:";
    BOOST_TEST(cpt::format_perfdata(perf) == "'cert_days'=10;30:;14:");
    perf.value = -3;
    BOOST_TEST(cpt::format_perfdata(perf) == "'cert_days'=-3;30:;14:");
}

BOOST_AUTO_TEST_CASE(other_decimal_counts)
{
    cpt::PerfValue perf = time_value(1.23456);
    perf.decimals = 3;
    BOOST_TEST(cpt::format_perfdata(perf) == "'time'=1.235s");
    perf.decimals = 0;
    perf.value = 7.0;
    BOOST_TEST(cpt::format_perfdata(perf) == "'time'=7s");
}

BOOST_AUTO_TEST_CASE(large_values_have_no_exponent_and_no_grouping)
{
    cpt::PerfValue perf = time_value(1234567.5);
    const std::string text = cpt::format_perfdata(perf);
    BOOST_TEST(text == "'time'=1234567.500000s");
    const std::string value = text.substr(text.find('=') + 1);
    BOOST_TEST(value.find_first_of("eE,") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(stub_comma_locale_still_gives_a_dot)
{
    const LocaleGuard guard;
    std::locale::global(std::locale(std::locale::classic(), new CommaDecimal));
    cpt::PerfValue perf = time_value(1234.5);
    perf.min = 0.0;
    perf.max = 0.5;
    BOOST_TEST(cpt::format_perfdata(perf) == "'time'=1234.500000s;;;0;0.5");
}

BOOST_AUTO_TEST_CASE(german_locale_still_gives_a_dot)
{
    std::optional<ScratchGermanLocale> scratch;
    std::optional<std::locale> german = installed_german_locale();
    if (!german) {
        scratch.emplace();
        german = installed_german_locale();
    }
    const LocaleGuard guard; // restores "C" before the scratch locale directory goes
    // Never a silent pass: without the locale this case fails (.ci/install-deps makes it).
    BOOST_TEST_REQUIRE(german.has_value(), "de_DE.UTF-8 is neither installed nor buildable "
                                           "with localedef (install the Debian package locales)");
    BOOST_TEST_REQUIRE(std::setlocale(LC_ALL, "de_DE.UTF-8") != nullptr);
    std::locale::global(*german);
    // Prove the locale is really in effect for the C library before trusting the result.
    char probe[16];
    std::snprintf(probe, sizeof probe, "%.1f", 1.5);
    BOOST_TEST_REQUIRE(std::string(probe) == "1,5");
    cpt::PerfValue perf = time_value(1234.5);
    perf.warn = "0.5";
    perf.min = 0.0;
    perf.max = 8.5;
    BOOST_TEST(cpt::format_perfdata(perf) == "'time'=1234.500000s;0.5;;0;8.5");
}

BOOST_AUTO_TEST_CASE(locale_is_restored_to_c)
{
    // Runs after the locale cases: nothing may have leaked into later suites.
    BOOST_TEST(std::locale().name() == "C");
    const char* current = std::setlocale(LC_NUMERIC, nullptr);
    BOOST_TEST_REQUIRE(current != nullptr);
    BOOST_TEST(std::string(current) == "C");
}

BOOST_AUTO_TEST_SUITE_END()
