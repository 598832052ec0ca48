// SPDX-License-Identifier: GPL-3.0-or-later
#include "config.h"

#include "plugin.hpp"

#include <cstdio>
#include <string>
#include <vector>

int main(int argc, char** argv)
{
    std::string output;
    int exit_code = 3;
    try {
        exit_code = cpt::run_plugin(std::vector<std::string>(argv, argv + argc), output);
    } catch (...) {
        output = "PEXIP TOKEN UNKNOWN: out of memory\n";
    }
    std::fwrite(output.data(), 1, output.size(), stdout);
    return exit_code;
}
