// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace cpt {

/// The text with one layer of JSON string escapes and of %XX undone, each decoded byte
/// remembering the original bytes [begin, end) it came from: a node may echo a secret as
/// \u0034\u0038, %34%38 or a mix, and such a form must be redacted as well.
struct DecodedText
{
    std::string bytes;
    std::vector<std::size_t> begin;
    std::vector<std::size_t> end;
};

/// Undoes one layer of JSON string escapes (\", \/, \uXXXX and surrogate pairs ...) and %XX,
/// anywhere in text (it may be broken JSON, a URL, a header); other bytes stay as they are.
DecodedText decode_escapes(std::string_view text);

} // namespace cpt
