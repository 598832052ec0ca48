// SPDX-License-Identifier: GPL-3.0-or-later
#include "config.h"

#include "plugin_kit/state.hpp"

#include <cctype>

namespace cpt {

const char* state_name(State state) noexcept
{
    switch (state) {
    case State::ok:
        return "OK";
    case State::warning:
        return "WARNING";
    case State::critical:
        return "CRITICAL";
    case State::unknown:
        break;
    }
    return "UNKNOWN";
}

std::optional<State> parse_state(std::string_view text)
{
    std::string upper;
    for (char c : text) {
        upper += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    }
    for (State state : {State::ok, State::warning, State::critical, State::unknown}) {
        if (upper == state_name(state) || upper == std::to_string(static_cast<int>(state))) {
            return state;
        }
    }
    return std::nullopt;
}

int severity(State state) noexcept
{
    switch (state) {
    case State::ok:
        return 0;
    case State::unknown:
        return 1;
    case State::warning:
        return 2;
    case State::critical:
        break;
    }
    return 3;
}

State worse(State a, State b) noexcept
{
    return severity(b) > severity(a) ? b : a;
}

} // namespace cpt
