// SPDX-License-Identifier: GPL-3.0-or-later
// The --extra-opts ini reader on its own: sections, keys, flags, comments, missing files.
#include "cli/extra_opts.hpp"
#include "test_support.hpp"

#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

using cpt::read_extra_opts;
using cpt_test::EnvGuard;
using cpt_test::TempFile;
using Args = std::vector<std::string>;

namespace {

const char* const plugin = "check_pexip_token";

const std::string sample_ini = "# monitoring-plugins style ini\n"
                               "; another comment style\n"
                               "[other_plugin]\n"
                               "hostname=wrong.example.com\n"
                               "\n"
                               "[check_pexip_token]\n"
                               "hostname = node.example.com\n"
                               "alias=meet\n"
                               "  # indented comment\n"
                               "t=5\n"
                               "no-release\n"
                               "pin-file = /etc/nagios/pexip.pin   \n"
                               "\n"
                               "[special]\n"
                               "w=@1:2\n"
                               "critical=3\n"
                               "guest\n";

/// A scratch directory with ini files in it, removed at the end.
class IniDir
{
public:
    IniDir()
    {
        std::string pattern = std::filesystem::temp_directory_path().string() + "/cpt_ini_XXXXXX";
        if (::mkdtemp(pattern.data()) == nullptr) {
            throw std::runtime_error("mkdtemp failed");
        }
        path_ = pattern;
    }
    ~IniDir()
    {
        std::error_code ignored;
        std::filesystem::remove_all(path_, ignored);
    }
    IniDir(const IniDir&) = delete;
    IniDir& operator=(const IniDir&) = delete;

    void write(const std::string& name, const std::string& hostname) const
    {
        std::ofstream(path_ + "/" + name) << "[check_pexip_token]\nhostname=" << hostname << "\n";
    }
    const std::string& path() const noexcept { return path_; }

private:
    std::string path_;
};

std::string hostname_from_default_file()
{
    const Args args = read_extra_opts("", plugin);
    return args.size() == 1U ? args[0] : "(" + std::to_string(args.size()) + " arguments)";
}

} // namespace

BOOST_AUTO_TEST_SUITE(extra_opts)

BOOST_AUTO_TEST_CASE(nagios_config_path_directories_are_searched_in_order)
{
    const IniDir empty;
    const IniDir second;
    const IniDir third;
    second.write("plugins.ini", "second.example.com");
    third.write("monitoring-plugins.ini", "third.example.com");
    const EnvGuard no_file("MP_CONFIG_FILE", nullptr);
    const std::string dirs = empty.path() + "::" + second.path() + ":" + third.path();
    const EnvGuard env("NAGIOS_CONFIG_PATH", dirs.c_str());
    BOOST_TEST(hostname_from_default_file() == "--hostname=second.example.com");
}

BOOST_AUTO_TEST_CASE(nagios_config_path_file_names_in_monitoring_plugins_order)
{
    const EnvGuard no_file("MP_CONFIG_FILE", nullptr);
    const IniDir dir;
    const EnvGuard env("NAGIOS_CONFIG_PATH", dir.path().c_str());
    dir.write("nagios-plugins.ini", "nagios-plugins.example.com");
    BOOST_TEST(hostname_from_default_file() == "--hostname=nagios-plugins.example.com");
    dir.write("plugins.ini", "plugins.example.com");
    BOOST_TEST(hostname_from_default_file() == "--hostname=plugins.example.com");
    dir.write("monitoring-plugins.ini", "monitoring-plugins.example.com");
    BOOST_TEST(hostname_from_default_file() == "--hostname=monitoring-plugins.example.com");
}

BOOST_AUTO_TEST_CASE(mp_config_file_wins_over_nagios_config_path)
{
    const IniDir dir;
    dir.write("plugins.ini", "from-path.example.com");
    const TempFile ini("[check_pexip_token]\nhostname=from-mp.example.com\n");
    const EnvGuard env("NAGIOS_CONFIG_PATH", dir.path().c_str());
    const EnvGuard file("MP_CONFIG_FILE", ini.path().c_str());
    BOOST_TEST(hostname_from_default_file() == "--hostname=from-mp.example.com");
}

BOOST_AUTO_TEST_CASE(nagios_config_path_last_directory_without_trailing_colon)
{
    const EnvGuard no_file("MP_CONFIG_FILE", nullptr);
    const IniDir empty;
    const IniDir last;
    last.write("plugins.ini", "last.example.com");
    const std::string dirs = empty.path() + ":" + last.path();
    const EnvGuard env("NAGIOS_CONFIG_PATH", dirs.c_str());
    BOOST_TEST(hostname_from_default_file() == "--hostname=last.example.com");
}

