// `stacksim check`: the CI gate. Exit 0 when every SLO holds and nothing regressed beyond
// tolerance against the baseline, 1 when not, 2 on bad input.
#include <fmt/format.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "cli/commands.hpp"
#include "cli/run_report.hpp"
#include "model/check/gate.hpp"
#include "model/check/junit.hpp"
#include "model/results/atomic_file.hpp"
#include "model/schema/json_file.hpp"

namespace stacksim::cli {
namespace {

using nlohmann::json;

struct CheckOpts {
    std::string input, baseline, junit, markdown, out;
    std::vector<std::string> tolerances, sets;
    bool quiet = false;
};

// Reads a results document (a file, or a directory holding results.json); nullopt + message
// on stderr when it is not one.
std::optional<json> read_results(std::string path) {
    if (std::filesystem::is_directory(path)) path += "/results.json";
    std::ifstream in(path);
    if (!in) {
        std::cerr << path << ": cannot open\n";
        return std::nullopt;
    }
    json doc = json::parse(in, nullptr, false, true);
    if (doc.is_discarded() || !doc.is_object()) {
        std::cerr << path << ": not a JSON results document\n";
        return std::nullopt;
    }
    const std::string kind = doc.value("kind", "");
    if (kind != "run" && kind != "replications") {
        std::cerr << path << ": /kind: expected a \"run\" or \"replications\" results document"
                  << (kind.empty() ? "" : fmt::format(", got \"{}\"", kind)) << "\n";
        return std::nullopt;
    }
    if (kind == "run" && !doc.contains("summary")) {
        std::cerr << path << ": /summary: missing\n";
        return std::nullopt;
    }
    return doc;
}

// Is this file an experiment (to be run first) rather than a results document?
bool looks_like_experiment(const std::string& path) {
    if (std::filesystem::is_directory(path)) return false;
    std::ifstream in(path);
    const json doc = json::parse(in, nullptr, false, true);  // experiments may carry comments
    return doc.is_object() && doc.contains("topology") && !doc.contains("kind");
}

// The SLO entries to judge: a run's own, or the replications' pooled counts.
std::optional<json> slos_of(const json& doc, const std::string& path) {
    if (doc["kind"] == "run" || doc.contains("slos")) return doc.value("slos", json::array());
    std::vector<json> runs;
    const auto base = std::filesystem::path(path).parent_path();
    for (const auto& dir : doc.value("runs", json::array())) {
        std::filesystem::path p = dir.get<std::string>();
        if (p.is_relative() && !std::filesystem::exists(p)) p = base / p.filename();  // moved with its document
        auto r = read_results(p.string());
        if (!r) {
            std::cerr << path << ": a replication listed in /runs cannot be read\n";
            return std::nullopt;
        }
        runs.push_back(std::move(*r));
    }
    return check::pool_slos(runs);
}

int run_check(const CheckOpts& o) {
    check::Tolerances tol;
    for (const auto& t : o.tolerances)
        if (auto err = tol.set(t); !err.empty()) {
            std::cerr << "--tolerance " << t << ": " << err << "\n";
            return kExitBadInput;
        }
    // The baseline is read first: a typo there must not cost a whole simulation.
    std::optional<json> base;
    if (!o.baseline.empty() && !(base = read_results(o.baseline))) return kExitBadInput;
    std::optional<json> doc;
    std::string results_path = o.input;
    if (looks_like_experiment(o.input)) {
        auto e = load_experiment_or_report(o.input, o.sets);
        if (!e) return kExitBadInput;
        const std::string out =
            o.out.empty() ? "out/" + (e->name.empty() ? std::filesystem::path(o.input).stem().string() : e->name) : o.out;
        note_unsimulated_faults(*e, o.input, std::cerr);
        if (e->replications > 1)
            std::cerr << o.input << ": note: check runs one replication; to gate on " << e->replications
                      << ", use `stacksim run` then check its results directory\n";
        doc = simulate_and_write(*e, {o.input, o.sets, out}, e->seed, 0, !o.quiet);
        results_path = out + "/results.json";
    } else {
        if (!o.sets.empty()) {
            std::cerr << "--set applies to an experiment, but " << o.input << " is a results document\n";
            return kExitBadInput;
        }
        doc = read_results(o.input);
    }
    if (!doc) return kExitBadInput;
    const auto slos = slos_of(*doc, results_path);
    if (!slos) return kExitBadInput;

    check::Report report;
    report.subject = fmt::format("{} ({})", doc->value("name", ""), results_path);
    report.cases = check::judge_evidence(*doc);
    for (auto& c : check::judge_steady_state(*doc)) report.cases.push_back(std::move(c));
    for (auto& c : check::judge_slos(*slos)) report.cases.push_back(std::move(c));
    if (base) {
        std::map<std::string, check::Metric> base_metrics;
        try {  // a malformed baseline is the baseline's fault, named as such
            base_metrics = check::metrics_of(*base);
        } catch (const std::exception& ex) {
            std::cerr << o.baseline << ": not a usable baseline: " << schema::without_library_prefix(ex.what()) << "\n";
            return kExitBadInput;
        }
        if (const std::string w = check::baseline_mismatch(*doc, *base); !w.empty())
            std::cerr << o.baseline << ": warning: " << w << "\n";
        auto cmp = check::compare(check::metrics_of(*doc), base_metrics, tol);
        if (cmp.empty()) {
            std::cerr << o.baseline << ": no metric in common with " << results_path << "\n";
            return kExitBadInput;
        }
        report.cases.insert(report.cases.end(), cmp.begin(), cmp.end());
    }

    if (report.cases.empty())
        report.cases.push_back({"evidence", "something to judge", false,
                                "no SLOs, no steady-state verdict and no baseline: nothing to judge (a gate fails when it cannot judge)", ""});
    for (const auto& c : report.cases)
        std::cout << fmt::format("{} {:<10} {}: {}\n", c.passed ? "PASS" : "FAIL", c.suite, c.name, c.message);
    std::cout << fmt::format("{}: {} of {} checks failed\n", report.passed() ? "passed" : "FAILED", report.failures(),
                             report.cases.size());
    // Both outputs are rendered before either is written.
    const std::string markdown = check::to_markdown(report), junit = check::to_junit_xml(report);
    if (!o.junit.empty()) {
        results::write_file_atomically(o.junit, junit);
        std::cout << "junit:    " << o.junit << "\n";
    }
    if (!o.markdown.empty()) {
        results::write_file_atomically(o.markdown, markdown);
        std::cout << "markdown: " << o.markdown << "\n";
    }
    // GitHub Actions shows this file on the job page.
    if (const char* summary = std::getenv("GITHUB_STEP_SUMMARY"); summary && *summary) {
        std::ofstream(summary, std::ios::app) << markdown << "\n";
    }
    return report.passed() ? kExitOk : kExitCheckFailed;
}

}  // namespace

void add_check(CLI::App& app, int& exit_code) {
    auto* cmd = app.add_subcommand("check", "CI gate: SLOs and regressions against a baseline (exit 0 pass, 1 fail, 2 bad input)");
    auto o = std::make_shared<CheckOpts>();
    cmd->add_option("input", o->input, "A results document (run or replications; file or directory) or an experiment to run")
        ->required();
    cmd->add_option("--baseline", o->baseline, "Results document to compare against");
    cmd->add_option("--tolerance", o->tolerances,
                    "Allowed worsening per metric group: latency=10% throughput=5% cost=1% (relative), availability=0.1% (points)");
    cmd->add_option("--junit", o->junit, "Write JUnit XML here (one test case per SLO and compared metric)");
    cmd->add_option("--markdown", o->markdown, "Write a Markdown summary here (also appended to $GITHUB_STEP_SUMMARY when set)");
    cmd->add_option("--set", o->sets, "Override a value when INPUT is an experiment");
    cmd->add_option("--out", o->out, "Results directory when INPUT is an experiment (default: out/<experiment name>)");
    cmd->add_flag("--quiet,-q", o->quiet, "No progress display");
    cmd->callback([o, &exit_code] {
        try {
            exit_code = run_check(*o);
        } catch (const std::exception& ex) {
            std::cerr << o->input << ": " << schema::without_library_prefix(ex.what()) << "\n";
            exit_code = kExitBadInput;
        }
    });
}

}  // namespace stacksim::cli
