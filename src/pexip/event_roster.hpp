// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "pexip/event_stream.hpp"

#include <cstddef>
#include <set>
#include <string>
#include <vector>

namespace cpt {

/// What the conference event stream has told so far, as Pexip's clients read it: the first
/// roster (participant_sync_begin, one participant_create per participant,
/// participant_sync_end) or a `disconnect` event ending the session. `hello`, `ping`, comments
/// and events the probe does not know are skipped.
class EventRoster
{
public:
    /// own_uuid: the probe's participant_uuid from request_token (may be empty).
    explicit EventRoster(std::string own_uuid = {});

    /// Takes one event; true once the outcome is known (roster complete or disconnected).
    bool take(const ServerSentEvent& event);

    bool complete() const noexcept { return complete_; }
    bool disconnected() const noexcept { return disconnected_; }
    /// The `reason` of the disconnect event's JSON data (node text, unsanitised), may be empty.
    const std::string& disconnect_reason() const noexcept { return disconnect_reason_; }
    /// Participants in the roster (so far).
    std::size_t participants() const noexcept { return uuids_.size() + unnamed_; }
    /// The probe's own participant was among them.
    bool own_participant_seen() const noexcept { return own_seen_; }
    /// Events taken, by name in arrival order (names cut to 40 bytes; at most 64 kept).
    const std::vector<std::string>& names() const noexcept { return names_; }
    std::size_t events() const noexcept { return events_; }

private:
    std::string own_uuid_;
    bool complete_ = false;
    bool disconnected_ = false;
    bool own_seen_ = false;
    std::string disconnect_reason_;
    std::set<std::string> uuids_;
    std::size_t unnamed_ = 0; ///< participant_create events without a uuid
    std::vector<std::string> names_;
    std::size_t events_ = 0;
};

/// The `reason` member of a disconnect event's JSON data, empty when there is none.
std::string disconnect_reason_of(const std::string& data);
/// The `uuid` member of a participant event's JSON data, empty when there is none.
std::string participant_uuid_of(const std::string& data);

} // namespace cpt
