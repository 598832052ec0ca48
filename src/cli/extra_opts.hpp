// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace cpt {

/// Reads the options of --extra-opts=[section][@file] the way monitoring-plugins does: an ini
/// file whose [section] (default: the plugin name) holds "key=value" or bare "key" lines,
/// "#" and ";" start comments. Without @file the first existing default file is used
/// ($MP_CONFIG_FILE, then the monitoring-plugins and nagios plugins.ini locations).
/// Returns the options as "--key=value" / "--key" arguments, in file order.
/// Throws std::runtime_error with a one-line reason when the file or section is missing.
std::vector<std::string> read_extra_opts(const std::string& locator,
                                         const std::string& default_section);

/// The whole content of a regular file of at most max_bytes. A FIFO, a device or a directory
/// is refused without blocking, so that no path (/dev/zero, a pipe nobody writes) can stall
/// the run or exhaust memory before the deadline is armed. Throws std::runtime_error:
/// "cannot read WHAT 'PATH': REASON".
std::string read_regular_file(const std::string& path, const std::string& what,
                              std::size_t max_bytes);

} // namespace cpt
