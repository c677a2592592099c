#pragma once
#include <string>
#include <string_view>

namespace stacksim::report {

// Escapes text for HTML/SVG element content and attribute values (& < > " ').
std::string html_escape(std::string_view text);

}  // namespace stacksim::report
