// SPDX-License-Identifier: GPL-3.0-or-later
#include "config.h"

#include "peer_certificate.hpp"

#include <openssl/asn1.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <ctime>

namespace cpt {

std::optional<std::int64_t> peer_cert_not_after(CURL* easy)
{
    const curl_tlssessioninfo* info = nullptr;
    if (curl_easy_getinfo(easy, CURLINFO_TLS_SSL_PTR, &info) != CURLE_OK || info == nullptr ||
        info->backend != CURLSSLBACKEND_OPENSSL || info->internals == nullptr) {
        return std::nullopt;
    }
    auto* ssl = static_cast<SSL*>(info->internals);
#if OPENSSL_VERSION_NUMBER >= 0x30000000L
    X509* cert = SSL_get1_peer_certificate(ssl);
#else
    X509* cert = SSL_get_peer_certificate(ssl);
#endif
    if (cert == nullptr) {
        return std::nullopt;
    }
    std::optional<std::int64_t> not_after;
    std::tm expiry{};
    if (ASN1_TIME_to_tm(X509_get0_notAfter(cert), &expiry) == 1) {
        not_after = static_cast<std::int64_t>(timegm(&expiry));
    }
    X509_free(cert);
    return not_after;
}

} // namespace cpt
