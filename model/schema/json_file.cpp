#include "model/schema/json_file.hpp"

#include <filesystem>
#include <fstream>
#include <map>
#include <vector>
#include <sstream>

namespace stacksim::schema {
namespace {

struct Shape {
    int nesting = 0;          // deepest bracket level
    std::size_t values = 0;   // upper bound on the number of JSON values
};

// Maximum bracket depth and a bound on the number of values, skipping strings and comments.
// Runs before nlohmann's recursive parser, which would overflow the stack on pathological
// nesting, and whose memory (~50 bytes a value, freed by a destructor that itself allocates)
// must stay bounded: a parse that runs out of memory cannot be unwound cleanly.
Shape shape_of(const std::string& text) {
    int depth = 0, worst = 0;
    std::size_t values = 1;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (c == '"') {
            for (++i; i < text.size() && text[i] != '"'; ++i)
                if (text[i] == '\\') ++i;
        } else if (c == '/' && i + 1 < text.size() && text[i + 1] == '/') {
            while (i < text.size() && text[i] != '\n') ++i;
        } else if (c == '/' && i + 1 < text.size() && text[i + 1] == '*') {
            const auto end = text.find("*/", i + 2);
            i = end == std::string::npos ? text.size() : end + 1;
        } else if (c == '[' || c == '{') {
            ++values;
            worst = std::max(worst, ++depth);
            if (worst > kMaxNesting) return {worst, values};
        } else if (c == ']' || c == '}') {
            --depth;
        } else if (c == ',') {
            ++values;
        }
    }
    return {worst, values};
}

std::string line_column(const std::string& text, std::size_t byte) {
    std::size_t line = 1, col = 1;
    for (std::size_t i = 0; i < byte && i < text.size(); ++i) {
        if (text[i] == '\n') ++line, col = 1;
        else ++col;
    }
    return "line " + std::to_string(line) + ", column " + std::to_string(col);
}

// nlohmann's messages start with "[json.exception.parse_error.101] parse error at line...";
// keep only the part after the location, which says what was expected.
std::string parse_reason(const std::string& what) {
    const auto colon = what.find(": ", what.find("parse error"));
    std::string reason = colon == std::string::npos ? what : what.substr(colon + 2);
    if (reason.size() > 300) reason = reason.substr(0, 300) + "...";
    return reason;
}

// A key given twice in one object: nlohmann keeps the last value without a word, so a
// typo-free but doubled "replicas" would change the answer silently. Runs on text that has
// already parsed, so strings and brackets are well formed. Reports each duplicate once.
bool report_duplicate_keys(const std::string& text, const std::string& file, Diagnostics& diag) {
    struct Frame {
        bool object;
        std::map<std::string, std::size_t> keys;  // key -> byte offset of its first use
        std::string key;                          // the current member's key (objects)
        std::size_t index = 0;                    // the current element (arrays)
        bool expect_key = true;
    };
    std::vector<Frame> stack;
    std::size_t found = 0;
    auto pointer_to = [&](const std::string& key) {
        std::string p;
        for (std::size_t f = 0; f + 1 < stack.size(); ++f)
            p = stack[f].object ? pointer_join(p, stack[f].key) : pointer_join(p, stack[f].index);
        return pointer_join(p, key);
    };
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (c == '/' && i + 1 < text.size() && text[i + 1] == '/') {
            while (i < text.size() && text[i] != '\n') ++i;
        } else if (c == '/' && i + 1 < text.size() && text[i + 1] == '*') {
            const auto end = text.find("*/", i + 2);
            i = end == std::string::npos ? text.size() : end + 1;
        } else if (c == '{' || c == '[') {
            stack.push_back(Frame{c == '{', {}, {}, 0, true});
        } else if (c == '}' || c == ']') {
            if (!stack.empty()) stack.pop_back();
        } else if (c == ',' && !stack.empty()) {
            if (stack.back().object) stack.back().expect_key = true;
            else ++stack.back().index;
        } else if (c == '"') {
            const std::size_t start = i;
            for (++i; i < text.size() && text[i] != '"'; ++i)
                if (text[i] == '\\') ++i;
            if (stack.empty() || !stack.back().object || !stack.back().expect_key) continue;
            Frame& top = stack.back();
            top.expect_key = false;
            const std::string literal = text.substr(start + 1, i - start - 1);
            top.key = literal.find('\\') == std::string::npos ? literal
                                                                : json::parse('"' + literal + '"').get<std::string>();
            const auto [it, fresh] = top.keys.emplace(top.key, start);
            if (fresh || it->second == std::string::npos) continue;
            if (++found <= 100)
                diag.error(file, pointer_to(top.key),
                           "duplicate key \"" + top.key + "\" in one object (" + line_column(text, it->second) + " and " +
                               line_column(text, start) + "); JSON would silently keep only the last value");
            it->second = std::string::npos;  // reported; a third use adds nothing
        }
    }
    if (found > 100) diag.error(file, "", std::to_string(found) + " duplicate keys in all");
    return found == 0;
}

}  // namespace

