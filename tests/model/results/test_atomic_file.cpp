// A run's results.json and series.csv are replaced as a unit (issue 12: a full disk left a new
// series.csv beside the old results.json).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "model/results/atomic_file.hpp"

namespace fs = std::filesystem;
using namespace stacksim::results;

namespace {
std::string slurp(const fs::path& p) {
    std::ifstream in(p);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}
fs::path fresh_dir(const std::string& name) {
    const fs::path d = fs::temp_directory_path() / ("stacksim-atomic-" + name + "-" + std::to_string(::getpid()));
    fs::remove_all(d);
    fs::create_directories(d);
    return d;
}
}  // namespace

TEST(AtomicFiles, AFailedWriteLeavesEveryOldFileUntouched) {
    const fs::path d = fresh_dir("pair");
    write_files_atomically({{(d / "series.csv").string(), "old series"}, {(d / "results.json").string(), "old results"}});
    // The second target cannot be written (its "directory" is a file): the first must not change.
    std::ofstream(d / "blocker") << "x";
    EXPECT_THROW(write_files_atomically({{(d / "series.csv").string(), "new series"},
                                         {(d / "blocker" / "results.json").string(), "new results"}}),
                 std::runtime_error);
    EXPECT_EQ(slurp(d / "series.csv"), "old series");
    for (const auto& e : fs::directory_iterator(d))
        EXPECT_EQ(e.path().filename().string().find(".tmp."), std::string::npos) << e.path();
    write_files_atomically({{(d / "series.csv").string(), "new series"}, {(d / "results.json").string(), "new results"}},
                           {(d / "stale.csv").string()});
    EXPECT_EQ(slurp(d / "series.csv"), "new series");
    EXPECT_EQ(slurp(d / "results.json"), "new results");
    fs::remove_all(d);
}

TEST(AtomicFiles, StaleFilesAreRemovedOnlyAfterTheWrite) {
    const fs::path d = fresh_dir("stale");
    std::ofstream(d / "series.csv") << "from a single run";
    write_files_atomically({{(d / "results.json").string(), "replications"}}, {(d / "series.csv").string()});
    EXPECT_FALSE(fs::exists(d / "series.csv"));
    EXPECT_EQ(slurp(d / "results.json"), "replications");
    fs::remove_all(d);
}

TEST(AtomicFiles, ADirectoryIsNotAFileAndTheMessageSaysWhy) {
    const fs::path d = fresh_dir("dir");
    try {
        write_file_atomically(d.string(), "x");
        FAIL() << "wrote over a directory";
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find("is a directory"), std::string::npos) << e.what();
        EXPECT_EQ(std::string(e.what()).find("Success"), std::string::npos) << e.what();
    }
    EXPECT_THROW(ensure_writable_file(d.string() + "/"), std::runtime_error);
    EXPECT_NO_THROW(ensure_writable_file((d / "a.json").string()));
    EXPECT_NO_THROW(ensure_writable_directory((d / "sub" / "dir").string()));
    EXPECT_THROW(ensure_writable_directory("/proc/stacksim-cannot-exist"), std::runtime_error);
    fs::remove_all(d);
}
