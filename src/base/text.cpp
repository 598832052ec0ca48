// SPDX-License-Identifier: GPL-3.0-or-later
#include "config.h"

#include "base/decoded_text.hpp"
#include "base/text.hpp"

#include <algorithm>
#include <array>
#include <cerrno>
#include <charconv>
#include <clocale>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <utility>
#include <vector>

namespace cpt {

namespace {

/// Length of the well-formed UTF-8 sequence at text[pos], or 0 if it is not one.
std::size_t utf8_sequence_length(std::string_view text, std::size_t pos) noexcept
{
    const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[i]); };
    const unsigned char lead = byte(pos);
    if (lead < 0x80) {
        return 1;
    }
    std::size_t length = 0;
    unsigned char low = 0x80;
    unsigned char high = 0xBF;
    if (lead >= 0xC2 && lead <= 0xDF) {
        length = 2;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
        length = 3;
        low = lead == 0xE0 ? 0xA0 : 0x80;  // no overlong forms
        high = lead == 0xED ? 0x9F : 0xBF; // no surrogates
    } else if (lead >= 0xF0 && lead <= 0xF4) {
        length = 4;
        low = lead == 0xF0 ? 0x90 : 0x80;
        high = lead == 0xF4 ? 0x8F : 0xBF;
    } else {
        return 0;
    }
    if (pos + length > text.size()) {
        return 0;
    }
    if (byte(pos + 1) < low || byte(pos + 1) > high) {
        return 0;
    }
    for (std::size_t i = 2; i < length; ++i) {
        if (byte(pos + i) < 0x80 || byte(pos + i) > 0xBF) {
            return 0;
        }
    }
    return length;
}

} // namespace

std::string sanitize_line(std::string_view text)
{
    std::string out;
    out.reserve(text.size());
    std::size_t pos = 0;
    while (pos < text.size()) {
        const auto byte = static_cast<unsigned char>(text[pos]);
        const std::size_t length = utf8_sequence_length(text, pos);
        if (length == 0) {
            out += '?';
            ++pos;
        } else if (length == 1) {
            if (byte < 0x20 || byte == 0x7F) {
                out += '?';
            } else if (byte == '|') {
                out += '/';
            } else {
                out += static_cast<char>(byte);
            }
            ++pos;
        } else {
            // U+0080..U+009F are C1 controls (CSI among them): as dangerous as ESC.
            const bool c1_control =
                byte == 0xC2 && static_cast<unsigned char>(text[pos + 1]) < 0xA0;
            if (c1_control) {
                out += '?';
            } else {
                out.append(text.substr(pos, length));
            }
            pos += length;
        }
    }
    return out;
}

std::string truncate_text(std::string_view text, std::size_t max_bytes)
{
    if (text.size() <= max_bytes) {
        return std::string(text);
    }
    static constexpr std::string_view ellipsis = "...";
    const bool room_for_ellipsis = max_bytes > ellipsis.size();
    std::size_t cut = room_for_ellipsis ? max_bytes - ellipsis.size() : max_bytes;
    // Step back over UTF-8 continuation bytes so no sequence is split.
    while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) {
        --cut;
    }
    std::string out(text.substr(0, cut));
    if (room_for_ellipsis) {
        out += ellipsis;
    }
    return out;
}

namespace {

/// Redacts the escaped forms of secret: found in the decoded text, replaced in the original.
void redact_escaped(std::string& text, const std::string& secret, const std::string& replacement)
{
    const DecodedText decoded = decode_escapes(text);
    if (decoded.bytes == text) {
        return;
    }
    std::vector<std::pair<std::size_t, std::size_t>> spans;
    std::size_t pos = 0;
    while ((pos = decoded.bytes.find(secret, pos)) != std::string::npos) {
        const std::size_t last = pos + secret.size() - 1;
        if (!spans.empty() && decoded.begin[pos] < spans.back().second) {
            spans.back().second = std::max(spans.back().second, decoded.end[last]);
        } else {
            spans.emplace_back(decoded.begin[pos], decoded.end[last]);
        }
        pos += secret.size();
    }
    for (auto span = spans.rbegin(); span != spans.rend(); ++span) {
        text.replace(span->first, span->second - span->first, replacement);
    }
}

} // namespace

std::string redact(std::string text, const std::vector<std::string>& secrets)
{
    static const std::string replacement = "<redacted>";
    // Longest first: a short secret (a PIN) inside a long one (the token) must not break the
    // long one into pieces that no longer match.
    std::vector<const std::string*> order;
    order.reserve(secrets.size());
    for (const std::string& secret : secrets) {
        order.push_back(&secret);
    }
    std::stable_sort(order.begin(), order.end(), [](const std::string* a, const std::string* b) {
        return a->size() > b->size();
    });
    for (const std::string* secret_ptr : order) {
        const std::string& secret = *secret_ptr;
        if (secret.empty()) {
            continue;
        }
        std::size_t pos = 0;
        while ((pos = text.find(secret, pos)) != std::string::npos) {
            text.replace(pos, secret.size(), replacement);
            pos += replacement.size();
        }
        if (text.find_first_of("\\%") != std::string::npos) {
            redact_escaped(text, secret, replacement);
        }
    }
    return text;
}

