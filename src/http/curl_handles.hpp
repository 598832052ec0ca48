// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <curl/curl.h>

#include <memory>
#include <string>

namespace cpt {

// RAII holders for libcurl's handles.

struct EasyDeleter
{
    void operator()(CURL* easy) const noexcept { curl_easy_cleanup(easy); }
};
struct SlistDeleter
{
    void operator()(curl_slist* list) const noexcept { curl_slist_free_all(list); }
};
using EasyHandle = std::unique_ptr<CURL, EasyDeleter>;
using HeaderList = std::unique_ptr<curl_slist, SlistDeleter>;

/// Appends to a curl_slist, keeping ownership in the RAII holder.
void append(HeaderList& list, const std::string& line);

} // namespace cpt
