# SPDX-License-Identifier: GPL-3.0-or-later
"""The conference event stream of the fake node (imported by fake_node.py).

GET /api/client/v2/conferences/<alias>/events with the token in the `token` header (the
probe, Pexip's Android and iOS clients) or as `?token=` (Pexip's web client's EventSource).
The stream follows the "Initial SSE flow" of Pexip's client documentation (hello,
conference_update, participant_sync_begin, one participant_create per participant with the
caller's own among them, participant_sync_end, stage, then keep-alive pings); the alias picks
a failure shape instead (EVENTS_ALIASES). What each alias is meant to produce is described by
expected() so that the judges (the plugin's golden cases, Pexip's own client) can compare.
"""

import json
import time
import uuid

# alias -> (what it does, the plugin's state, the phrase on line 1 or the -v roster text)
EVENTS_ALIASES = {
    "events-ok": "healthy stream: two other participants and the probe",
    "events-crlf": "healthy stream with CRLF line ends",
    "events-multiline": "healthy stream: BOM, comments, unknown events, JSON split over data: lines",
    "events-buffered": "a buffering proxy: headers, then nothing",
    "events-transcoding": "a disconnect event: Out of transcoding resource",
    "events-licenses": "a disconnect event: Insufficient licenses",
    "events-closed": "the stream closed before participant_sync_end",
    "events-proxy502": "a proxy's HTML 502",
    "events-json": "200 with application/json, not an event stream",
    "events-endless": "events forever (participant_update), never participant_sync_end",
    "events-flood": "a huge stream (past the 1 MiB cap), never participant_sync_end",
}

OTHERS = [
    ("Alice (chair)", "chair", "webrtc", "alice-tag"),
    ("Room 4.12", "guest", "sip", ""),
]
MAX_STREAM_SECONDS = 120.0


def conference_update():
    return {"locked": False, "guests_muted": False, "started": True,
            "presentation_allowed": True, "direct_media": False,
            "live_captions_available": False, "breakout_rooms": False,
            "guests_can_unmute": True, "classification": None}


def participant(uid, display_name, role, protocol, call_tag, start):
    """A participant_create payload with the fields of Pexip's participant schema."""
    return {
        "api_url": "", "buzz_time": 0, "call_direction": "in", "call_tag": call_tag,
        "disconnect_supported": "YES", "display_name": display_name, "encryption": "On",
        "external_node_uuid": "", "fecc_supported": "NO", "has_media": protocol != "api",
        "is_audio_only_call": "NO", "is_client_muted": False, "is_external": False,
        "is_idp_authenticated": False, "is_muted": "NO", "is_presenting": "NO",
        "is_streaming_conference": False, "is_transferring": False,
        "is_video_call": "NO" if protocol == "api" else "YES", "is_video_muted": False,
        "is_video_silent": False, "local_alias": "meet", "mute_supported": "YES",
        "overlay_text": display_name, "presentation_supported": "YES", "protocol": protocol,
        "role": role, "rx_presentation_policy": "ALLOW", "service_type": "conference",
        "spotlight": 0, "start_time": start, "supports_direct_chat": True,
        "transfer_supported": "YES", "uuid": uid, "uri": "", "vendor": "",
        "can_receive_personal_mix": False,
        "receive_from_video_mix": {"mix_name": "main", "timestamp": start},
    }


def roster_events(p):
    """The roster a node sends to participant p (the fake's ledger entry): the others first."""
    start = int(p["created"])
    people = [participant(str(uuid.uuid5(uuid.NAMESPACE_URL, "fake/" + name)), name, role,
                          proto, tag, start - 60)
              for name, role, proto, tag in OTHERS]
    people.append(participant(p["uuid"], p["display_name"], "chair" if p["role"] == "HOST"
                              else "guest", "api", p["call_tag"], start))
    events = [("hello", {}), ("conference_update", conference_update()),
              ("participant_sync_begin", None)]
    events += [("participant_create", x) for x in people]
    events += [("participant_sync_end", None),
               ("stage", [{"participant_uuid": people[0]["uuid"], "stage_index": 0,
                           "vad": 0}])]
    return events


