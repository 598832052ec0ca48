// SPDX-License-Identifier: GPL-3.0-or-later
// libFuzzer target: argv vectors through the option parser (Boost.ProgramOptions, the value
// checks, --pin-file and --extra-opts), and the UNKNOWN output an argument error gives.
//
// Input: byte 0 chooses the separator (even: NUL, as the kernel delivers argv; odd: LF, so
// that arguments can carry NUL bytes in-process), the rest is split into at most 64
// arguments after argv[0].
//
// parse_options reads the files named by --pin-file, --extra-opts, --ca-file, --client-cert
// and --client-key: the target runs in a scratch directory of its own (a PIN file, an ini
// file, a FIFO nobody writes) and skips every input that names such a file by a path with a
// '/', so it can never open anything else. $MP_CONFIG_FILE names the scratch ini file.
#include "config.h"

#include "base/text.hpp"
#include "cli/options.hpp"
#include "fuzz_check.hpp"
#include "plugin.hpp"
#include "plugin_kit/check_result.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <sys/stat.h>
#include <unistd.h>
#include <variant>
#include <vector>

namespace {

std::string scratch;

void remove_scratch()
{
    for (const char* name : {"pin", "pin-ctl", "plugin.ini", "ca.pem", "fifo", "empty"}) {
        ::unlink((scratch + "/" + name).c_str());
    }
    ::rmdir(scratch.c_str());
}

void write(const char* name, std::string_view content, mode_t mode)
{
    const std::string path = scratch + "/" + name;
    std::FILE* file = std::fopen(path.c_str(), "wb");
    if (file == nullptr) {
        std::abort();
    }
    std::fwrite(content.data(), 1, content.size(), file);
    std::fclose(file);
    ::chmod(path.c_str(), mode);
}

bool names_a_file_elsewhere(const std::vector<std::string>& args)
{
    static const std::string_view file_options[] = {"--pin-file", "--extra-opts", "--ca-file",
                                                    "--client-cert", "--client-key"};
    for (std::size_t i = 1; i < args.size(); ++i) {
        const std::string& arg = args[i];
        for (const std::string_view option : file_options) {
            if (arg.compare(0, option.size(), option) != 0) {
                continue;
            }
            // --opt=VALUE, or --opt VALUE; anything after a '/' could leave the directory
            if (arg.find('/') != std::string::npos) {
                return true;
            }
            if (i + 1 < args.size() && args[i + 1].find('/') != std::string::npos) {
                return true;
            }
        }
    }
    return false;
}

} // namespace

