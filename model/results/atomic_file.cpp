#include "model/results/atomic_file.hpp"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <unistd.h>

namespace stacksim::results {
namespace fs = std::filesystem;

namespace {

fs::path temp_for(const fs::path& target) { return target.string() + ".tmp." + std::to_string(::getpid()); }

void create_parent(const fs::path& target) {
    std::error_code ec;
    if (target.has_parent_path()) fs::create_directories(target.parent_path(), ec);
    if (ec) throw std::runtime_error(target.string() + ": cannot create directory: " + ec.message());
}

// Writes content to `tmp` in full, or removes it and throws naming `target`.
void write_temp(const fs::path& target, const fs::path& tmp, const std::string& content) {
    std::error_code ec;
    if (fs::is_directory(target, ec))
        throw std::runtime_error(target.string() + ": is a directory, expected a file path");
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) throw std::runtime_error(target.string() + ": cannot write: " + std::strerror(errno));
    out << content;
    out.flush();
    const int err = errno;
    if (!out) {
        out.close();
        fs::remove(tmp, ec);
        throw std::runtime_error(target.string() + ": write failed: " + std::strerror(err ? err : EIO));
    }
    out.close();
    if (!out) {
        fs::remove(tmp, ec);
        throw std::runtime_error(target.string() + ": write failed: " + std::strerror(errno ? errno : EIO));
    }
}

void rename_into_place(const fs::path& tmp, const fs::path& target) {
    std::error_code ec;
    fs::rename(tmp, target, ec);
    if (ec) {
        const std::string reason = ec.message();  // before remove() reuses ec
        fs::remove(tmp, ec);
        throw std::runtime_error(target.string() + ": cannot rename into place: " + reason);
    }
}

}  // namespace

void write_file_atomically(const std::string& path, const std::string& content) {
    write_files_atomically({{path, content}});
}

void write_files_atomically(const std::vector<std::pair<std::string, std::string>>& files,
                            const std::vector<std::string>& stale) {
    std::vector<fs::path> temps;
    auto discard = [&temps] {
        std::error_code ec;
        for (const auto& t : temps) fs::remove(t, ec);
    };
    try {
        for (const auto& [path, content] : files) {
            create_parent(path);
            temps.push_back(temp_for(path));
            write_temp(path, temps.back(), content);
        }
    } catch (...) {
        discard();
        throw;
    }
    for (std::size_t i = 0; i < files.size(); ++i) rename_into_place(temps[i], files[i].first);
    std::error_code ec;
    for (const auto& s : stale) fs::remove(s, ec);
}

void ensure_writable_directory(const std::string& dir) {
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec) throw std::runtime_error(dir + ": cannot create the output directory: " + ec.message());
    if (!fs::is_directory(dir, ec)) throw std::runtime_error(dir + ": exists and is not a directory");
    const fs::path probe = fs::path(dir) / (".stacksim-write-test." + std::to_string(::getpid()));
    {
        std::ofstream out(probe, std::ios::binary | std::ios::trunc);
        if (!out) throw std::runtime_error(dir + ": cannot write in the output directory: " + std::strerror(errno));
    }
    fs::remove(probe, ec);
}

void ensure_writable_file(const std::string& path) {
    const fs::path p(path);
    std::error_code ec;
    if (path.empty()) throw std::runtime_error("an empty output path");
    if (path.back() == '/' || fs::is_directory(p, ec))
        throw std::runtime_error(path + ": is a directory, expected a file path such as " +
                                 (p / "analysis.json").lexically_normal().string());
    ensure_writable_directory(p.has_parent_path() ? p.parent_path().string() : ".");
}

}  // namespace stacksim::results