BOOST_AUTO_TEST_CASE(default_section_is_the_plugin_name)
{
    const TempFile ini(sample_ini);
    const Args args = read_extra_opts("@" + ini.path(), plugin);
    // A one-letter key and its value are two arguments: getopt reads "-t=5" as "=5".
    const Args expected = {
        "--hostname=node.example.com",     "--alias=meet", "-t", "5", "--no-release",
        "--pin-file=/etc/nagios/pexip.pin"};
    BOOST_TEST(args == expected, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(named_section)
{
    const TempFile ini(sample_ini);
    const Args args = read_extra_opts("special@" + ini.path(), plugin);
    const Args expected = {"-w", "@1:2", "--critical=3", "--guest"};
    BOOST_TEST(args == expected, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(one_letter_keys_get_one_dash)
{
    const TempFile ini("[check_pexip_token]\nt=5\nv\nw = 1\n");
    const Args args = read_extra_opts("@" + ini.path(), plugin);
    const Args expected = {"-t", "5", "-v", "-w", "1"};
    BOOST_TEST(args == expected, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(comments_are_skipped)
{
    const TempFile ini("[check_pexip_token]\n"
                       "# hostname=commented.example.com\n"
                       "; alias=commented\n"
                       "   # indented\n"
                       "alias=meet # trailing comment\n");
    const Args args = read_extra_opts("@" + ini.path(), plugin);
    BOOST_TEST_REQUIRE(args.size() == 1U);
    BOOST_TEST(args[0] == "--alias=meet");
}

BOOST_AUTO_TEST_CASE(crlf_line_ends_are_trimmed)
{
    const TempFile ini("[check_pexip_token]\r\nalias=meet\r\nno-release\r\n");
    const Args args = read_extra_opts("@" + ini.path(), plugin);
    const Args expected = {"--alias=meet", "--no-release"};
    BOOST_TEST(args == expected, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(section_present_but_empty)
{
    const TempFile ini("[check_pexip_token]\n[next]\nalias=x\n");
    BOOST_TEST(read_extra_opts("@" + ini.path(), plugin).empty());
}

BOOST_AUTO_TEST_CASE(repeated_section_is_merged_in_file_order)
{
    const TempFile ini(
        "[check_pexip_token]\nalias=a\n[x]\nalias=x\n[check_pexip_token]\nport=8443\n");
    const Args args = read_extra_opts("@" + ini.path(), plugin);
    const Args expected = {"--alias=a", "--port=8443"};
    BOOST_TEST(args == expected, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(missing_file_throws)
{
    BOOST_CHECK_THROW(read_extra_opts("@" + cpt_test::missing_path(), plugin), std::runtime_error);
    try {
        read_extra_opts("@" + cpt_test::missing_path(), plugin);
    } catch (const std::runtime_error& error) {
        const std::string what = error.what();
        BOOST_TEST(what.find(cpt_test::missing_path()) != std::string::npos);
        BOOST_TEST(what.find('\n') == std::string::npos);
    }
}

BOOST_AUTO_TEST_CASE(missing_section_throws)
{
    const TempFile ini(sample_ini);
    BOOST_CHECK_THROW(read_extra_opts("nosuchsection@" + ini.path(), plugin), std::runtime_error);
    const TempFile other("[other_plugin]\nalias=x\n");
    BOOST_CHECK_THROW(read_extra_opts("@" + other.path(), plugin), std::runtime_error);
    try {
        read_extra_opts("nosuchsection@" + ini.path(), plugin);
    } catch (const std::runtime_error& error) {
        BOOST_TEST(std::string(error.what()).find("nosuchsection") != std::string::npos);
    }
}

BOOST_AUTO_TEST_CASE(mp_config_file_is_the_default_file)
{
    const TempFile ini(sample_ini);
    const EnvGuard env("MP_CONFIG_FILE", ini.path().c_str());
    const Args by_default = read_extra_opts("", plugin);
    BOOST_TEST_REQUIRE(!by_default.empty());
    BOOST_TEST(by_default[0] == "--hostname=node.example.com");
    const Args by_section = read_extra_opts("special", plugin);
    BOOST_TEST_REQUIRE(by_section.size() == 4U);
    BOOST_TEST(by_section[3] == "--guest");
}

BOOST_AUTO_TEST_CASE(a_file_that_is_not_a_regular_file_is_refused_at_once)
{
    const TempFile anchor("");
    const std::string fifo = anchor.path() + ".fifo";
    BOOST_TEST_REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
    for (const std::string& path : {std::string("/dev/zero"), fifo, std::string("/")}) {
        BOOST_CHECK_THROW(read_extra_opts("@" + path, plugin), std::runtime_error);
        const EnvGuard env("MP_CONFIG_FILE", path.c_str());
        BOOST_CHECK_THROW(read_extra_opts("", plugin), std::runtime_error);
    }
    ::unlink(fifo.c_str());
}

BOOST_AUTO_TEST_CASE(read_regular_file_caps_the_size)
{
    const TempFile file(std::string(100, 'x'));
    BOOST_TEST(cpt::read_regular_file(file.path(), "f", 100).size() == 100U);
    BOOST_CHECK_THROW(cpt::read_regular_file(file.path(), "f", 99), std::runtime_error);
    try {
        cpt::read_regular_file("/dev/zero", "--thing", 10);
        BOOST_FAIL("no exception");
    } catch (const std::runtime_error& error) {
        BOOST_TEST(std::string(error.what()) ==
                   "cannot read --thing '/dev/zero': not a regular file");
    }
}

BOOST_AUTO_TEST_CASE(mp_config_file_pointing_nowhere_throws)
{
    const EnvGuard env("MP_CONFIG_FILE", cpt_test::missing_path().c_str());
    BOOST_CHECK_THROW(read_extra_opts("", plugin), std::runtime_error);
}

BOOST_AUTO_TEST_SUITE_END()
