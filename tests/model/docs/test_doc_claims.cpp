// Claims of the docs that drifted from the code once (issue 12, section 6), kept under test:
// the default retried error kinds, features described as "not yet" built, the README tour.
#include <gtest/gtest.h>

#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "model/stack/resilience.hpp"

namespace {

std::string read_doc(const std::string& relative) {
    std::ifstream in(std::string(STACKSIM_SOURCE_DIR) + "/" + relative);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

// The `backticked` words of a piece of text, in order.
std::vector<std::string> code_words(const std::string& text) {
    std::vector<std::string> out;
    static const std::regex kWord("`([a-z_]+)`");
    for (auto it = std::sregex_iterator(text.begin(), text.end(), kWord); it != std::sregex_iterator(); ++it)
        out.push_back((*it)[1]);
    return out;
}

std::set<std::string> as_set(const std::vector<std::string>& v) { return {v.begin(), v.end()}; }

}  // namespace

TEST(DocClaims, ResilienceGuideListsTheDefaultRetriedKinds) {
    const std::string doc = read_doc("docs/resilience.md");
    const auto start = doc.find("Default retried kinds (`on`):");
    ASSERT_NE(start, std::string::npos);
    const auto end = doc.find(" — ", start);
    const auto words = code_words(doc.substr(start + 29, end - start - 29));
    EXPECT_EQ(as_set(words), as_set(stacksim::default_retry_on()));
}

TEST(DocClaims, FileFormatTableListsTheDefaultAndAllowedRetriedKinds) {
    const std::string doc = read_doc("docs/file-formats.md");
    const auto row = doc.find("| `retry.on` |");
    ASSERT_NE(row, std::string::npos);
    std::string line = doc.substr(row, doc.find('\n', row) - row);
    std::vector<std::string> cells;
    for (std::size_t p = 0, q; (q = line.find('|', p + 1)) != std::string::npos; p = q) cells.push_back(line.substr(p + 1, q - p - 1));
    ASSERT_GE(cells.size(), 4u) << line;
    EXPECT_EQ(as_set(code_words(cells[2])), as_set(stacksim::default_retry_on())) << cells[2];
    auto allowed = code_words(cells[2]);
    for (const auto& w : code_words(cells[3])) allowed.push_back(w);
    EXPECT_EQ(as_set(allowed), as_set(stacksim::retryable_error_kinds())) << cells[3];
}

TEST(DocClaims, SimulatorGuideDescribesNoBuiltFeatureAsFuture) {
    const std::string doc = read_doc("docs/simulation.md");
    for (const char* stale : {"are not yet", "come with the chaos milestone", "nothing fails yet", "next milestones"})
        EXPECT_EQ(doc.find(stale), std::string::npos) << "docs/simulation.md still says: " << stale;
}

TEST(DocClaims, ReadmeTourStepsAreNumberedOnce) {
    const std::string doc = read_doc("README.md");
    static const std::regex kStep(R"(\n# (\d+[a-z]?)\. )");
    std::set<std::string> seen;
    for (auto it = std::sregex_iterator(doc.begin(), doc.end(), kStep); it != std::sregex_iterator(); ++it)
        EXPECT_TRUE(seen.insert((*it)[1]).second) << "README tour step " << (*it)[1] << " appears twice";
    EXPECT_GE(seen.size(), 10u);
}

TEST(DocClaims, OverridesAreDocumentedForEveryCommandThatTakesThem) {
    const std::string doc = read_doc("docs/file-formats.md");
    const auto at = doc.find("- `--set PATH=VALUE` (on ");
    ASSERT_NE(at, std::string::npos);
    const std::string sentence = doc.substr(at, doc.find(')', at) - at);
    for (const char* cmd : {"validate", "analyze", "run", "sweep", "check"})
        EXPECT_NE(sentence.find(std::string("`") + cmd + "`"), std::string::npos) << cmd << " missing in: " << sentence;
}
