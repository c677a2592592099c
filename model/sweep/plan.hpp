#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "model/stack/experiment.hpp"

// Which points a sweep runs. A point is a list of `--set` overrides (docs/file-formats.md,
// "Loading and --set overrides"); its id is stable, so a re-run finds its earlier results.
namespace stacksim::sweep {

// One `--param PATH=v1,v2,...`: commas inside quotes, {} or [] do not split values.
struct Param {
    std::string path;
    std::vector<std::string> values;
};
// Empty with `error` set when the text is not PATH=v1[,v2...].
std::optional<Param> parse_param(const std::string& text, std::string& error);

struct PlannedPoint {
    std::size_t index = 0;
    std::string id;                      // p<index>-<hash of the overrides>
    std::string strategy;                // horizontal | vertical | grid
    std::vector<std::string> overrides;
};

// "p007-3f2a1c": the plan index and 24 bits of FNV-1a over the overrides.
std::string point_id(std::size_t index, const std::vector<std::string>& overrides);

// The preset points of an experiment's sweep block: for each load (or once, at the experiment's
// own rate), the horizontal configurations then the vertical ones. A node_service point also
// sets `workers` to the machine's vCPUs (one worker per vCPU, what Node's cluster module does).
std::vector<PlannedPoint> preset_points(const SweepSpec& spec, const Topology& topology, bool horizontal,
                                        bool vertical);

// The full plan: `base` overrides (every point's `--set`) + each preset point (or one empty
// point when `presets` is empty) x the cartesian product of `params` in the given order (the
// last parameter varies fastest). Strategy "grid" when there are no presets.
std::vector<PlannedPoint> plan(const std::vector<std::string>& base, const std::vector<PlannedPoint>& presets,
                               const std::vector<Param>& params);

// FNV-1a 64 over a file's bytes (continuing from `h`), and the inputs hash `stacksim run`
// records as inputs.hash: experiment bytes then topology bytes, 16 hex digits.
std::uint64_t fnv1a_file(const std::string& path, std::uint64_t h = 1469598103934665603ULL);
std::string inputs_hash(const std::string& experiment_file, const std::string& topology_file);

}  // namespace stacksim::sweep
