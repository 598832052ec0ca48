// SPDX-License-Identifier: GPL-3.0-or-later
#include "config.h"

#include "base/version_number.hpp"

namespace cpt {

namespace {

constexpr std::size_t max_version_bytes = 64;

bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/// Compares two digit strings without leading zeros as numbers.
int compare_component(const std::string& a, const std::string& b)
{
    if (a.size() != b.size()) {
        return a.size() < b.size() ? -1 : 1;
    }
    const int order = a.compare(b);
    return order < 0 ? -1 : order > 0 ? 1 : 0;
}

} // namespace

std::optional<VersionNumber> parse_version_number(std::string_view text)
{
    if (text.empty() || text.size() > max_version_bytes) {
        return std::nullopt;
    }
    VersionNumber version;
    std::size_t start = 0;
    while (true) {
        std::size_t end = start;
        while (end < text.size() && is_digit(text[end])) {
            ++end;
        }
        if (end == start) {
            return std::nullopt; // empty component or a non-digit
        }
        std::string_view digits = text.substr(start, end - start);
        while (digits.size() > 1 && digits.front() == '0') {
            digits.remove_prefix(1);
        }
        version.components.emplace_back(digits);
        if (end == text.size()) {
            return version;
        }
        if (text[end] != '.') {
            return std::nullopt;
        }
        start = end + 1;
    }
}

int compare_versions(const VersionNumber& a, const VersionNumber& b)
{
    static const std::string zero = "0";
    const std::size_t count = std::max(a.components.size(), b.components.size());
    for (std::size_t i = 0; i < count; ++i) {
        const std::string& left = i < a.components.size() ? a.components[i] : zero;
        const std::string& right = i < b.components.size() ? b.components[i] : zero;
        if (const int order = compare_component(left, right); order != 0) {
            return order;
        }
    }
    return 0;
}

} // namespace cpt
