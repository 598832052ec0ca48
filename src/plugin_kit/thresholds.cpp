// SPDX-License-Identifier: GPL-3.0-or-later
#include "config.h"

#include "plugin_kit/thresholds.hpp"

namespace cpt {

State Thresholds::evaluate(double value) const noexcept
{
    if (critical && critical->alerts(value)) {
        return State::critical;
    }
    if (warning && warning->alerts(value)) {
        return State::warning;
    }
    return State::ok;
}

} // namespace cpt
