// SPDX-License-Identifier: GPL-3.0-or-later
#include "config.h"

#include "http/curl_handles.hpp"

#include <new>

namespace cpt {

void append(HeaderList& list, const std::string& line)
{
    curl_slist* grown = curl_slist_append(list.get(), line.c_str());
    if (grown == nullptr) {
        throw std::bad_alloc();
    }
    (void)list.release(); // curl_slist_append returns the same head on success
    list.reset(grown);
}

} // namespace cpt
