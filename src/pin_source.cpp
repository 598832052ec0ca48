// SPDX-License-Identifier: GPL-3.0-or-later
#include "config.h"

#include "extra_opts.hpp"
#include "option_values.hpp"
#include "pin_source.hpp"
#include "text.hpp"

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
        throw BadArgument(error.what());
    }
    line.erase(std::min(line.find('\n'), line.size()));
    if (!line.empty() && line.back() == '\r') {
        line.pop_back();
    }
    if (line.empty()) {
        throw BadArgument("--pin-file '" + options.pin_file + "' has an empty first line");
    }
    if (has_control_chars(line)) {
        throw BadArgument("the PIN in --pin-file '" + options.pin_file +
                          "' contains control characters");
    }
    options.pin = line;
    struct stat info
    {
    };
    options.pin_file_world_readable =
        ::stat(options.pin_file.c_str(), &info) == 0 && (info.st_mode & S_IROTH) != 0;
}

} // namespace cpt