std::optional<json> parse_json_text(const std::string& text, const std::string& file, Diagnostics& diag) {
    if (text.size() > kMaxFileBytes) {
        diag.error(file, "", "file is larger than " + std::to_string(kMaxFileBytes >> 20) + " MiB");
        return std::nullopt;
    }
    const Shape shape = shape_of(text);
    if (shape.nesting > kMaxNesting) {
        diag.error(file, "", "nesting deeper than " + std::to_string(kMaxNesting) + " levels");
        return std::nullopt;
    }
    if (shape.values > kMaxValues) {
        diag.error(file, "", "more than " + std::to_string(kMaxValues / 1000000) +
                                 " million values; stacksim's inputs are far smaller (traces are CSV files)");
        return std::nullopt;
    }
    try {
        json doc = json::parse(text, nullptr, /*allow_exceptions=*/true, /*ignore_comments=*/true);
        if (!report_duplicate_keys(text, file, diag)) return std::nullopt;
        return doc;
    } catch (const json::parse_error& e) {
        diag.error(file, "", "not valid JSON at " + line_column(text, e.byte == 0 ? 0 : e.byte - 1) + ": " +
                                 parse_reason(e.what()));
    } catch (const json::exception& e) {  // e.g. out_of_range.406: a number literal too large for a double
        // nlohmann gives no position here; the message quotes the literal, so find it.
        const std::string reason = without_library_prefix(e.what());
        std::string where;
        const auto q1 = reason.find('\''), q2 = reason.rfind('\'');
        if (q1 != std::string::npos && q2 > q1 + 1)
            if (const auto at = text.find(reason.substr(q1 + 1, q2 - q1 - 1)); at != std::string::npos)
                where = " at " + line_column(text, at);
        diag.error(file, "", "not valid JSON" + where + ": " + reason);
    }
    return std::nullopt;
}

std::optional<json> load_json_file(const std::string& path, Diagnostics& diag) {
    std::error_code ec;
    if (std::filesystem::is_directory(path, ec)) {
        diag.error(path, "", "is a directory, expected a JSON file");
        return std::nullopt;
    }
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        diag.error(path, "", "cannot open file");
        return std::nullopt;
    }
    in.seekg(0, std::ios::end);
    const auto size = in.tellg();
    if (size < 0) {
        diag.error(path, "", "cannot read file (is it a directory?)");
        return std::nullopt;
    }
    if (static_cast<std::size_t>(size) > kMaxFileBytes) {
        diag.error(path, "", "file is larger than " + std::to_string(kMaxFileBytes >> 20) + " MiB");
        return std::nullopt;
    }
    in.seekg(0);
    std::string text(static_cast<std::size_t>(size), '\0');
    in.read(text.data(), size);
    if (!in) {
        diag.error(path, "", "cannot read file");
        return std::nullopt;
    }
    return parse_json_text(text, path, diag);
}

std::string without_library_prefix(const std::string& what) {
    if (what.rfind("[json.exception.", 0) != 0) return what;
    const auto bracket = what.find("] ");
    return bracket == std::string::npos ? what : what.substr(bracket + 2);
}

bool apply_override(json& doc, const std::string& assignment, const std::string& file, Diagnostics& diag) {
    const auto eq = assignment.find('=');
    const std::string where = "--set " + assignment;
    if (eq == std::string::npos || eq == 0) {
        diag.error(file, "", where + ": expected path=value, e.g. --set workload.rate=2M/min");
        return false;
    }
    const std::string path = assignment.substr(0, eq), text = assignment.substr(eq + 1);
    json value;
    Diagnostics scratch;
    if (auto parsed = text.empty() ? std::nullopt : parse_json_text(text, file, scratch)) value = std::move(*parsed);
    else value = text;

    json* node = &doc;
    std::string pointer;
    std::size_t start = 0;
    while (true) {
        const auto dot = path.find('.', start);
        const std::string key = path.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
        if (key.empty()) {
            diag.error(file, pointer, where + ": empty path segment");
            return false;
        }
        if (node->is_array()) {
            std::size_t idx = 0;
            try {
                std::size_t used = 0;
                idx = std::stoul(key, &used);
                if (used != key.size()) throw std::invalid_argument(key);
            } catch (const std::exception&) {
                diag.error(file, pointer, where + ": \"" + key + "\" is not an array index");
                return false;
            }
            if (idx >= node->size()) {
                diag.error(file, pointer, where + ": index " + key + " out of range (array has " +
                                              std::to_string(node->size()) + " elements)");
                return false;
            }
            node = &(*node)[idx];
        } else {
            if (node->is_null()) *node = json::object();
            if (!node->is_object()) {
                diag.error(file, pointer, where + ": cannot descend into a " + std::string(node->type_name()));
                return false;
            }
            node = &(*node)[key];
        }
        pointer = pointer_join(pointer, key);
        if (dot == std::string::npos) break;
        start = dot + 1;
    }
    *node = std::move(value);
    return true;
}

}  // namespace stacksim::schema