def encode(name, data, eol="\n", split=False):
    lines = ["event: " + name]
    if split:
        # The same JSON over several data: lines, cut between tokens: joined with LF (as the
        # standard joins them) it is still that JSON.
        lines += ["data: " + x for x in json.dumps(data, indent=1).split("\n")]
    else:
        lines.append("data: " + json.dumps(data))
    return (eol.join(lines) + eol + eol).encode("utf-8")


def expected(alias):
    """What the fake means a client to see for an alias: the roster, the end, the reason."""
    if alias in ("events-transcoding", "events-licenses"):
        reason = ("Out of transcoding resource" if alias == "events-transcoding"
                  else "Insufficient licenses")
        return {"outcome": "disconnect", "reason": reason}
    if alias == "events-buffered":
        return {"outcome": "silent"}
    if alias == "events-closed":
        return {"outcome": "closed"}
    if alias in ("events-proxy502", "events-json"):
        return {"outcome": "refused"}
    if alias in ("events-endless", "events-flood"):
        return {"outcome": "silent"}
    return {"outcome": "roster", "participants": len(OTHERS) + 1,
            "others": [name for name, _, _, _ in OTHERS]}


def serve(handler, alias, p, token_given):
    """Answers one events request. handler: fake_node's Handler; p: the participant of the
    token or None; token_given: a token arrived at all."""
    state = handler.state
    with state.lock:
        state.event_streams = getattr(state, "event_streams", 0) + 1
    if alias == "events-proxy502":
        body = (b"<html><head><title>502 Bad Gateway</title></head><body><center>"
                b"<h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>")
        return handler.respond(502, body, "text/html", reason="Bad Gateway")
    if p is None:
        return handler.envelope(403, "failed", "Invalid token")
    if alias == "events-json":
        return handler.envelope(200, "success", True)

    handler.record["status"] = "stream"
    handler.send_response(200)
    handler.send_header("Content-Type", "text/event-stream")
    handler.send_header("Cache-Control", "no-cache")
    handler.send_header("Connection", "close")
    handler.end_headers()
    handler.close_connection = True
    w = handler.wfile
    stop = state.stop
    deadline = time.time() + MAX_STREAM_SECONDS

    def send(data):
        w.write(data)
        w.flush()

    try:
        if alias == "events-buffered":
            stop.wait(min(float(state.config.get("hang_seconds") or 60), MAX_STREAM_SECONDS))
            return
        if alias in ("events-transcoding", "events-licenses"):
            send(encode("hello", {}))
            send(encode("conference_update", conference_update()))
            send(encode("disconnect", {"reason": expected(alias)["reason"]}))
            stop.wait(0.5)
            return
        events = roster_events(p)
        if alias == "events-closed":
            for name, data in events[:4]:
                send(encode(name, data))
            return
        if alias == "events-endless":
            for name, data in events[:3]:
                send(encode(name, data))
            n = 0
            while not stop.is_set() and time.time() < deadline:
                send(encode("participant_update", events[3][1]))
                n += 1
                stop.wait(0.05)
            return
        if alias == "events-flood":
            for name, data in events[:3]:
                send(encode(name, data))
            chunk = encode("participant_update", events[3][1]) * 64
            sent = 0
            while not stop.is_set() and sent < 8 * 1024 * 1024:
                send(chunk)
                sent += len(chunk)
            stop.wait(5)
            return
        eol = "\r\n" if alias == "events-crlf" else "\n"
        multiline = alias == "events-multiline"
        if multiline:
            send(b"\xef\xbb\xbf: a comment before the first event\n\n")
        for name, data in events:
            send(encode(name, data, eol, split=multiline))
            if multiline and name == "participant_sync_begin":
                send(b": keep going\n\nevent: x_future_event\ndata: {\"new\": 1}\n\n")
        while not stop.is_set() and time.time() < deadline:
            stop.wait(1.0)
            send(encode("ping", None, eol))
    except (BrokenPipeError, ConnectionResetError, OSError):
        pass  # the client closed the stream: what the probe does once it has the roster
