// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace cpt {

/// One dispatched server-sent event.
struct ServerSentEvent
{
    std::string type;       ///< the `event:` field, "message" when none was given
    std::string data;       ///< the `data:` lines joined by LF
    std::string id;         ///< the last event ID at dispatch
    bool truncated = false; ///< a line or the data exceeded max_event_bytes and was cut
};

/// Most bytes kept of one line and of one event's data: the rest is dropped.
inline constexpr std::size_t max_event_bytes = 64 * 1024;

/// An incremental parser of `text/event-stream` as the HTML standard defines it: fed the body
/// in chunks of any size, it yields every complete event. Lines end in CRLF, LF or CR (also
/// split across chunks); a leading BOM is dropped; `:` lines are comments; a field's value
/// loses one leading space; `data:` lines join with LF; an event with no data is not
/// dispatched; `retry:` and unknown fields are ignored; an unfinished event at the end of the
/// stream is never dispatched. Memory stays below about three times max_event_bytes.
class EventStreamParser
{
public:
    /// Parses the chunk and appends the events it completed.
    void feed(std::string_view chunk, std::vector<ServerSentEvent>& events);

    std::size_t comments() const noexcept { return comments_; }
    std::size_t lines() const noexcept { return lines_; }

private:
    void end_line(std::vector<ServerSentEvent>& events);
    void field(std::string_view name, std::string_view value);

    std::string line_;
    bool line_truncated_ = false;
    bool after_cr_ = false; ///< the last byte was CR: an LF right after it ends nothing
    bool bom_checked_ = false;
    std::string bom_prefix_; ///< the stream's first bytes while they may still be a BOM
    std::string type_;
    std::string data_;
    bool has_data_ = false;
    bool event_truncated_ = false;
    std::string last_id_;
    std::size_t comments_ = 0;
    std::size_t lines_ = 0;
};

} // namespace cpt
