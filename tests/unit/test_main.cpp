// SPDX-License-Identifier: GPL-3.0-or-later
// The one runner for every unit suite; each tests/unit/<module>_tests.cpp is one suite.
#define BOOST_TEST_MODULE check_pexip_token
#include <boost/test/unit_test.hpp>
