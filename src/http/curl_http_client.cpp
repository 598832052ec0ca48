// SPDX-License-Identifier: GPL-3.0-or-later
#include "config.h"

#include "base/text.hpp"
#include "http/curl_errors.hpp"
#include "http/curl_handles.hpp"
#include "http/curl_http_client.hpp"
#include "http/curl_setup.hpp"
#include "http/curl_stream.hpp"
#include "http/peer_certificate.hpp"

#include <curl/curl.h>
#include <openssl/crypto.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstring>
#include <ctime>
#include <stdexcept>
#include <strings.h>

namespace cpt {

namespace {

double seconds(curl_off_t microseconds)
{
    return static_cast<double>(microseconds) / 1e6;
}

} // namespace

CurlGlobal::CurlGlobal()
{
    // The process ends right after the probe: OpenSSL's exit handler would spend some 4% of
    // a probe's instructions freeing memory the kernel is about to take back anyway. This
    // must come before anything else starts OpenSSL (the first call decides).
#ifdef OPENSSL_INIT_NO_ATEXIT
    OPENSSL_init_crypto(OPENSSL_INIT_NO_ATEXIT, nullptr);
#endif
    // TLS only: nothing else of libcurl's global state is used.
    if (curl_global_init(CURL_GLOBAL_SSL) != CURLE_OK) {
        throw std::runtime_error("cannot initialise libcurl");
    }
}

CurlGlobal::~CurlGlobal()
{
    curl_global_cleanup();
}

struct CurlHttpClient::Impl
{
    Impl(ConnectionSettings settings_in, const Deadline& deadline_in)
        : settings(std::move(settings_in)), deadline(deadline_in), easy(curl_easy_init())
    {
        if (!easy) {
            throw std::runtime_error("cannot create a libcurl handle");
        }
        configure();
    }

    template <typename Value>
    void set(CURLoption option, Value value)
    {
        set_option(easy.get(), option, value);
    }

    void configure()
    {
        configure_connection(easy.get(), settings, connect_to, error_buffer.data());
        set(CURLOPT_WRITEFUNCTION, &Impl::on_body);
        set(CURLOPT_WRITEDATA, this);
        set(CURLOPT_HEADERFUNCTION, &Impl::on_header);
        set(CURLOPT_HEADERDATA, this);
        // libcurl leaves CONNECT_TIME at 0 until TLS is up; this callback runs once TCP is.
        set(CURLOPT_SSL_CTX_FUNCTION, &Impl::on_tls_start);
        set(CURLOPT_SSL_CTX_DATA, this);
        // Runs when a socket for a new connection exists (before connect()): tells a connect
        // that never completes from a wait on a reused connection.
        set(CURLOPT_SOCKOPTFUNCTION, &Impl::on_socket);
        set(CURLOPT_SOCKOPTDATA, this);
    }

    static int on_socket(void* self_ptr, curl_socket_t /*socket*/, curlsocktype /*purpose*/)
    {
        auto* self = static_cast<Impl*>(self_ptr);
        self->socket_opened = true;
        self->socket_opened_at = Clock::now();
        return CURL_SOCKOPT_OK;
    }

    static CURLcode on_tls_start(CURL* /*easy*/, void* /*ssl_ctx*/, void* self_ptr)
    {
        auto* self = static_cast<Impl*>(self_ptr);
        self->tcp_connected = true;
        self->tcp_connected_at = Clock::now();
        return CURLE_OK;
    }

    /// How far a failed exchange got. libcurl's CONNECT_TIME stays 0 until TLS is up, so
    /// the socket and TLS-start callbacks mark the end of DNS and of TCP on our own clock.
    CompletedPhases completed_phases() const
    {
        CompletedPhases phases;
        const auto since_start = [this](Clock::time_point at) {
            return std::max(0.0, std::chrono::duration<double>(at - started_at).count());
        };
        curl_off_t dns = 0, tls = 0;
        curl_easy_getinfo(easy.get(), CURLINFO_NAMELOOKUP_TIME_T, &dns);
        curl_easy_getinfo(easy.get(), CURLINFO_APPCONNECT_TIME_T, &tls);
        if (!socket_opened) {
            return phases; // no socket: the name never resolved (or a reused connection broke)
        }
        const double dns_end = dns > 0 ? seconds(dns) : since_start(socket_opened_at);
        phases.dns = dns_end;
        if (!tcp_connected) {
            return phases;
        }
        const double tcp_end = std::max(dns_end, since_start(tcp_connected_at));
        phases.connect = tcp_end - dns_end;
        if (tls > 0) {
            phases.tls = std::max(0.0, seconds(tls) - tcp_end);
        }
        return phases;
    }

