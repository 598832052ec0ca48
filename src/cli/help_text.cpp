// SPDX-License-Identifier: GPL-3.0-or-later
#include "config.h"

#include "cli/help_text.hpp"

#include <curl/curl.h>

namespace cpt {

namespace {

constexpr const char* program_name = "check_pexip_token";

} // namespace

std::string usage_text()
{
    return "Usage:\n"
           " check_pexip_token -H HOST -a ALIAS [-I ADDR] [-p PORT] [-4] [-6]\n"
           "   [--pin=PIN] [--pin-file=FILE] [--guest] [--no-release]\n"
           "   [--display-name=NAME] [--call-tag=TAG] [--expect-service-type=TYPE]\n"
           "   [--challenge-result=STATE] [--maintenance-result=STATE]\n"
           "   [-k] [--ca-file=FILE] [--client-cert=FILE] [--client-key=FILE]\n"
           "   [-C WARN[,CRIT]] [-w RANGE] [-c RANGE] [-t SECONDS] [--timeout-result=STATE]\n"
           "   [--min-version=VERSION] [--events] [--events-wait=SECONDS]\n"
           "   [--extra-opts=[SECTION][@FILE]] [-v]...\n"
           " check_pexip_token --srv -H DOMAIN -a ALIAS [options]\n"
           "Try 'check_pexip_token --help' for more information.\n";
}

std::string version_text()
{
    const curl_version_info_data* curl = curl_version_info(CURLVERSION_NOW);
    std::string text =
        std::string(program_name) + " v" PACKAGE_VERSION " (libcurl " + curl->version;
    if (curl->ssl_version != nullptr) {
        text += std::string(", ") + curl->ssl_version;
    }
    return text + ")\n";
}

std::string help_text()
{
    return version_text() + R"(
Checks that a Pexip Infinity conferencing node admits a participant: requests
a conference token the way a WebRTC client does, releases it at once, and
reports the outcome, the response time and the node's version.

)" + usage_text() +
           R"(
Target:
 -H, --hostname=HOST
    Conferencing node FQDN or address: Host header, SNI and the name the
    certificate is verified against (required)
 -I, --ip-address=ADDR
    Connect to ADDR instead of resolving HOST (Host, SNI and certificate name
    stay HOST): probes one node behind a shared DNS name
 -p, --port=PORT
    TCP port (default 443)
 -4, --use-ipv4
    Connect over IPv4 only
 -6, --use-ipv6
    Connect over IPv6 only
 --srv
    HOST is a domain: probe every conferencing node the SRV records
    _pexapp._tcp.HOST name (as Pexip's apps find them), each a whole probe in
    parallel with its SRV name and port; no record: HOST on port 443. OK only
    when every node is OK; at most WARNING while one is. Not with -I or -p

Probe:
 -a, --alias=ALIAS
    Conference alias (required); sent as one percent-encoded path segment
 --display-name=NAME
    Participant name shown in Live View (default check_pexip_token)
 --call-tag=TAG
    Call tag (default check_pexip_token)
 --pin=PIN
    PIN to send (visible in the process list: prefer --pin-file)
 --pin-file=FILE
    Read the PIN from the first line of FILE
 --guest
    Join as a guest without a PIN (sends "pin: none")
 --no-release
    Keep the token: the participant stays until the token expires
 --challenge-result=STATE
    State when the node asks for a PIN, an identity provider or a conference
    extension (default WARNING)
 --expect-service-type=TYPE
    WARNING when the token's service type differs (e.g. test_call)
 --maintenance-result=STATE
    State when the node is in maintenance mode (default CRITICAL)
 --min-version=VERSION
    WARNING when the node's Infinity version (version_id, e.g. 36 or 36.1) is
    lower, compared as dotted numbers (36.10 > 36.9 > 36), or when a token
    carries no version or one that is not dotted numbers
 --events
    After the token, read the conference event stream as Pexip's web app does
    and require its first roster (participant_sync_end): CRITICAL when the node
    ends the session, the stream closes early or is refused (a proxy's page),
    WARNING when it stays silent (a proxy that buffers it)
 --events-wait=SECONDS
    How long --events waits for the roster (default 3, or half of -t when that
    is less; must be above 0 and below -t)

TLS:
 -k, --insecure
    Do not verify the node certificate (verification is on by default)
 --ca-file=FILE
    CA bundle to verify the node certificate with
 -C, --certificate=WARN[,CRIT]
    Minimum days every certificate the node sends (leaf and intermediates, not
    a self-signed root) must stay valid: WARNING below WARN, CRITICAL below
    CRIT (without CRIT only when expired or invalid)
 --client-cert=FILE
    Client certificate (PEM) to present to the node
 --client-key=FILE
    Private key (PEM) of the client certificate

Thresholds and limits:
 -w, --warning=RANGE
    Warning range for the request_token response time in seconds
 -c, --critical=RANGE
    Critical range for the request_token response time in seconds
 -t, --timeout=SECONDS
    Limit for the whole run (default 8, below check_nrpe's 10)
 --timeout-result=STATE
    State when the limit is reached (default CRITICAL)

Output and misc:
 -v, --verbose
    Long output (-v), settings (-vv), request/response trace (-vvv); the PIN
    and the token are never shown
 -h, --help
    Print this help and exit
 -V, --version
    Print the version and exit
 --extra-opts=[SECTION][@FILE]
    Read options from SECTION (default check_pexip_token) of an ini file
    (default: $MP_CONFIG_FILE or the monitoring-plugins ini locations)

STATE is OK, WARNING, CRITICAL or UNKNOWN (any case), or 0-3.

Environment:
 CHECK_PEXIP_TOKEN_PIN
    The PIN when none of --pin, --pin-file and --guest is given (empty: no
    PIN); kept off the command line, but root and the same user can read it

RANGE is the Nagios range syntax [@]START:END, endpoints inclusive:
 10       alert if below 0 or above 10
 10:      alert if below 10
 ~:10     alert if above 10
 10:20    alert if below 10 or above 20
 @10:20   alert if from 10 to 20

Examples:
 check_pexip_token -H node1.example.com -a meet -w 1 -c 2
 check_pexip_token -H conf.example.com -I 192.0.2.10 -a test_call \
   --expect-service-type=test_call -C 30,14
 check_pexip_token -H node1.example.com -a vmr --pin-file=/etc/nagios/pin -v
 check_pexip_token --srv -H example.com -a meet -v

Exit status: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN (also --help, --version).
)";
}

} // namespace cpt
