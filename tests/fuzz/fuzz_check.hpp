// SPDX-License-Identifier: GPL-3.0-or-later
// Shared by the libFuzzer targets: a check that aborts (libFuzzer then saves the input as a
// crash) and the output rules every rendering of the plugin must follow.
#pragma once

#include "base/text.hpp"
#include "plugin_kit/check_result.hpp"

#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#define FUZZ_CHECK(condition, what)                                                                \
    do {                                                                                           \
        if (!(condition)) {                                                                        \
            cpt_fuzz::fail(__FILE__, __LINE__, #condition, (what));                                \
        }                                                                                          \
    } while (false)

namespace cpt_fuzz {

[[noreturn]] inline void fail(const char* file, int line, const char* condition,
                              std::string_view what)
{
    std::fprintf(stderr, "%s:%d: FUZZ_CHECK(%s) failed: %.*s\n", file, line, condition,
                 static_cast<int>(what.size() > 4000 ? 4000 : what.size()), what.data());
    std::abort();
}

/// No C0 control but (where allowed) LF, no DEL, no C1 (U+0080..U+009F), valid UTF-8.
inline bool printable(std::string_view text, bool allow_newline)
{
    if (!cpt::is_valid_utf8(text)) {
        return false;
    }
    for (std::size_t i = 0; i < text.size(); ++i) {
        const auto byte = static_cast<unsigned char>(text[i]);
        if ((byte < 0x20 && !(allow_newline && byte == '\n')) || byte == 0x7F) {
            return false;
        }
        if (byte == 0xC2 && i + 1 < text.size() && static_cast<unsigned char>(text[i + 1]) < 0xA0) {
            return false;
        }
    }
    return true;
}

inline bool perfdata_label_ok(std::string_view item)
{
    // 'label'=... with label [a-z0-9_]+
    if (item.size() < 4 || item[0] != '\'') {
        return false;
    }
    const std::size_t close = item.find('\'', 1);
    if (close == std::string_view::npos || close == 1 || close + 1 >= item.size() ||
        item[close + 1] != '=') {
        return false;
    }
    for (std::size_t i = 1; i < close; ++i) {
        const char c = item[i];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) {
            return false;
        }
    }
    return true;
}

/// True for a secret worth looking for: 8 or more bytes of a real token's alphabet. A shorter
/// one may occur by chance, and a node that picks a "token" like "Forbidd?? (reused" can make
/// the sanitiser ('?' for control bytes, '/' for '|') or a cut ("...") spell it out of other
/// text it sent: that shows no secret.
inline bool worth_checking(const std::string& secret)
{
    if (secret.size() < 8 || std::string("<redacted>").find(secret) != std::string::npos) {
        return false;
    }
    for (char c : secret) {
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_' || c == '=')) {
            return false;
        }
    }
    return true;
}

/// The rules of tests/functional/README.md ("Rules checked on every plugin run") for one
/// rendering, plus: no secret (see worth_checking) in the text part.
inline void check_output(const std::string& out, cpt::State state,
                         const std::vector<std::string>& secrets)
{
    FUZZ_CHECK(static_cast<int>(state) >= 0 && static_cast<int>(state) <= 3, out);
    FUZZ_CHECK(!out.empty() && out.back() == '\n', out);
    FUZZ_CHECK(out.size() <= cpt::max_output_bytes, out);
    FUZZ_CHECK(printable(out, true), out);
    const std::string head = std::string(cpt::output_prefix) + " " + cpt::state_name(state) + ": ";
    FUZZ_CHECK(out.compare(0, head.size(), head) == 0, out);
    const std::size_t eol = out.find('\n');
    const std::string line1 = out.substr(0, eol);
    const std::string rest = out.substr(eol + 1);
    FUZZ_CHECK(rest.find('|') == std::string::npos, out);
    const std::size_t bar = line1.find('|');
    FUZZ_CHECK(bar == std::string::npos || line1.find('|', bar + 1) == std::string::npos, out);
    // No stray whitespace at the end of the summary: before " | " or at the end of line 1.
    const std::size_t summary_end = bar == std::string::npos ? line1.size() : bar - 1;
    FUZZ_CHECK(summary_end > head.size() && line1[summary_end - 1] != ' ', out);
    // The free text: line 1 after its fixed head and before the perfdata, the long output
    // without the fixed truncation marker.
    std::string text = line1.substr(head.size(), bar == std::string::npos ? std::string::npos
                                                                          : bar - head.size()) +
                       "\n" + rest;
    static const std::string truncated = "(output truncated)\n";
    if (text.size() >= truncated.size() &&
        text.compare(text.size() - truncated.size(), truncated.size(), truncated) == 0) {
        text.resize(text.size() - truncated.size());
    }
    if (bar != std::string::npos) {
        FUZZ_CHECK(bar > 0 && line1[bar - 1] == ' ' && bar + 2 < line1.size() &&
                       line1[bar + 1] == ' ',
                   out);
        std::string_view perf(line1);
        perf.remove_prefix(bar + 2);
        while (!perf.empty()) {
            const std::size_t space = perf.find(' ');
            const std::string_view item = perf.substr(0, space);
            FUZZ_CHECK(perfdata_label_ok(item), out);
            if (space == std::string_view::npos) {
                break;
            }
            perf.remove_prefix(space + 1);
        }
    }
    for (const std::string& secret : secrets) {
        if (!worth_checking(secret)) {
            continue;
        }
        FUZZ_CHECK(text.find(secret) == std::string::npos, "secret printed: " + out);
    }
}

} // namespace cpt_fuzz
