// Every key documented in docs/file-formats.md has a behavioural test (DESIGN.md: "every
// documented key changes behaviour, and has a test that shows it, or is rejected").
// tests/keys_covered.json maps each documented key to the tests that show what it does; this
// test parses the key tables of the docs and fails on a key without tests, on a test that does
// not exist or does not mention the key, and on a mapped key the docs no longer have.
// How to extend: docs/dev/documented-keys.md.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

const fs::path kRoot = STACKSIM_SOURCE_DIR;

std::string read(const fs::path& p) {
    std::ifstream in(p);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

std::vector<std::string> cells(const std::string& row) {
    std::vector<std::string> out;
    std::string cur;
    for (std::size_t i = 1; i < row.size(); ++i) {  // row starts with '|'
        if (row[i] == '|') {
            const auto b = cur.find_first_not_of(' '), e = cur.find_last_not_of(' ');
            out.push_back(b == std::string::npos ? "" : cur.substr(b, e - b + 1));
            cur.clear();
        } else {
            cur += row[i];
        }
    }
    return out;
}

std::vector<std::string> backticked(const std::string& text) {
    std::vector<std::string> out;
    static const std::regex code("`([^`]+)`");
    for (std::sregex_iterator it(text.begin(), text.end(), code), end; it != end; ++it) out.push_back((*it)[1]);
    return out;
}

// A heading's part of a key path: its first `identifier`, else its words (before any
// parenthesis) in lower case joined by '-': "### `cache` — Redis-like" -> "cache",
// "### Open workload (`"type": "open"`)" -> "open-workload".
std::string heading_id(const std::string& text) {
    static const std::regex ident("^[A-Za-z_][A-Za-z0-9_.]*$");
    for (const auto& c : backticked(text))
        if (std::regex_match(c, ident)) return c;
    std::string words = text.substr(0, text.find('('));
    words = std::regex_replace(words, std::regex("`[^`]*`"), "");
    std::string id;
    for (char ch : words) {
        if (std::isalnum(static_cast<unsigned char>(ch))) id += static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
        else if (!id.empty() && id.back() != '-') id += '-';
    }
    while (!id.empty() && id.back() == '-') id.pop_back();
    return id;
}

}  // namespace

// The key paths of docs/file-formats.md: headings (levels 2-4) joined by '/', then the key as
// written in the first column of a table whose header cell is "key" ("section | key" tables
// prefix the section: "mmpp.burst_rate"). "`min`, `max`" in one cell are two keys.
std::vector<std::string> documented_keys(const fs::path& doc) {
    std::vector<std::string> keys;
    std::istringstream in(read(doc));
    std::vector<std::string> lines;
    for (std::string l; std::getline(in, l);) lines.push_back(l);
    std::string heading[3];
    bool fence = false;
    for (std::size_t i = 0; i < lines.size(); ++i) {
        const std::string& line = lines[i];
        if (line.rfind("```", 0) == 0) fence = !fence;
        if (fence) continue;
        if (line.rfind("##", 0) == 0) {
            const std::size_t level = line.find_first_not_of('#');
            if (level >= 2 && level <= 4 && line[level] == ' ') {
                heading[level - 2] = heading_id(line.substr(level + 1));
                for (std::size_t k = level - 1; k < 3; ++k) heading[k].clear();
            }
            continue;
        }
        if (line.rfind('|', 0) != 0 || i + 1 >= lines.size() || lines[i + 1].rfind("|---", 0) != 0) continue;
        const auto header = cells(line);
        const int key_col = !header.empty() && header[0] == "key" ? 0 : header.size() > 1 && header[1] == "key" ? 1 : -1;
        std::string section;
        for (i += 2; i < lines.size() && lines[i].rfind('|', 0) == 0; ++i) {
            if (key_col < 0) continue;
            const auto row = cells(lines[i]);
            if (row.size() <= static_cast<std::size_t>(key_col)) continue;
            if (key_col == 1 && !row[0].empty() && !backticked(row[0]).empty()) section = backticked(row[0]).front() + ".";
            std::string path;
            for (const auto& h : heading)
                if (!h.empty()) path += h + "/";
            for (const auto& k : backticked(row[static_cast<std::size_t>(key_col)])) keys.push_back(path + section + k);
        }
        --i;
    }
    return keys;
}

