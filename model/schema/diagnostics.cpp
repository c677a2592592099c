#include "model/schema/diagnostics.hpp"

#include <algorithm>

namespace stacksim::schema {

std::string Diagnostic::format() const {
    return file + (pointer.empty() ? "" : ":" + pointer) + ": " + (severity == Severity::warning ? "warning: " : "") + message;
}

void Diagnostics::add(Diagnostic d) {
    if (items_.size() < kMaxKept) items_.push_back(std::move(d));
    else ++dropped_;
}

void Diagnostics::error(std::string file, std::string pointer, std::string message) {
    add({Diagnostic::Severity::error, std::move(file), std::move(pointer), std::move(message)});
    ++errors_;
}

void Diagnostics::warning(std::string file, std::string pointer, std::string message) {
    add({Diagnostic::Severity::warning, std::move(file), std::move(pointer), std::move(message)});
}

std::string Diagnostics::format() const {
    std::string out;
    for (const auto& d : items_) out += d.format() + "\n";
    if (dropped_ > 0)
        out += (items_.empty() ? std::string() : items_.back().file + ": ") + "... and " + std::to_string(dropped_) +
               " more problems not shown\n";
    return out;
}

bool Diagnostics::contains(const std::string& pointer, const std::string& part) const {
    return std::any_of(items_.begin(), items_.end(), [&](const Diagnostic& d) {
        return d.severity == Diagnostic::Severity::error && d.pointer == pointer &&
               d.message.find(part) != std::string::npos;
    });
}

std::string pointer_token(const std::string& key) {
    std::string out;
    out.reserve(key.size());
    for (char c : key) {
        if (c == '~') out += "~0";
        else if (c == '/') out += "~1";
        else out += c;
    }
    return out;
}

std::string pointer_join(const std::string& base, const std::string& key) { return base + "/" + pointer_token(key); }
std::string pointer_join(const std::string& base, std::size_t index) { return base + "/" + std::to_string(index); }

namespace {
// Optimal string alignment distance (Damerau–Levenshtein with adjacent transpositions).
std::size_t edit_distance(const std::string& a, const std::string& b) {
    const std::size_t n = a.size(), m = b.size();
    std::vector<std::vector<std::size_t>> d(n + 1, std::vector<std::size_t>(m + 1));
    for (std::size_t i = 0; i <= n; ++i) d[i][0] = i;
    for (std::size_t j = 0; j <= m; ++j) d[0][j] = j;
    for (std::size_t i = 1; i <= n; ++i)
        for (std::size_t j = 1; j <= m; ++j) {
            const std::size_t cost = std::tolower(a[i - 1]) == std::tolower(b[j - 1]) ? 0 : 1;
            d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
        }
    return d[n][m];
}
}  // namespace

std::string did_you_mean(const std::string& word, const std::vector<std::string>& candidates) {
    if (word.size() > 200) return "";  // no quadratic work on absurd input
    std::string best;
    std::size_t best_d = std::max<std::size_t>(2, word.size() / 3) + 1;
    for (const auto& c : candidates) {
        if (c.size() > 200) continue;
        const std::size_t d = edit_distance(word, c);
        if (d < best_d) best_d = d, best = c;
    }
    return best;
}

std::string suggestion(const std::string& word, const std::vector<std::string>& candidates) {
    const std::string best = did_you_mean(word, candidates);
    return best.empty() ? "" : " (did you mean \"" + best + "\"?)";
}

}  // namespace stacksim::schema
