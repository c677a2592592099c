// The format "version" of both files: 1 (or absent) is accepted, any other value is an error at
// /version, so that a file written for a later format is never read with the wrong meaning.
#include <gtest/gtest.h>

#include "model/schema/loader.hpp"

using namespace stacksim;

TEST(FormatVersion, OnlyVersionOneIsAccepted) {
    const std::string experiment = std::string(STACKSIM_CORPUS_DIR) + "/good/minimal-experiment.json";
    for (const char* ok : {"version=1", "topology.version=1"}) {
        schema::Diagnostics diag;
        EXPECT_TRUE(schema::load_experiment(experiment, {ok}, diag)) << ok << "\n" << diag.format();
    }
    schema::Diagnostics exp_diag;
    EXPECT_FALSE(schema::load_experiment(experiment, {"version=2"}, exp_diag));
    EXPECT_NE(exp_diag.format().find("/version"), std::string::npos) << exp_diag.format();
    schema::Diagnostics topo_diag;
    EXPECT_FALSE(schema::load_experiment(experiment, {"topology.version=2"}, topo_diag));
    EXPECT_NE(topo_diag.format().find("minimal-topology.json:/version"), std::string::npos) << topo_diag.format();
}
