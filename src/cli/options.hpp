// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "probe/probe_settings.hpp"

#include <functional>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace cpt {

/// Everything the command line (and --extra-opts) says; immutable once parsed. The probe
/// sees only its ProbeSettings part.
struct Options : ProbeSettings
{
    int verbosity = 0;
    bool srv = false; ///< --srv: hostname is a domain, probe every _pexapp._tcp target
};

/// --help or --version was asked for.
struct InfoRequest
{
    std::string text;
};

/// The arguments are wrong; reason is one line. with_usage: the short usage follows (a
/// syntax error), or not (a file an argument names cannot be used).
struct UsageError
{
    std::string reason;
    bool with_usage = true;
};

using ParseOutcome = std::variant<Options, InfoRequest, UsageError>;

/// Looks up an environment variable: none when unset.
using EnvironmentLookup = std::function<std::optional<std::string>(const char* name)>;

/// The process environment (std::getenv).
std::optional<std::string> process_environment(const char* name);

/// Parses argv (args[0] is the program name). Reads --extra-opts and --pin-file, and
/// CHECK_PEXIP_TOKEN_PIN through lookup; touches nothing else outside the process.
ParseOutcome parse_options(const std::vector<std::string>& args,
                           const EnvironmentLookup& lookup = process_environment);

} // namespace cpt
