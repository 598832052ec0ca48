// SPDX-License-Identifier: GPL-3.0-or-later
#include "config.h"

#include "base/text.hpp"
#include "cli/extra_opts.hpp"
#include "cli/option_values.hpp"
#include "cli/pin_source.hpp"

#include <sys/stat.h>

namespace cpt {

namespace {

constexpr std::size_t max_pin_file_bytes = 64 * 1024;

} // namespace

void read_pin_file(Options& options)
{
    std::string line;
    try {
        line = read_regular_file(options.pin_file, "--pin-file", max_pin_file_bytes);
    } catch (const std::runtime_error& error) {
        throw FileArgumentError(error.what());
    }
    line.erase(std::min(line.find('\n'), line.size()));
    if (!line.empty() && line.back() == '\r') {
        line.pop_back();
    }
    if (line.empty()) {
        throw FileArgumentError("--pin-file '" + options.pin_file + "' has an empty first line");
    }
    if (has_control_chars(line)) {
        throw FileArgumentError("the PIN in --pin-file '" + options.pin_file +
                                "' contains control characters");
    }
    options.pin = line;
    struct stat info
    {
    };
    options.pin_file_world_readable =
        ::stat(options.pin_file.c_str(), &info) == 0 && (info.st_mode & S_IROTH) != 0;
}

void read_pin_environment(Options& options, const EnvironmentLookup& lookup)
{
    const std::optional<std::string> value = lookup(pin_environment_variable);
    if (!value || value->empty()) {
        return; // an empty value is no PIN: Icinga sets the variable even when unset
    }
    if (has_control_chars(*value)) {
        throw BadArgument(std::string("the PIN in ") + pin_environment_variable +
                          " contains control characters");
    }
    options.pin_mode = PinMode::pin;
    options.pin_source = PinSource::environment;
    options.pin = *value;
}

} // namespace cpt