    static std::size_t on_body(char* data, std::size_t size, std::size_t count, void* self_ptr)
    {
        auto* self = static_cast<Impl*>(self_ptr);
        const std::size_t bytes = size * count;
        const std::size_t room = max_body_bytes - self->response.body.size();
        if (bytes > room) {
            self->response.body.append(data, room);
            self->response.body_truncated = true;
            return 0; // stop reading: the cap is the cap
        }
        self->response.body.append(data, bytes);
        return bytes;
    }

    static std::size_t on_header(char* data, std::size_t size, std::size_t count, void* self_ptr)
    {
        auto* self = static_cast<Impl*>(self_ptr);
        const std::size_t bytes = size * count;
        const HeaderLine line = parse_header_line(data, bytes);
        if (line.status_line) { // a new response (after a 1xx too)
            self->response.reason = line.reason;
            self->response.content_type.clear();
        } else if (line.content_type_line) {
            self->response.content_type = line.content_type;
        }
        if (self->settings.want_cert_expiry && self->cert_chain.empty()) {
            self->cert_chain = peer_certificate_chain(self->easy.get());
            if (!self->cert_chain.empty()) {
                self->cert_not_after = self->cert_chain.front().not_after;
            }
        }
        return bytes;
    }

    PhaseTimings timings() const
    {
        curl_off_t dns = 0, connect = 0, tls = 0, first_byte = 0, total = 0;
        curl_easy_getinfo(easy.get(), CURLINFO_NAMELOOKUP_TIME_T, &dns);
        curl_easy_getinfo(easy.get(), CURLINFO_CONNECT_TIME_T, &connect);
        curl_easy_getinfo(easy.get(), CURLINFO_APPCONNECT_TIME_T, &tls);
        curl_easy_getinfo(easy.get(), CURLINFO_STARTTRANSFER_TIME_T, &first_byte);
        curl_easy_getinfo(easy.get(), CURLINFO_TOTAL_TIME_T, &total);
        // libcurl's marks are cumulative and some stay 0 (reused connection, failure):
        // clamp them into a monotonic sequence so the phases never overlap and add up.
        const curl_off_t m1 = dns;
        const curl_off_t m2 = std::max(m1, connect);
        const curl_off_t m3 = std::max(m2, tls);
        const curl_off_t m4 = std::max(m3, first_byte);
        const curl_off_t m5 = std::max(m4, total);
        PhaseTimings phases;
        phases.dns = seconds(m1);
        phases.connect = seconds(m2 - m1);
        phases.tls = seconds(m3 - m2);
        phases.server = seconds(m4 - m3);
        phases.transfer = seconds(m5 - m4);
        phases.total = seconds(m5);
        return phases;
    }

    std::string timeout_stage() const
    {
        curl_off_t tls = 0, first_byte = 0;
        curl_easy_getinfo(easy.get(), CURLINFO_APPCONNECT_TIME_T, &tls);
        curl_easy_getinfo(easy.get(), CURLINFO_STARTTRANSFER_TIME_T, &first_byte);
        // NUM_CONNECTS cannot tell: it stays 0 until a connection is complete.
        if (socket_opened) { // this request opened a new connection
            if (!tcp_connected) {
                return "connect";
            }
            if (tls == 0) {
                return "TLS handshake";
            }
        } else if (!had_connection) { // no socket yet and none to reuse: still resolving
            return "DNS lookup";
        }
        if (first_byte == 0) {
            return "waiting for the response";
        }
        return "reading the response";
    }

