#pragma once
#include <string>

#include "model/check/gate.hpp"

namespace stacksim::check {

// JUnit XML as CI systems read it (GitLab, Jenkins, GitHub test reporters): one <testsuite>
// per suite ("slo", "regression"), one <testcase> per case, <failure> when it failed.
std::string to_junit_xml(const Report& r);

// A Markdown summary for a CI job page (GitHub's $GITHUB_STEP_SUMMARY, GitLab MR notes).
std::string to_markdown(const Report& r);

std::string xml_escape(const std::string& s);

}  // namespace stacksim::check
