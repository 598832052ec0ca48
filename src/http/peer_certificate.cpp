// SPDX-License-Identifier: GPL-3.0-or-later
#include "config.h"

#include "http/peer_certificate.hpp"

#include <openssl/asn1.h>
#include <openssl/crypto.h>
#include <openssl/objects.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <array>
#include <ctime>

namespace cpt {

namespace {

/// The subject's commonName as UTF-8, else the one-line subject.
std::string subject_name(X509* cert)
{
    X509_NAME* subject = X509_get_subject_name(cert);
    if (subject == nullptr) {
        return {};
    }
    const int index = X509_NAME_get_index_by_NID(subject, NID_commonName, -1);
    if (index >= 0) {
        unsigned char* utf8 = nullptr;
        const int length = ASN1_STRING_to_UTF8(
            &utf8, X509_NAME_ENTRY_get_data(X509_NAME_get_entry(subject, index)));
        if (length >= 0 && utf8 != nullptr) {
            std::string name(reinterpret_cast<const char*>(utf8), static_cast<std::size_t>(length));
            OPENSSL_free(utf8);
            return name;
        }
    }
    std::array<char, 256> line{};
    return X509_NAME_oneline(subject, line.data(), static_cast<int>(line.size())) != nullptr
               ? std::string(line.data())
               : std::string();
}

} // namespace

CertificateChain peer_certificate_chain(CURL* easy)
{
    const curl_tlssessioninfo* info = nullptr;
    if (curl_easy_getinfo(easy, CURLINFO_TLS_SSL_PTR, &info) != CURLE_OK || info == nullptr ||
        info->backend != CURLSSLBACKEND_OPENSSL || info->internals == nullptr) {
        return {};
    }
    auto* ssl = static_cast<SSL*>(info->internals);
    // On a client the sent chain includes the leaf; it is only there on the connection's
    // first exchange, before a session could be resumed, which is when the caller reads it.
    STACK_OF(X509)* sent = SSL_get_peer_cert_chain(ssl);
    if (sent == nullptr) {
        return {};
    }
    CertificateChain chain;
    for (int i = 0; i < sk_X509_num(sent); ++i) {
        X509* cert = sk_X509_value(sent, i);
        std::tm expiry{};
        if (cert == nullptr || ASN1_TIME_to_tm(X509_get0_notAfter(cert), &expiry) != 1) {
            return {}; // one unreadable expiry: the minimum is unknown
        }
        PeerCertificate entry;
        entry.subject_cn = subject_name(cert);
        entry.not_after = static_cast<std::int64_t>(timegm(&expiry));
        entry.self_signed = X509_check_issued(cert, cert) == X509_V_OK;
        chain.push_back(std::move(entry));
    }
    return chain;
}

} // namespace cpt
