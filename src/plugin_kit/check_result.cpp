// SPDX-License-Identifier: GPL-3.0-or-later
#include "config.h"

#include "base/text.hpp"
#include "plugin_kit/check_result.hpp"

#include <algorithm>

namespace cpt {

namespace {

/// Longest summary on line 1; keeps the line readable whatever the node sent.
constexpr std::size_t max_summary_bytes = 400;
/// Longest single long-output line.
constexpr std::size_t max_detail_bytes = 1024;

std::string clean(const std::string& text, const std::vector<std::string>& secrets,
                  std::size_t max_bytes)
{
    return printable_line(redact(text, secrets), max_bytes);
}

} // namespace

void CheckResult::add(Subcheck subcheck)
{
    subchecks_.push_back(std::move(subcheck));
}

void CheckResult::add_perfdata(PerfValue perf)
{
    perfdata_.push_back(std::move(perf));
}

void CheckResult::add_detail(std::string line, int min_verbosity)
{
    details_.push_back(Detail{min_verbosity, std::move(line)});
}

State CheckResult::state() const noexcept
{
    State state = State::ok;
    for (const Subcheck& subcheck : subchecks_) {
        state = worse(state, subcheck.state);
    }
    return state;
}

void CheckResult::add_secret(std::string secret)
{
    if (!secret.empty()) {
        secrets_.push_back(std::move(secret));
    }
}

void CheckResult::add_child(std::string name, CheckResult child)
{
    children_.push_back(Child{std::move(name), std::move(child)});
}

void CheckResult::collect_secrets(std::vector<std::string>& into) const
{
    into.insert(into.end(), secrets_.begin(), secrets_.end());
    for (const Child& child : children_) {
        child.result.collect_secrets(into);
    }
}

std::string CheckResult::summary() const
{
    std::vector<const Subcheck*> problems;
    for (const Subcheck& subcheck : subchecks_) {
        if (subcheck.state != State::ok) {
            problems.push_back(&subcheck);
        }
    }
    std::stable_sort(problems.begin(), problems.end(), [](const Subcheck* a, const Subcheck* b) {
        return severity(a->state) > severity(b->state);
    });
    std::string summary;
    const auto append = [&summary](const std::string& phrase) {
        if (!summary.empty()) {
            summary += ", ";
        }
        summary += trim_trailing_whitespace(phrase);
    };
    for (const Subcheck* problem : problems) {
        append(problem->summary);
    }
    for (const Subcheck& subcheck : subchecks_) {
        if (subcheck.primary && subcheck.state == State::ok) {
            append(subcheck.summary);
        }
    }
    if (summary.empty()) {
        summary = "no result";
    }
    return summary;
}

void CheckResult::long_lines(int verbosity, const std::string& indent,
                             std::vector<std::string>& lines) const
{
    for (const Subcheck& subcheck : subchecks_) {
        lines.push_back(indent + "\\_ [" + std::string(state_name(subcheck.state)) + "] " +
                        subcheck.name + ": " + subcheck.summary);
    }
    for (const Detail& detail : details_) {
        if (verbosity >= detail.min_verbosity) {
            lines.push_back(indent + detail.line);
        }
    }
    for (const Child& child : children_) {
        lines.push_back(indent + "\\_ [" + std::string(state_name(child.result.state())) + "] " +
                        child.name + ": " + child.result.summary());
        child.result.long_lines(verbosity, indent + "    ", lines);
    }
}

std::string CheckResult::render(int verbosity) const
{
    std::vector<std::string> secrets;
    collect_secrets(secrets);

    std::string out = output_prefix;
    out += ' ';
    out += state_name(state());
    out += ": ";
    out += clean(summary(), secrets, max_summary_bytes);
    if (!perfdata_.empty()) {
        out += " |";
        for (const PerfValue& perf : perfdata_) {
            out += ' ';
            out += format_perfdata(perf);
        }
    }
    out += '\n';
    if (verbosity < 1) {
        return out;
    }

    std::vector<std::string> lines;
    long_lines(verbosity, std::string(), lines);
    static const std::string truncated = "(output truncated)\n";
    for (const std::string& line : lines) {
        const std::string safe = clean(line, secrets, max_detail_bytes) + '\n';
        if (out.size() + safe.size() + truncated.size() > max_output_bytes) {
            out += truncated;
            break;
        }
        out += safe;
    }
    return out;
}

} // namespace cpt