std::string redact_json_member(std::string text, std::string_view key)
{
    const std::string quoted_key = "\"" + std::string(key) + "\"";
    std::size_t pos = 0;
    while ((pos = text.find(quoted_key, pos)) != std::string::npos) {
        std::size_t at = text.find_first_not_of(" \t\r\n", pos + quoted_key.size());
        if (at == std::string::npos || text[at] != ':') {
            pos += quoted_key.size();
            continue;
        }
        at = text.find_first_not_of(" \t\r\n", at + 1);
        if (at == std::string::npos || text[at] != '"') {
            pos += quoted_key.size();
            continue;
        }
        std::size_t end = at + 1;
        while (end < text.size() && text[end] != '"') {
            end += text[end] == '\\' ? 2U : 1U;
        }
        // An unterminated value runs to the end: redact all of it.
        const std::size_t stop = std::min(end + 1, text.size());
        text.replace(at, stop - at, "\"<redacted>\"");
        pos = at + 12;
    }
    return text;
}

std::string_view trim_trailing_whitespace(std::string_view text) noexcept
{
    const std::size_t last = text.find_last_not_of(" \t\r\n\v\f");
    return last == std::string_view::npos ? std::string_view{} : text.substr(0, last + 1);
}

std::string printable_line(std::string_view text, std::size_t max_bytes)
{
    return truncate_text(sanitize_line(trim_trailing_whitespace(text)), max_bytes);
}

bool has_control_chars(std::string_view text) noexcept
{
    for (char c : text) {
        const auto byte = static_cast<unsigned char>(c);
        if (byte < 0x20 || byte == 0x7F) {
            return true;
        }
    }
    return false;
}

bool is_valid_utf8(std::string_view text) noexcept
{
    std::size_t pos = 0;
    while (pos < text.size()) {
        const std::size_t length = utf8_sequence_length(text, pos);
        if (length == 0) {
            return false;
        }
        pos += length;
    }
    return true;
}

// Not the floating-point std::to_chars/from_chars: with the static C++ runtime they would
// bring libm and some 100 KiB of tables into every start of the plugin. The C library's
// functions follow LC_NUMERIC instead, so its decimal point is swapped for '.' both ways.

namespace {

/// The C library's decimal point in the locale in force: "." in the "C" locale.
std::string_view c_decimal_point() noexcept
{
    const char* point = std::localeconv()->decimal_point;
    return point != nullptr && *point != '\0' ? std::string_view(point) : std::string_view(".");
}

} // namespace

std::string format_decimal(double value, int decimals)
{
    if (!std::isfinite(value)) {
        return std::isnan(value) ? "nan" : value < 0 ? "-inf" : "inf";
    }
    std::array<char, 64> buffer{};
    const int length = std::snprintf(buffer.data(), buffer.size(), "%.*f", decimals, value);
    if (length < 0 || static_cast<std::size_t>(length) >= buffer.size()) {
        return "0";
    }
    // A sign, digits, the locale's decimal point (one byte or more), digits.
    std::string text;
    bool has_point = false;
    for (std::size_t i = 0; i < static_cast<std::size_t>(length); ++i) {
        const char c = buffer[i];
        if ((c >= '0' && c <= '9') || (c == '-' && i == 0)) {
            text += c;
        } else if (!has_point) {
            text += '.';
            has_point = true;
        }
    }
    return text;
}

std::optional<double> parse_decimal(std::string_view text)
{
    std::string_view number = text;
    if (!number.empty() && number.front() == '-') {
        number.remove_prefix(1);
    }
    const std::size_t point = number.find('.');
    const std::string_view whole = number.substr(0, point);
    const std::string_view fraction =
        point == std::string_view::npos ? std::string_view() : number.substr(point + 1);
    const auto digits_only = [](std::string_view part) {
        return part.find_first_not_of("0123456789") == std::string_view::npos;
    };
    if (whole.empty() && fraction.empty()) {
        return std::nullopt;
    }
    if (!digits_only(whole) || !digits_only(fraction)) {
        return std::nullopt;
    }
    std::string c_text(text);
    if (point != std::string_view::npos) {
        c_text.replace(text.size() - number.size() + point, 1, c_decimal_point());
    }
    errno = 0;
    char* end = nullptr;
    const double value = std::strtod(c_text.c_str(), &end);
    if (errno == ERANGE || end != c_text.c_str() + c_text.size() || !std::isfinite(value)) {
        return std::nullopt;
    }
    return value;
}

} // namespace cpt

namespace cpt {

std::string format_compact(double value, int max_decimals)
{
    std::string text = format_decimal(value, max_decimals);
    if (text.find('.') != std::string::npos) {
        text.erase(text.find_last_not_of('0') + 1);
        if (text.back() == '.') {
            text.pop_back();
        }
    }
    return text;
}

} // namespace cpt
