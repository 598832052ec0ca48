// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cpt {

/// A dotted decimal version such as 36 or 36.1: its components, leading zeros dropped, kept
/// as digit strings so that no length overflows.
struct VersionNumber
{
    std::vector<std::string> components;
};

/// "36", "36.1", "36.10.2": one or more runs of ASCII digits joined by single dots, nothing
/// else (no sign, space, letter, empty component). At most 64 bytes.
std::optional<VersionNumber> parse_version_number(std::string_view text);

/// <0, 0, >0 as a is lower, equal, higher than b; missing components count as 0, so
/// 36 == 36.0 < 36.9 < 36.10, and 9.99 < 36.
int compare_versions(const VersionNumber& a, const VersionNumber& b);

} // namespace cpt
