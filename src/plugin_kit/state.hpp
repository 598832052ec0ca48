// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace cpt {

/// A monitoring-plugin state; the value is the exit code.
enum class State
{
    ok = 0,
    warning = 1,
    critical = 2,
    unknown = 3,
};

/// "OK", "WARNING", "CRITICAL" or "UNKNOWN".
const char* state_name(State state) noexcept;

/// Parses OK/WARNING/CRITICAL/UNKNOWN (any case) or 0-3; nullopt otherwise.
std::optional<State> parse_state(std::string_view text);

/// The worse of two states, ranked OK < UNKNOWN < WARNING < CRITICAL (monitoring-plugins'
/// max_state_alt): a definite problem outranks "could not tell".
State worse(State a, State b) noexcept;

/// Severity rank used by worse(); higher is worse.
int severity(State state) noexcept;

} // namespace cpt
