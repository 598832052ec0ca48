// SPDX-License-Identifier: GPL-3.0-or-later
#include "config.h"

#include "text.hpp"

#include <algorithm>
#include <array>
#include <charconv>

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

std::string redact(std::string text, const std::vector<std::string>& secrets)
{
    static const std::string replacement = "<redacted>";
    for (const std::string& secret : secrets) {
        if (secret.empty()) {
            continue;
        }
        std::size_t pos = 0;
        while ((pos = text.find(secret, pos)) != std::string::npos) {
            text.replace(pos, secret.size(), replacement);
            pos += replacement.size();
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

std::string format_decimal(double value, int decimals)
{
    // to_chars never consults the locale, unlike printf.
    std::array<char, 64> buffer{};
    const auto result = std::to_chars(buffer.data(), buffer.data() + buffer.size(), value,
                                      std::chars_format::fixed, decimals);
    if (result.ec != std::errc()) {
        return "0";
    }
    return std::string(buffer.data(), result.ptr);
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
