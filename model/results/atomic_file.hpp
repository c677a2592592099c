#pragma once
#include <string>

namespace stacksim::results {

// Writes `content` to `path` via a temporary file in the same directory and a rename, so a
// reader never sees a partial file. Creates missing parent directories. Throws
// std::runtime_error naming the path on failure.
void write_file_atomically(const std::string& path, const std::string& content);

}  // namespace stacksim::results
