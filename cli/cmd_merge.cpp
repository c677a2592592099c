// `stacksim merge`: joins the sweep documents of shards (`stacksim sweep --shard K/N`) into one
// and recomputes the analysis. See docs/sweep.md.
#include <fmt/format.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <regex>

#include "cli/commands.hpp"
#include "cli/sweep_report.hpp"
#include "model/sweep/analysis.hpp"

namespace stacksim::cli {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

struct MergeOpts {
    std::vector<std::string> inputs;
    std::string out;
};

// A directory contributes its shard documents, or its sweep.json when it has none.
std::vector<fs::path> documents_of(const fs::path& input) {
    if (!fs::is_directory(input)) return {input};
    static const std::regex kShard(R"(sweep-shard-\d+-of-\d+\.json)");
    std::vector<fs::path> shards;
    for (const auto& f : fs::directory_iterator(input))
        if (std::regex_match(f.path().filename().string(), kShard)) shards.push_back(f.path());
    std::sort(shards.begin(), shards.end());
    if (shards.empty() && fs::exists(input / "sweep.json")) shards.push_back(input / "sweep.json");
    return shards;
}

int run_merge(MergeOpts& o) {
    auto bad = [](const std::string& msg) {
        std::cerr << "stacksim merge: " << msg << "\n";
        return kExitBadInput;
    };
    if (o.out.empty()) {
        if (o.inputs.size() != 1) return bad("--out DIR is required when merging several inputs");
        o.out = fs::is_directory(o.inputs[0]) ? o.inputs[0] : fs::path(o.inputs[0]).parent_path().string();
        if (o.out.empty()) o.out = ".";
    }
    std::vector<fs::path> files;
    for (const auto& in : o.inputs) {
        if (!fs::exists(in)) return bad(in + ": no such file or directory");
        const auto docs = documents_of(in);
        if (docs.empty()) return bad(in + ": no sweep.json or sweep-shard-K-of-N.json in this directory");
        files.insert(files.end(), docs.begin(), docs.end());
    }
    json header;
    std::string first;
    std::map<std::string, std::pair<json, std::string>> points;  // id -> (point, file)
    int shard_count = 1;
    for (const auto& f : files) {
        std::ifstream in(f);
        json doc = json::parse(in, nullptr, false);
        if (doc.is_discarded() || !doc.is_object() || doc.value("kind", "") != "sweep")
            return bad(f.string() + ": not a sweep results document");
        if (header.is_null()) {
            header = doc;
            first = f.string();
        } else {
            for (const char* key : {"experiment_hash", "plan", "seed"})
                if (doc.value(key, json()) != header.value(key, json()))
                    return bad(fmt::format("{} and {} are not shards of the same sweep (their \"{}\" differ: other "
                                           "experiment files, parameters or seed)", first, f.string(), key));
        }
        shard_count = std::max(shard_count, doc.value("shard", json::object()).value("count", 1));
        for (json p : doc.value("points", json::array())) {
            // Results paths are relative to their document; make them absolute to compare and re-base.
            if (const std::string r = p.value("results", ""); !r.empty() && fs::path(r).is_relative())
                p["results"] = fs::absolute(f.parent_path() / r).lexically_normal().string();
            const std::string id = p.value("id", "");
            const auto [it, fresh] = points.try_emplace(id, p, f.string());
            if (!fresh && it->second.first != p)
                return bad(fmt::format("point {} appears in {} and {} with different results", id, it->second.second,
                                       f.string()));
        }
    }
    const auto ids = header["plan"].value("ids", json::array());
    std::vector<std::string> missing;
    for (std::size_t i = 0; i < ids.size(); ++i)
        if (!points.count(ids[i].get<std::string>()))
            missing.push_back(fmt::format("{} (shard {}/{})", ids[i].get<std::string>(), i % static_cast<std::size_t>(shard_count), shard_count));
    if (!missing.empty()) {
        std::string list;
        for (const auto& m : missing) list += "\n  " + m;
        return bad(fmt::format("{} of {} points are missing (run their shards, then merge again):{}", missing.size(),
                               ids.size(), list));
    }
    if (points.size() != ids.size()) return bad("the documents hold points that are not in the sweep's plan");
    std::vector<sweep::PointRecord> records;
    for (std::size_t i = 0; i < ids.size(); ++i) {
        json p = points.at(ids[i].get<std::string>()).first;
        if (const std::string r = p.value("results", ""); !r.empty())
            p["results"] = fs::absolute(r).lexically_relative(fs::absolute(o.out).lexically_normal()).string();
        try {
            records.push_back(sweep::point_from_json(p));
        } catch (const json::exception& ex) {
            return bad(fmt::format("point {}: {}", ids[i].get<std::string>(), ex.what()));
        }
    }
    json inputs = json::array();
    for (const auto& f : files) inputs.push_back(f.string());
    header["shard"] = {{"index", 0}, {"count", 1}};
    header["merged_from"] = inputs;
    const auto analysis = write_sweep_document(header, records, o.out, "sweep");
    print_sweep_summary(records, analysis, std::cout);
    if (const std::string q = header.value("question", ""); !q.empty()) std::cout << "question: " << q << "\n";
    std::cout << fmt::format("merged {} documents, {} points\nsweep:  {}/sweep.json\ntable:  {}/sweep.csv\n", files.size(),
                             records.size(), o.out, o.out);
    const bool failed = std::any_of(records.begin(), records.end(), [](const auto& r) { return r.status == "failed"; });
    return failed ? 1 : kExitOk;
}

}  // namespace

void add_merge(CLI::App& app, int& exit_code) {
    auto* cmd = app.add_subcommand("merge", "Join the sweep documents of shards into one sweep.json and recompute its analysis");
    auto o = std::make_shared<MergeOpts>();
    cmd->add_option("inputs", o->inputs, "Sweep output directories or sweep*.json files")->required();
    cmd->add_option("--out", o->out, "Directory for the merged sweep.json/sweep.csv (default: the single input directory)");
    cmd->callback([o, &exit_code] {
        try {
            exit_code = run_merge(*o);
        } catch (const std::exception& ex) {
            std::cerr << "stacksim merge: " << ex.what() << "\n";
            exit_code = kExitBadInput;
        }
    });
}

}  // namespace stacksim::cli