// Every GoogleTest case under tests/ ("Suite.Name") with the file that defines it, and every
// literal CTest name (add_test(NAME x)) with its CMake file.
std::map<std::string, fs::path> existing_tests() {
    std::map<std::string, fs::path> tests;
    static const std::regex gtest(R"(\bTEST(?:_F|_P)?\(\s*(\w+)\s*,\s*(\w+)\s*\))");
    static const std::regex ctest(R"(add_test\(NAME\s+([A-Za-z0-9_.\-]+)\s)");
    for (const auto& entry : fs::recursive_directory_iterator(kRoot / "tests")) {
        const auto ext = entry.path().extension();
        if (ext != ".cpp" && ext != ".txt" && ext != ".cmake") continue;
        const std::string text = read(entry.path());
        const std::regex& re = ext == ".cpp" ? gtest : ctest;
        for (std::sregex_iterator it(text.begin(), text.end(), re), end; it != end; ++it)
            tests[ext == ".cpp" ? (*it)[1].str() + "." + (*it)[2].str() : (*it)[1].str()] = entry.path();
    }
    return tests;
}

TEST(DocumentedKeys, ParserFindsTheKeyTables) {
    const auto keys = documented_keys(kRoot / "docs/file-formats.md");
    const std::set<std::string> set(keys.begin(), keys.end());
    // A few keys from different kinds of table, so that a format change cannot empty the list.
    for (const char* k : {"services/load_balancer/max_connections", "services/queue/consumer.service",
                          "endpoint-steps/call/resilience/retry.max_attempts", "workload/open-workload/mmpp.burst_rate",
                          "services/node_service/autoscaling/min", "services/node_service/autoscaling/max", "chaos/fault"})
        EXPECT_TRUE(set.contains(k)) << k;
    EXPECT_GT(keys.size(), 150u);
    EXPECT_EQ(set.size(), keys.size()) << "two documented keys have the same path: give their tables distinct headings";
}

TEST(DocumentedKeys, EveryDocumentedKeyHasABehaviouralTest) {
    const auto keys = documented_keys(kRoot / "docs/file-formats.md");
    const std::set<std::string> documented(keys.begin(), keys.end());
    const json map = json::parse(read(kRoot / "tests/keys_covered.json"));
    const auto tests = existing_tests();
    const json gaps = map.value("_known_gaps", json::object());
    const json parse_only = map.value("_parse_only", json::object());
    std::vector<std::string> problems;
    for (const auto& key : keys) {
        if (gaps.contains(key)) {
            if (map.contains(key)) problems.push_back(key + ": has tests now; remove it from _known_gaps");
            continue;
        }
        if (!map.contains(key) || !map[key].is_array() || map[key].empty()) {
            problems.push_back(key + ": documented in docs/file-formats.md but no behavioural test is mapped to it in "
                                     "tests/keys_covered.json (add a test that shows what it does, or reject the key)");
            continue;
        }
        const std::string leaf = key.substr(key.find_last_of("/.") + 1);
        bool beyond_parser = false;
        for (const auto& name : map[key]) {
            const auto it = tests.find(name.get<std::string>());
            if (it == tests.end()) {
                problems.push_back(key + ": no test named " + name.get<std::string>());
                continue;
            }
            if (read(it->second).find(leaf) == std::string::npos)
                problems.push_back(key + ": " + name.get<std::string>() + " (" + fs::relative(it->second, kRoot).string() +
                                   ") never mentions \"" + leaf + "\"");
            beyond_parser = beyond_parser || fs::relative(it->second, kRoot).string().rfind("tests/model/schema/", 0) != 0;
        }
        if (!beyond_parser && !parse_only.contains(key))
            problems.push_back(key + ": only parser tests are mapped; map a test of its effect (or list it in _parse_only with why)");
    }
    for (const auto& [key, _] : map.items())
        if (key.front() != '_' && !documented.contains(key)) problems.push_back(key + ": mapped but not documented (renamed or removed?)");
    for (const json* section : {&gaps, &parse_only})
        for (const auto& [key, _] : section->items())
            if (!documented.contains(key)) problems.push_back(key + ": listed in an exception section but not documented");
    std::string all;
    for (const auto& p : problems) all += "\n  " + p;
    EXPECT_TRUE(problems.empty()) << problems.size() << " problem(s):" << all;
}
