#pragma once
#include <nlohmann/json.hpp>

#include <string>
#include <vector>

// The self-contained HTML report (`stacksim report`): inline SVG charts, inline CSS, no
// scripts, no network. Built from results documents only (docs/results.md); sections a
// document does not carry are omitted or marked "not in this results document".
namespace stacksim::report {

struct Document {
    std::string path;            // as the user named it (shown in the inputs table)
    nlohmann::json doc;          // a `run`, `replications` or `sweep` document
    nlohmann::json run;          // replications: replication 0's `run` document (null if unreadable)
    std::string run_path;        // where `run` came from
};

struct Options {
    std::string title;           // default: from the documents' names
    bool log_latency = true;     // latency charts on a logarithmic axis
    std::string generator;       // e.g. "stacksim 0.4.0", shown in the footer
};

// Empty when the report can show `doc`, otherwise what is wrong with it ("unknown kind \"x\"...").
std::string check_document(const nlohmann::json& doc);

// The whole HTML page. Documents are overlaid in the same charts when there are several runs.
std::string render_report(const std::vector<Document>& docs, const Options& options = {});

}  // namespace stacksim::report
