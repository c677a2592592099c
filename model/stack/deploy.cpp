#include "model/stack/deploy.hpp"

#include <algorithm>
#include <cmath>

namespace stacksim {

const char* to_string(Deploy::Strategy s) {
    switch (s) {
        case Deploy::Strategy::rolling: return "rolling";
        case Deploy::Strategy::blue_green: return "blue_green";
        case Deploy::Strategy::canary: return "canary";
        case Deploy::Strategy::pm2_reload: return "pm2_reload";
        case Deploy::Strategy::pm2_restart: return "pm2_restart";
    }
    return "?";
}

int max_surge_instances(const Deploy& d, int replicas) {
    return d.max_surge_fraction ? static_cast<int>(std::ceil(d.max_surge * replicas - 1e-9)) : static_cast<int>(d.max_surge);
}

int max_unavailable_instances(const Deploy& d, int replicas) {
    return d.max_unavailable_fraction ? static_cast<int>(std::floor(d.max_unavailable * replicas + 1e-9))
                                      : static_cast<int>(d.max_unavailable);
}

int extra_instances(const Deploy& d, int replicas) {
    switch (d.strategy) {
        // Old instances freed by the rollout are reused as new ones: the surge is all it needs.
        // An unavailable budget with no surge still needs one slot to start the first new one.
        case Deploy::Strategy::rolling: return std::max(1, max_surge_instances(d, replicas));
        case Deploy::Strategy::blue_green:
        case Deploy::Strategy::canary: return replicas;  // a full green / canary set beside the stable one
        case Deploy::Strategy::pm2_reload:
        case Deploy::Strategy::pm2_restart: return 0;    // workers are replaced inside each instance
    }
    return 0;
}

}  // namespace stacksim