extern "C" int LLVMFuzzerInitialize(int* /*argc*/, char*** /*argv*/)
{
    const char* tmp = std::getenv("TMPDIR");
    std::string pattern =
        std::string(tmp != nullptr && *tmp == '/' ? tmp : "/tmp") + "/cpt-fuzz-options-XXXXXX";
    if (::mkdtemp(pattern.data()) == nullptr || ::chdir(pattern.c_str()) != 0) {
        std::abort();
    }
    scratch = pattern;
    std::atexit(remove_scratch);
    write("pin", "90210731\nsecond line\n", 0644);
    write("pin-ctl", "12\x1b[31m34\n", 0600);
    write("empty", "", 0600);
    write("plugin.ini",
          "[check_pexip_token]\nhostname=localhost\nalias=meet\n"
          "[pexip]\n-H = node.example.com\na=meet\npin-file=pin\nverbose\n"
          "[bad]\nbogus=1\n[nested]\nextra-opts=x\n[ctl]\ndisplay-name=a\x1b[2Jb\n",
          0600);
    write("ca.pem", "-----BEGIN CERTIFICATE-----\n", 0644);
    ::mkfifo((scratch + "/fifo").c_str(), 0600); // must be refused, never waited on
    ::setenv("MP_CONFIG_FILE", (scratch + "/plugin.ini").c_str(), 1);
    ::unsetenv("NAGIOS_CONFIG_PATH");
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    if (size < 1) {
        return 0;
    }
    const char separator = (data[0] & 1) != 0 ? '\n' : '\0';
    std::vector<std::string> args{"check_pexip_token"};
    std::string_view rest(reinterpret_cast<const char*>(data) + 1, size - 1);
    while (!rest.empty() && args.size() <= 64) {
        const std::size_t end = rest.find(separator);
        args.emplace_back(rest.substr(0, end));
        if (end == std::string_view::npos) {
            break;
        }
        rest.remove_prefix(end + 1);
    }
    if (names_a_file_elsewhere(args)) {
        return -1; // not added to the corpus
    }

    const cpt::ParseOutcome outcome = cpt::parse_options(args);
    if (const auto* info = std::get_if<cpt::InfoRequest>(&outcome)) {
        FUZZ_CHECK(!info->text.empty() && info->text.size() <= cpt::max_output_bytes, info->text);
        FUZZ_CHECK(cpt_fuzz::printable(info->text, true), info->text);
        FUZZ_CHECK(info->text.find('|') == std::string::npos, info->text);
        return 0;
    }
    if (const auto* error = std::get_if<cpt::UsageError>(&outcome)) {
        FUZZ_CHECK(!error->reason.empty(), "empty reason");
        FUZZ_CHECK(cpt_fuzz::printable(error->reason, false), error->reason);
        FUZZ_CHECK(error->reason.find('|') == std::string::npos, error->reason);
        // What run_plugin prints (it cannot be called here: it would probe).
        cpt_fuzz::check_output(cpt::usage_error_output(error->reason, error->with_usage),
                               cpt::State::unknown, {});
        return 0;
    }
    const cpt::Options& o = std::get<cpt::Options>(outcome);
    // What reaches a header, the JSON body, the URL or the deadline is sane.
    FUZZ_CHECK(o.timeout_seconds > 0.0 && o.timeout_seconds <= 3600.0,
               std::to_string(o.timeout_seconds));
    FUZZ_CHECK(o.port >= 1 && o.port <= 65535, std::to_string(o.port));
    FUZZ_CHECK(o.verbosity >= 0, std::to_string(o.verbosity));
    FUZZ_CHECK(!o.hostname.empty() && o.hostname.size() <= 253, o.hostname);
    for (const std::string* host : {&o.hostname, &o.ip_address}) {
        for (char c : *host) {
            const auto byte = static_cast<unsigned char>(c);
            FUZZ_CHECK((byte >= 'a' && byte <= 'z') || (byte >= 'A' && byte <= 'Z') ||
                           (byte >= '0' && byte <= '9') || c == '-' || c == '.' || c == '_' ||
                           c == ':' || c == '%',
                       *host);
        }
    }
    FUZZ_CHECK(!o.alias.empty() && o.alias.size() <= 1024, o.alias);
    for (const std::string* text : {&o.display_name, &o.call_tag, &o.expect_service_type}) {
        FUZZ_CHECK(!cpt::has_control_chars(*text) && cpt::is_valid_utf8(*text), *text);
        FUZZ_CHECK(text->size() <= 1024, *text);
    }
    FUZZ_CHECK(!o.display_name.empty(), "empty display name");
    FUZZ_CHECK(!cpt::has_control_chars(o.pin), "control character in the PIN");
    FUZZ_CHECK((o.pin_mode == cpt::PinMode::pin) == !o.pin.empty(), "PIN mode and PIN disagree");
    FUZZ_CHECK(!o.client_key.empty() ? !o.client_cert.empty() : true, "key without cert");
    if (o.cert_crit_days) {
        FUZZ_CHECK(o.cert_warn_days.has_value(), "CRIT days without WARN days");
    }
    for (const auto* range : {&o.time_thresholds.warning, &o.time_thresholds.critical}) {
        if (*range) {
            FUZZ_CHECK((*range)->text.find_first_of(" ;|'=") == std::string::npos, (*range)->text);
        }
    }
    return 0;
}
