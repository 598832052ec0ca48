// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "plugin_kit/range.hpp"
#include "plugin_kit/state.hpp"

#include <optional>

namespace cpt {

/// A warning/critical pair; either may be absent.
struct Thresholds
{
    std::optional<Range> warning;
    std::optional<Range> critical;

    /// CRITICAL if the critical range alerts, else WARNING if the warning range does, else OK.
    State evaluate(double value) const noexcept;
};

} // namespace cpt
