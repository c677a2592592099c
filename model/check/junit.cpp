#include "model/check/junit.hpp"

#include <fmt/format.h>

#include <map>

namespace stacksim::check {

std::string xml_escape(const std::string& s) {
    std::string out;
    for (const unsigned char c : s) {
        switch (c) {
            case '&': out += "&amp;"; break;
            case '<': out += "&lt;"; break;
            case '>': out += "&gt;"; break;
            case '"': out += "&quot;"; break;
            case '\'': out += "&apos;"; break;
            case '\n': case '\t': case '\r': out += static_cast<char>(c); break;
            default:
                if (c >= 0x20) out += static_cast<char>(c);  // control characters are not allowed in XML 1.0
        }
    }
    return out;
}

std::string to_junit_xml(const Report& r) {
    std::map<std::string, std::vector<const Case*>> suites;
    for (const auto& c : r.cases) suites[c.suite].push_back(&c);
    std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
    out += fmt::format("<testsuites name=\"stacksim check: {}\" tests=\"{}\" failures=\"{}\">\n", xml_escape(r.subject),
                       r.cases.size(), r.failures());
    for (const auto& [suite, cases] : suites) {
        int failures = 0;
        for (const Case* c : cases) failures += !c->passed;
        out += fmt::format("  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"0\" skipped=\"0\">\n", xml_escape(suite),
                           cases.size(), failures);
        for (const Case* c : cases) {
            out += fmt::format("    <testcase classname=\"stacksim.{}\" name=\"{}\" time=\"0\">\n", xml_escape(suite),
                               xml_escape(c->name));
            if (!c->passed)
                out += fmt::format("      <failure message=\"{}\" type=\"{}\">{}</failure>\n", xml_escape(c->message),
                                   suite == "slo" ? "SloViolated" : suite == "regression" ? "Regression" : suite == "stability" ? "NotSteady" : "NoEvidence", xml_escape(fmt::format("{}\n{}", c->message, c->details)));
            else
                out += fmt::format("      <system-out>{}</system-out>\n", xml_escape(fmt::format("{}\n{}", c->message, c->details)));
            out += "    </testcase>\n";
        }
        out += "  </testsuite>\n";
    }
    out += "</testsuites>\n";
    return out;
}

std::string to_markdown(const Report& r) {
    auto cell = [](const std::string& s) {
        std::string out;
        for (const char c : s) {
            if (c == '|') out.append("\\|");
            else if (c == '\n') out.append("<br>");
            else out.push_back(c);
        }
        return out;
    };
    std::string out = fmt::format("## stacksim check: {} — {}\n\n", cell(r.subject),
                                  r.passed() ? "passed" : fmt::format("**{} failed**", r.failures()));
    for (const char* suite : {"evidence", "stability", "slo", "regression"}) {
        bool header = false;
        for (const auto& c : r.cases) {
            if (c.suite != suite) continue;
            if (!header) {
                const std::string kind = suite;
                out += kind == "slo"          ? "\n| SLO | verdict | detail |\n|---|---|---|\n"
                       : kind == "regression" ? "\n| metric vs baseline | verdict | detail |\n|---|---|---|\n"
                       : kind == "stability"  ? "\n| stability | verdict | detail |\n|---|---|---|\n"
                                              : "\n| evidence | verdict | detail |\n|---|---|---|\n";
                header = true;
            }
            std::string detail = c.message;
            if (!c.details.empty()) {
                detail.push_back('\n');
                detail.append(c.details, 0, c.details.size() - (c.details.back() == '\n' ? 1 : 0));
            }
            out += fmt::format("| {} | {} | {} |\n", cell(c.name), c.passed ? "✅ pass" : "❌ **fail**", cell(detail));
        }
    }
    if (r.cases.empty()) out += "Nothing to check: the results have no SLOs and no baseline was given.\n";
    return out;
}

}  // namespace stacksim::check
