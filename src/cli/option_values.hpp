// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "plugin_kit/range.hpp"
#include "plugin_kit/state.hpp"

#include <stdexcept>
#include <string>

namespace cpt {

// Checks of single option values; each throws BadArgument with a one-line reason.

/// An argument error: becomes a UsageError.
struct BadArgument : std::runtime_error
{
    using std::runtime_error::runtime_error;
};

/// A file an argument names (--pin-file, --extra-opts) cannot be used: missing, unreadable,
/// not a regular file, too large, or without what it must hold. Becomes a UsageError without
/// the usage: the syntax was right.
struct FileArgumentError : BadArgument
{
    using BadArgument::BadArgument;
};

/// Most bytes of a free-text option (names, tags, aliases).
inline constexpr std::size_t max_text_option_bytes = 1024;

long parse_whole_number(const std::string& text, const std::string& what, long low, long high);
/// -t: seconds above 0 and at most 3600.
double parse_timeout(const std::string& text);
/// --events-wait: seconds above 0 and below the timeout.
double parse_events_wait(const std::string& text, double timeout_seconds);
/// --events-wait when not given: this, or half of -t when that is less.
inline constexpr double default_events_wait_seconds = 3.0;
State parse_state_option(const std::string& text, const std::string& option);
Range parse_range_option(const std::string& text, const std::string& option);
/// Text that goes into a header, the JSON body or the output: no controls, valid UTF-8.
std::string checked_text(const std::string& text, const std::string& option, bool allow_empty);
/// A host name or address: one label sequence or an IP literal, never a URL fragment.
std::string checked_host(std::string text, const std::string& option);
/// --min-version: dotted decimal numbers (36, 36.1), returned as given.
std::string parse_min_version(const std::string& text);
void check_readable(const std::string& path, const std::string& option);

} // namespace cpt
