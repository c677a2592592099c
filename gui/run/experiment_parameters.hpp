#pragma once
#include <QString>
#include <QStringList>

#include <vector>

// The key parameters of an experiment an architect edits before a run — duration, warm-up,
// seed, arrival rate, and per service its machine, replicas and workers — as `--set` paths
// with their current values. Edits become `--set PATH=VALUE` overrides (docs/cli.md): the
// experiment file itself is never rewritten.
namespace stacksim::gui {

struct Parameter {
    QString path;     // the --set path, e.g. "topology.services.api.replicas"
    QString value;    // current value as text
    QString original; // as loaded; the parameter is overridden when value differs
};

struct ExperimentParameters {
    QString file, name, error;  // error: why the experiment could not be read (parameters empty)
    std::vector<Parameter> parameters;
    // "--set" assignments for every edited parameter, in table order.
    [[nodiscard]] QStringList overrides() const;
};

ExperimentParameters readExperimentParameters(const QString& file);

}  // namespace stacksim::gui
