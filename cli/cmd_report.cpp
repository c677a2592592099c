#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "cli/commands.hpp"
#include "model/report/html_report.hpp"
#include "model/results/atomic_file.hpp"
#include "stacksim/version.hpp"

namespace stacksim::cli {
namespace {

namespace fs = std::filesystem;

struct ReportOpts {
    std::vector<std::string> inputs;
    std::string out = "report.html", title;
    bool linear = false;
};

// Reads a JSON file; on failure returns null and sets `error` to what is wrong.
nlohmann::json read_json(const std::string& path, std::string& error) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        error = "cannot open the file";
        return nullptr;
    }
    std::stringstream buffer;
    buffer << in.rdbuf();
    try {
        return nlohmann::json::parse(buffer.str());
    } catch (const nlohmann::json::parse_error& e) {
        error = std::string("not JSON: ") + e.what();
        return nullptr;
    }
}

// A results document named by a file or a directory (DIR/results.json, else DIR/sweep.json).
std::optional<report::Document> load(const std::string& arg) {
    std::string path = arg;
    std::error_code ec;
    if (fs::is_directory(arg, ec)) {
        const fs::path dir(arg);
        if (fs::exists(dir / "results.json")) path = (dir / "results.json").string();
        else if (fs::exists(dir / "sweep.json")) path = (dir / "sweep.json").string();
        else {
            std::cerr << arg << ": directory holds neither results.json nor sweep.json\n";
            return std::nullopt;
        }
    } else if (!fs::exists(arg, ec)) {
        std::cerr << arg << ": no such file or directory\n";
        return std::nullopt;
    }
    std::string error;
    report::Document d;
    d.path = path;
    d.doc = read_json(path, error);
    if (error.empty()) error = report::check_document(d.doc);
    if (!error.empty()) {
        std::cerr << path << ": " << error << "\n";
        return std::nullopt;
    }
    if (d.doc["kind"] == "replications") {
        // Replication 0's run document holds the series; its path is relative to the working
        // directory of `stacksim run`, or else to the replications document's directory.
        const auto& runs = d.doc.value("runs", nlohmann::json::array());
        if (!runs.empty() && runs[0].is_string()) {
            const std::string rep = runs[0].get<std::string>();
            for (const fs::path& dir : {fs::path(rep), fs::path(path).parent_path() / fs::path(rep).filename()}) {
                const std::string candidate = (dir / "results.json").string();
                std::string rep_error;
                auto run = fs::exists(candidate, ec) ? read_json(candidate, rep_error) : nlohmann::json();
                if (rep_error.empty() && run.is_object() && report::check_document(run).empty() && run["kind"] == "run") {
                    d.run = std::move(run);
                    d.run_path = candidate;
                    break;
                }
            }
            if (d.run.is_null()) std::cerr << path << ": warning: replication 0 (" << rep << ") is not readable; the report has no time series for it\n";
        }
    }
    return d;
}

int run_report(const ReportOpts& o) {
    std::vector<report::Document> docs;
    bool bad = false;
    for (const auto& arg : o.inputs) {
        auto d = load(arg);
        if (d) docs.push_back(std::move(*d));
        else bad = true;
    }
    if (bad) return kExitBadInput;
    report::Options options;
    options.title = o.title;
    options.log_latency = !o.linear;
    options.generator = std::string("stacksim ") + kVersion + " report";
    std::string html;
    try {
        html = report::render_report(docs, options);
    } catch (const std::exception& e) {
        std::cerr << "report: cannot render the results: " << e.what() << "\n";
        return kExitBadInput;
    }
    try {
        results::write_file_atomically(o.out, html);
    } catch (const std::exception& e) {
        std::cerr << o.out << ": " << e.what() << "\n";
        return kExitBadInput;
    }
    std::cout << "report: " << o.out << "\n";
    return kExitOk;
}

}  // namespace

void add_report(CLI::App& app, int& exit_code) {
    auto* cmd = app.add_subcommand("report", "Write a self-contained HTML report (inline SVG charts) from results documents");
    auto o = std::make_shared<ReportOpts>();
    cmd->add_option("results", o->inputs,
                    "Results documents (run, replications or sweep), or directories holding results.json or sweep.json; "
                    "several runs are overlaid in the same charts")
        ->required();
    cmd->add_option("-o,--out", o->out, "HTML file to write (atomically)")->capture_default_str();
    cmd->add_option("--title", o->title, "Report title (default: from the documents' names)");
    cmd->add_flag("--linear", o->linear, "Latency charts on a linear axis (default: logarithmic)");
    cmd->callback([o, &exit_code] { exit_code = run_report(*o); });
}

}  // namespace stacksim::cli
