#pragma once
#include <string>
#include <utility>
#include <vector>

namespace stacksim::results {

// Writes `content` to `path` via a temporary file in the same directory and a rename, so a
// reader never sees a partial file. Creates missing parent directories. Throws
// std::runtime_error naming the path on failure.
void write_file_atomically(const std::string& path, const std::string& content);

// Replaces several files as one unit (a run's results.json and series.csv): every file is
// written in full to a temporary beside its target first; only when all of them are on disk
// are they renamed into place, in the order given (put the file readers look for last). A
// failure while writing (disk full, quota) leaves every old file untouched. Renames need no
// space, so after the writes nothing but a crash between two renames can split the set.
// `stale` files (left by an earlier, different kind of run) are removed after the renames.
void write_files_atomically(const std::vector<std::pair<std::string, std::string>>& files,
                            const std::vector<std::string>& stale = {});

// Throws std::runtime_error with a plain reason unless a file can be created in `dir`
// (creating `dir` if needed). Run before hours of simulation, not after.
void ensure_writable_directory(const std::string& dir);

// Throws unless `path` can be a file: not a directory, parent creatable and writable.
void ensure_writable_file(const std::string& path);

}  // namespace stacksim::results
