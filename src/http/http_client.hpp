// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace cpt {

struct HttpRequest
{
    std::string method; ///< "GET" or "POST"
    std::string path;   ///< already percent-encoded, starts with '/'
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body; ///< sent as is; empty POST sends Content-Length: 0
};

/// Non-overlapping phases of one exchange, in seconds; they add up to total.
struct PhaseTimings
{
    double dns = 0.0;
    double connect = 0.0;
    double tls = 0.0;
    double server = 0.0;   ///< request sent until the first response byte
    double transfer = 0.0; ///< first to last response byte
    double total = 0.0;
};

/// One certificate the node sent in its TLS handshake.
struct PeerCertificate
{
    std::string subject_cn;     ///< subject commonName (else the whole subject); may be empty
    std::int64_t not_after = 0; ///< Unix time
    bool self_signed = false;   ///< issued by itself (a root when not first)
};

/// The certificates as the node sent them, leaf first.
using CertificateChain = std::vector<PeerCertificate>;

struct HttpResponse
{
    long status = 0;
    std::string reason;       ///< reason phrase of the status line
    std::string content_type; ///< empty when absent
    std::string body;
    bool body_truncated = false; ///< the body exceeded the cap and was cut
    PhaseTimings timings;
    std::string peer_address;    ///< "ADDR port N" actually connected to
    bool new_connection = false; ///< false when an open connection was reused
    /// notAfter of the node's certificate as a Unix time, when asked for and available.
    std::optional<std::int64_t> cert_not_after;
    /// Every certificate the node sent (leaf first), when asked for and available.
    CertificateChain cert_chain;
};

enum class TransportErrorKind
{
    timeout,
    dns,
    connect,
    tls_verify, ///< the certificate or name did not verify
    tls,        ///< any other TLS failure (handshake reset, client certificate ...)
    protocol,   ///< not HTTP, bad framing
    other,
};

/// The phases of a failed exchange that did complete, in seconds; none where the exchange
/// did not get that far (graphs show how far a failing probe got, never a response time).
struct CompletedPhases
{
    std::optional<double> dns;     ///< the name was resolved (or an address was given)
    std::optional<double> connect; ///< TCP connected
    std::optional<double> tls;     ///< the TLS handshake finished
};

struct TransportError
{
    TransportErrorKind kind = TransportErrorKind::other;
    std::string message; ///< one line, e.g. "Connection refused"
    std::optional<std::int64_t> cert_not_after;
    CertificateChain cert_chain;
    CompletedPhases completed;
};

using HttpResult = std::variant<HttpResponse, TransportError>;

/// How long and how much a streamed response is read.
struct StreamLimits
{
    long wait_ms = 0;          ///< the stream's own wait, from sending the request
    long reserve_ms = 0;       ///< left of the run's deadline for what comes after the stream
    std::size_t max_bytes = 0; ///< most body bytes read
};

/// Receives a streamed response as it arrives.
class StreamConsumer
{
public:
    virtual ~StreamConsumer() = default;
    /// The status line and headers are in; false stops reading at once.
    virtual bool on_head(long status, const std::string& reason,
                         const std::string& content_type) = 0;
    /// The next piece of the body, `elapsed` seconds after the request was sent; false stops
    /// reading at once.
    virtual bool on_data(std::string_view chunk, double elapsed) = 0;
};

/// Why reading a stream ended.
enum class StreamEnd
{
    consumer,  ///< the consumer said stop
    closed,    ///< the node ended the response (or the connection) itself
    wait_over, ///< the wait (or what the deadline left) ran out
    byte_cap,  ///< max_bytes read
};

struct StreamResponse
{
    StreamEnd end = StreamEnd::closed;
    bool head_received = false; ///< on_head was called
    std::size_t bytes = 0;      ///< body bytes read
    double elapsed = 0.0;       ///< seconds from sending the request to the end of the read
    std::string peer_address;
    std::string message; ///< the transport's word when the node closed it abnormally
};

using StreamResult = std::variant<StreamResponse, TransportError>;

/// The seam between the check logic and the network: one implementation speaks libcurl,
/// unit tests script another. Successive requests should share one connection.
class HttpClient
{
public:
    virtual ~HttpClient() = default;
    virtual HttpResult send(const HttpRequest& request) = 0;
    /// A long-lived response (server-sent events) on a connection of its own, so that the
    /// connection of send() stays free for what follows. Bounded by limits.wait_ms and by the
    /// run's deadline less limits.reserve_ms. A TransportError only when no response head
    /// arrived and the failure was not the wait running out.
    virtual StreamResult stream(const HttpRequest& request, const StreamLimits& limits,
                                StreamConsumer& consumer) = 0;
};

/// Largest response body read; a longer one is cut and marked truncated.
inline constexpr std::size_t max_body_bytes = 256 * 1024;

} // namespace cpt
