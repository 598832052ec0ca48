// SPDX-License-Identifier: GPL-3.0-or-later
#include "config.h"

#include "base/decoded_text.hpp"

namespace cpt {

namespace {

int hex_digit(char c) noexcept
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

/// The 4 hex digits after "\u" at text[at], or -1.
long json_u_escape(std::string_view text, std::size_t at) noexcept
{
    if (at + 6 > text.size() || text[at] != '\\' || text[at + 1] != 'u') {
        return -1;
    }
    long value = 0;
    for (std::size_t i = at + 2; i < at + 6; ++i) {
        const int digit = hex_digit(text[i]);
        if (digit < 0) {
            return -1;
        }
        value = value * 16 + digit;
    }
    return value;
}

void append_utf8(std::string& out, unsigned long code_point)
{
    if (code_point < 0x80) {
        out += static_cast<char>(code_point);
    } else if (code_point < 0x800) {
        out += static_cast<char>(0xC0 | (code_point >> 6));
        out += static_cast<char>(0x80 | (code_point & 0x3F));
    } else if (code_point < 0x10000) {
        out += static_cast<char>(0xE0 | (code_point >> 12));
        out += static_cast<char>(0x80 | ((code_point >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (code_point & 0x3F));
    } else {
        out += static_cast<char>(0xF0 | (code_point >> 18));
        out += static_cast<char>(0x80 | ((code_point >> 12) & 0x3F));
        out += static_cast<char>(0x80 | ((code_point >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (code_point & 0x3F));
    }
}

/// Length of the escape at text[at] and its decoded bytes in out; 1 and the byte itself when
/// there is none.
std::size_t decode_one(std::string_view text, std::size_t at, std::string& out)
{
    const char c = text[at];
    if (c == '%' && at + 2 < text.size() && hex_digit(text[at + 1]) >= 0 &&
        hex_digit(text[at + 2]) >= 0) {
        out += static_cast<char>(hex_digit(text[at + 1]) * 16 + hex_digit(text[at + 2]));
        return 3;
    }
    if (c == '\\' && at + 1 < text.size()) {
        static constexpr std::string_view from = "\"\\/bfnrt";
        static constexpr std::string_view to = "\"\\/\b\f\n\r\t";
        const std::size_t short_escape = from.find(text[at + 1]);
        if (short_escape != std::string_view::npos) {
            out += to[short_escape];
            return 2;
        }
        const long unit = json_u_escape(text, at);
        if (unit >= 0) {
            const long low = json_u_escape(text, at + 6);
            if (unit >= 0xD800 && unit < 0xDC00 && low >= 0xDC00 && low < 0xE000) {
                append_utf8(out, 0x10000 + ((static_cast<unsigned long>(unit) - 0xD800) << 10) +
                                     (static_cast<unsigned long>(low) - 0xDC00));
                return 12;
            }
            append_utf8(out, static_cast<unsigned long>(unit));
            return 6;
        }
    }
    out += c;
    return 1;
}

} // namespace

DecodedText decode_escapes(std::string_view text)
{
    DecodedText decoded;
    decoded.bytes.reserve(text.size());
    std::string piece;
    for (std::size_t at = 0; at < text.size();) {
        piece.clear();
        const std::size_t length = decode_one(text, at, piece);
        for (const char byte : piece) {
            decoded.bytes += byte;
            decoded.begin.push_back(at);
            decoded.end.push_back(at + length);
        }
        at += length;
    }
    return decoded;
}

} // namespace cpt
