// Every file in tests/corpus/bad must fail validation with the diagnostics its header lists:
//   // expect: <json pointer> ~ <substring of the message>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "model/schema/loader.hpp"

namespace fs = std::filesystem;
using stacksim::schema::Diagnostics;

namespace {

struct Expectation {
    std::string pointer, message;
};

std::vector<Expectation> expectations(const fs::path& file) {
    std::ifstream in(file);
    std::vector<Expectation> out;
    std::string line;
    while (std::getline(in, line) && line.rfind("//", 0) == 0) {
        const std::string tag = "// expect: ";
        if (line.rfind(tag, 0) != 0) continue;
        const auto sep = line.find(" ~ ");
        out.push_back({line.substr(tag.size(), sep - tag.size()), line.substr(sep + 3)});
    }
    return out;
}

std::vector<fs::path> corpus(const char* sub) {
    std::vector<fs::path> files;
    for (const auto& e : fs::directory_iterator(fs::path(STACKSIM_CORPUS_DIR) / sub)) files.push_back(e.path());
    std::sort(files.begin(), files.end());
    return files;
}

}  // namespace

TEST(Corpus, BadFilesReportEveryListedProblem) {
    const auto files = corpus("bad");
    ASSERT_GE(files.size(), 10u);
    for (const auto& f : files) {
        SCOPED_TRACE(f.filename().string());
        const auto expected = expectations(f);
        ASSERT_FALSE(expected.empty()) << "no // expect: lines in " << f;
        Diagnostics diag;
        EXPECT_FALSE(stacksim::schema::validate_file(f.string(), {}, diag));
        for (const auto& e : expected)
            EXPECT_TRUE(diag.contains(e.pointer, e.message))
                << "missing: " << e.pointer << ": " << e.message << "\ngot:\n" << diag.format();
        for (const auto& d : diag.all()) {
            EXPECT_FALSE(d.file.empty());
            EXPECT_FALSE(d.message.empty());
        }
    }
}

TEST(Corpus, GoodFilesAreValid) {
    for (const auto& f : corpus("good")) {
        SCOPED_TRACE(f.filename().string());
        Diagnostics diag;
        EXPECT_TRUE(stacksim::schema::validate_file(f.string(), {}, diag)) << diag.format();
    }
}

TEST(Corpus, ShippedTopologiesAndExperimentsAreValid) {
    for (const char* dir : {"topologies", "experiments"})
        for (const auto& e : fs::directory_iterator(fs::path(STACKSIM_SOURCE_DIR) / dir)) {
            SCOPED_TRACE(e.path().string());
            Diagnostics diag;
            EXPECT_TRUE(stacksim::schema::validate_file(e.path().string(), {}, diag)) << diag.format();
            for (const auto& d : diag.all())  // shipped files are warning-free too
                ADD_FAILURE() << d.format();
        }
}

TEST(Corpus, UnreachableServicesAreWarningsNotErrors) {
    const std::string exp = std::string(STACKSIM_CORPUS_DIR) + "/good/minimal-experiment.json";
    Diagnostics diag;
    EXPECT_TRUE(stacksim::schema::validate_file(
        exp, {R"(topology.services.orphan={"kind": "cache", "machine": "r6i.large", "max_keys": 10})"}, diag))
        << diag.format();
    ASSERT_EQ(diag.all().size(), 1u);
    EXPECT_EQ(diag.all()[0].severity, stacksim::schema::Diagnostic::Severity::warning);
    EXPECT_EQ(diag.all()[0].pointer, "/services/orphan");
    EXPECT_NE(diag.all()[0].message.find("unreachable from the workload entry \"lb\""), std::string::npos);
}
