// SPDX-License-Identifier: GPL-3.0-or-later
#include "config.h"

#include "http/curl_errors.hpp"

namespace cpt {

TransportErrorKind kind_of(CURLcode code)
{
    switch (code) {
    case CURLE_OPERATION_TIMEDOUT:
        return TransportErrorKind::timeout;
    case CURLE_COULDNT_RESOLVE_HOST:
        return TransportErrorKind::dns;
    case CURLE_COULDNT_CONNECT:
        return TransportErrorKind::connect;
    case CURLE_PEER_FAILED_VERIFICATION:
        return TransportErrorKind::tls_verify;
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_ENGINE_NOTFOUND:
    case CURLE_SSL_ENGINE_SETFAILED:
    case CURLE_SSL_SHUTDOWN_FAILED:
    case CURLE_SSL_CRL_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_INVALIDCERTSTATUS:
    case CURLE_SSL_CLIENTCERT:
        return TransportErrorKind::tls;
    case CURLE_GOT_NOTHING:
    case CURLE_WEIRD_SERVER_REPLY:
    case CURLE_HTTP2:
    case CURLE_PARTIAL_FILE:
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
        return TransportErrorKind::protocol;
    default:
        return TransportErrorKind::other;
    }
}

} // namespace cpt