    HttpResult send(const HttpRequest& request)
    {
        response = HttpResponse{};
        error_buffer[0] = '\0';
        had_connection = had_connection || tcp_connected;
        socket_opened = false;
        tcp_connected = false;
        const long remaining = deadline.remaining_ms();
        if (remaining <= 0) {
            return TransportError{
                TransportErrorKind::timeout, "no time left", cert_not_after, cert_chain, {}};
        }
        set(CURLOPT_URL, request_url(settings, request.path).c_str());
        HeaderList headers = request_headers(request);
        const bool has_content_type =
            std::any_of(request.headers.begin(), request.headers.end(), [](const auto& header) {
                return strcasecmp(header.first.c_str(), "Content-Type") == 0;
            });
        if (request.method == "POST") {
            if (!has_content_type) {
                append(headers, "Content-Type:"); // not libcurl's form default
            }
            set(CURLOPT_POST, 1L);
            set(CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
            set(CURLOPT_POSTFIELDS, request.body.c_str());
        } else {
            set(CURLOPT_HTTPGET, 1L);
        }
        set(CURLOPT_HTTPHEADER, headers.get());
        set(CURLOPT_TIMEOUT_MS, remaining);
        set(CURLOPT_CONNECTTIMEOUT_MS, remaining);

        started_at = Clock::now();
        const CURLcode code = curl_easy_perform(easy.get());
        set(CURLOPT_HTTPHEADER, static_cast<curl_slist*>(nullptr)); // headers die here

        long new_connections = 0;
        curl_easy_getinfo(easy.get(), CURLINFO_NUM_CONNECTS, &new_connections);
        if (code != CURLE_OK && !(code == CURLE_WRITE_ERROR && response.body_truncated)) {
            TransportError error;
            error.kind = kind_of(code);
            error.message = trim_trailing_whitespace(
                error_buffer[0] != '\0' ? error_buffer.data() : curl_easy_strerror(code));
            if (error.kind == TransportErrorKind::timeout) {
                error.message = timeout_stage();
            } else if (error.kind == TransportErrorKind::connect) {
                long os_errno = 0;
                curl_easy_getinfo(easy.get(), CURLINFO_OS_ERRNO, &os_errno);
                if (os_errno != 0) {
                    error.message = std::strerror(static_cast<int>(os_errno));
                }
            }
            error.completed = completed_phases();
            error.cert_not_after = cert_not_after;
            error.cert_chain = cert_chain;
            return error;
        }
        curl_easy_getinfo(easy.get(), CURLINFO_RESPONSE_CODE, &response.status);
        response.timings = timings();
        response.new_connection = new_connections > 0;
        response.peer_address = peer_address(easy.get());
        response.cert_not_after = cert_not_after;
        response.cert_chain = cert_chain;
        return std::move(response);
    }

    ConnectionSettings settings;
    const Deadline& deadline;
    EasyHandle easy;
    std::unique_ptr<CurlStream> streamer; ///< a second handle, made when first needed
    HeaderList connect_to;
    std::array<char, CURL_ERROR_SIZE> error_buffer{};
    HttpResponse response;
    std::optional<std::int64_t> cert_not_after;
    CertificateChain cert_chain; ///< read once, on the first exchange of the connection
    using Clock = std::chrono::steady_clock;
    Clock::time_point started_at;       ///< this request's curl_easy_perform began
    Clock::time_point socket_opened_at; ///< its socket was created (the name had resolved)
    Clock::time_point tcp_connected_at; ///< its TCP connection was up (TLS began)
    bool tcp_connected = false;         ///< this request's new connection got past TCP
    bool socket_opened = false;         ///< this request opened a socket for a new connection
    bool had_connection = false;        ///< an earlier request had a connection (maybe reusable)
};

CurlHttpClient::CurlHttpClient(ConnectionSettings settings, const Deadline& deadline)
    : impl_(std::make_unique<Impl>(std::move(settings), deadline))
{
}

CurlHttpClient::~CurlHttpClient() = default;

HttpResult CurlHttpClient::send(const HttpRequest& request)
{
    return impl_->send(request);
}

StreamResult CurlHttpClient::stream(const HttpRequest& request, const StreamLimits& limits,
                                    StreamConsumer& consumer)
{
    if (!impl_->streamer) {
        impl_->streamer = std::make_unique<CurlStream>(impl_->settings, impl_->deadline);
    }
    return impl_->streamer->run(request, limits, consumer);
}

} // namespace cpt
