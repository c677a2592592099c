#pragma once
#include <optional>
#include <set>

#include "model/schema/reader.hpp"
#include "model/stack/experiment.hpp"
#include "model/stack/topology.hpp"

// Parsers from JSON documents to the validated model. Each reports every problem it finds
// to the context's diagnostics; the result is only meaningful when no error was reported.
namespace stacksim::schema {

// A call policy (timeouts, retries, breaker, bulkhead); null only when `node` is not an object.
std::shared_ptr<const CallPolicy> parse_call_policy(const json& node, const std::string& pointer, Context& ctx);
// The `rate_limit` (load balancer, node service) and `shedding` (node service) objects of a service.
std::optional<RateLimitSpec> parse_rate_limit(ObjectReader& service);
std::optional<SheddingSpec> parse_shedding(ObjectReader& service);
Steps parse_steps(const json& node, const std::string& pointer, Context& ctx, int depth = 0);
std::optional<Service> parse_service(const std::string& name, const json& node, const std::string& pointer,
                                     Context& ctx, const MachineCatalog& machines,
                                     const std::vector<std::string>& zones);
// `root` is the pointer of the topology inside its document ("/topology" when inline).
Topology parse_topology(const json& doc, Context& ctx, const std::string& root = "");

// The experiment document itself; `topology` has been loaded (and checked) by the caller.
Experiment parse_experiment(const json& doc, Context& ctx, Topology topology);

// The `deploys` list; `duration_s` bounds each deploy's start.
std::vector<Deploy> parse_deploys(const json& node, const std::string& pointer, Context& ctx, const Topology& t,
                                  double duration_s);

// Cross-references: every call, cache, db, publish and consumer names an existing service
// of the right kind and an existing endpoint. Runs after all services are parsed.
// `declared` holds every service name in the file, including ones that failed to parse, so
// that a broken service does not also produce "unknown service" errors at each reference.
void check_references(const Topology& topology, Context& ctx, const std::set<std::string>& declared);

}  // namespace stacksim::schema
