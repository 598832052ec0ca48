// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cpt {

/// Makes text from the node or the user safe for one line of plugin output: C0 controls, DEL,
/// C1 controls and bytes that are not valid UTF-8 become '?', and '|' (the perfdata
/// separator) becomes '/'. Valid non-ASCII UTF-8 is kept.
std::string sanitize_line(std::string_view text);

/// Cuts text to at most max_bytes, never inside a UTF-8 sequence, appending "..." when cut.
std::string truncate_text(std::string_view text, std::size_t max_bytes);

/// Replaces every occurrence of each non-empty secret with "<redacted>", also where it is
/// written with JSON string escapes (\u0034, \/) or %XX, or a mix of them and plain bytes.
std::string redact(std::string text, const std::vector<std::string>& secrets);

/// Replaces the string value of every JSON member named key with "<redacted>", found by a
/// plain scan (the text may be cut or broken JSON).
std::string redact_json_member(std::string text, std::string_view key);

/// text without its trailing ASCII whitespace (space, TAB, CR, LF, VT, FF): libcurl's error
/// messages and many node reasons end in one, which would show as ' ' or '?' on the line.
std::string_view trim_trailing_whitespace(std::string_view text) noexcept;

/// Free text made fit for the plugin's output: trailing whitespace dropped, sanitize_line,
/// then truncate_text to max_bytes.
std::string printable_line(std::string_view text, std::size_t max_bytes);

/// True when text holds a byte below 0x20 or DEL (CR, LF, NUL, ESC ...).
bool has_control_chars(std::string_view text) noexcept;

/// True when text is well-formed UTF-8.
bool is_valid_utf8(std::string_view text) noexcept;

/// Formats a number with a '.' decimal point whatever the locale.
std::string format_decimal(double value, int decimals);

/// Like format_decimal, without trailing zeros: "8", "1.5", "0.25".
std::string format_compact(double value, int max_decimals);

/// Reads all of text as a plain decimal number with a '.' decimal point whatever the locale:
/// an optional '-', digits, an optional '.' and digits ("5", "-0.5", "5.", ".5"); no '+',
/// spaces, exponent, inf or nan. Nothing when text is anything else or out of range.
std::optional<double> parse_decimal(std::string_view text);

} // namespace cpt
