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
#include "model/schema/json_file.hpp"
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

// What merge reads of a shard document, checked up front so that a damaged file is reported
// as FILE:/pointer: expected ..., never as a library exception. "" when usable.
std::string shard_problem(const json& doc) {
    if (!doc.is_object() || doc.value("kind", json()) != "sweep") return ": not a sweep results document";
    if (doc.contains("shard")) {
        const json& sh = doc["shard"];
        if (!sh.is_object() || (sh.contains("count") && !(sh["count"].is_number_integer() && sh["count"].get<long long>() >= 1)))
            return ":/shard: expected an object such as {\"index\": 0, \"count\": 2}";
    }
    if (!doc.contains("plan") || !doc["plan"].is_object() || !doc["plan"].contains("ids") || !doc["plan"]["ids"].is_array())
        return ":/plan/ids: expected the array of the sweep's point ids";
    const json& ids = doc["plan"]["ids"];
    for (std::size_t i = 0; i < ids.size(); ++i)
        if (!ids[i].is_string()) return fmt::format(":/plan/ids/{}: expected a point id (a string)", i);
    if (!doc.contains("points")) return "";
    if (!doc["points"].is_array()) return ":/points: expected an array of points";
    const json& points = doc["points"];
    for (std::size_t i = 0; i < points.size(); ++i) {
        const json& p = points[i];
        if (!p.is_object()) return fmt::format(":/points/{}: expected a point object", i);
        if (!p.contains("id") || !p["id"].is_string()) return fmt::format(":/points/{}/id: expected a point id (a string)", i);
        if (p.contains("results") && !p["results"].is_string())
            return fmt::format(":/points/{}/results: expected a path (a string)", i);
    }
    return "";
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
    std::map<std::string, json> written;                          // id -> point as in its file
    std::map<std::string, std::string> where;                     // id -> file:/points/n
    int shard_count = 1;
    for (const auto& f : files) {
        std::ifstream in(f);
        json doc = json::parse(in, nullptr, false);
        if (doc.is_discarded()) return bad(f.string() + ": not a sweep results document (not valid JSON)");
        if (const std::string problem = shard_problem(doc); !problem.empty()) return bad(f.string() + problem);
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
        const json listed = doc.value("points", json::array());
        for (std::size_t n = 0; n < listed.size(); ++n) {
            const json& as_written = listed[n];
            // The same shard in two directories holds byte-identical points whose relative results
            // paths resolve to different copies: compare the points as written, keep the first.
            json p = as_written;
            if (const std::string r = p.value("results", ""); !r.empty() && fs::path(r).is_relative())
                p["results"] = fs::absolute(f.parent_path() / r).lexically_normal().string();
            const std::string id = p.value("id", "");
            const auto [it, fresh] = written.try_emplace(id, as_written);
            if (fresh) {
                points.emplace(id, std::make_pair(p, f.string()));
                where.emplace(id, fmt::format("{}:/points/{}", f.string(), n));
            } else if (it->second != as_written) {
                return bad(fmt::format("point {} appears in {} and {} with different results", id, points.at(id).second,
                                       f.string()));
            }
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
            return bad(fmt::format("{}: point {} is damaged: {}", where.at(ids[i].get<std::string>()),
                                   ids[i].get<std::string>(), schema::without_library_prefix(ex.what())));
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
            std::cerr << "stacksim merge: " << schema::without_library_prefix(ex.what()) << "\n";
            exit_code = kExitBadInput;
        }
    });
}

}  // namespace stacksim::cli
