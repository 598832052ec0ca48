// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "http/http_client.hpp"

#include <curl/curl.h>

namespace cpt {

/// Which kind of transport failure a libcurl result code is.
TransportErrorKind kind_of(CURLcode code);

} // namespace cpt
