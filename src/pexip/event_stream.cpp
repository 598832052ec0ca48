// SPDX-License-Identifier: GPL-3.0-or-later
#include "config.h"

#include "pexip/event_stream.hpp"

namespace cpt {

namespace {

constexpr std::string_view utf8_bom = "\xEF\xBB\xBF";

} // namespace

void EventStreamParser::feed(std::string_view chunk, std::vector<ServerSentEvent>& events)
{
    if (!bom_checked_) {
        // The BOM may arrive a byte at a time: hold the first bytes until they decide.
        while (!chunk.empty() && bom_prefix_.size() < utf8_bom.size() &&
               chunk.front() == utf8_bom[bom_prefix_.size()]) {
            bom_prefix_.push_back(chunk.front());
            chunk.remove_prefix(1);
        }
        if (bom_prefix_.size() == utf8_bom.size()) {
            bom_checked_ = true; // a BOM: dropped
            bom_prefix_.clear();
        } else if (!chunk.empty()) {
            bom_checked_ = true; // not a BOM: the held bytes are text
            const std::string held = std::move(bom_prefix_);
            bom_prefix_.clear();
            feed(held, events);
        } else {
            return; // still undecided
        }
    }
    for (const char c : chunk) {
        if (c == '\n' && after_cr_) {
            after_cr_ = false; // the LF of a CRLF
            continue;
        }
        after_cr_ = c == '\r';
        if (c == '\r' || c == '\n') {
            end_line(events);
            continue;
        }
        if (line_.size() < max_event_bytes) {
            line_.push_back(c);
        } else {
            line_truncated_ = true;
        }
    }
}

void EventStreamParser::end_line(std::vector<ServerSentEvent>& events)
{
    ++lines_;
    const std::string line = std::move(line_);
    line_.clear();
    event_truncated_ = event_truncated_ || line_truncated_;
    line_truncated_ = false;
    if (line.empty()) {
        // Dispatch: an event without data is not one; the type is reset either way.
        if (has_data_) {
            ServerSentEvent event;
            event.type = type_.empty() ? "message" : type_;
            event.data = std::move(data_);
            event.id = last_id_;
            event.truncated = event_truncated_;
            events.push_back(std::move(event));
        }
        type_.clear();
        data_.clear();
        has_data_ = false;
        event_truncated_ = false;
        return;
    }
    if (line.front() == ':') {
        ++comments_;
        return;
    }
    const std::size_t colon = line.find(':');
    const std::string_view whole(line);
    if (colon == std::string::npos) {
        field(whole, std::string_view());
        return;
    }
    std::string_view value = whole.substr(colon + 1);
    if (!value.empty() && value.front() == ' ') {
        value.remove_prefix(1);
    }
    field(whole.substr(0, colon), value);
}

void EventStreamParser::field(std::string_view name, std::string_view value)
{
    if (name == "event") {
        type_.assign(value.substr(0, max_event_bytes));
    } else if (name == "data") {
        if (has_data_) {
            data_.push_back('\n');
        }
        has_data_ = true;
        data_.append(value);
        if (data_.size() > max_event_bytes) {
            data_.resize(max_event_bytes);
            event_truncated_ = true;
        }
    } else if (name == "id") {
        if (value.find('\0') == std::string_view::npos) {
            last_id_.assign(value);
        }
    }
    // "retry" and anything else: nothing the probe uses.
}

} // namespace cpt
