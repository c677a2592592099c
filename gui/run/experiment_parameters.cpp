#include "gui/run/experiment_parameters.hpp"

#include "model/schema/json_file.hpp"
#include "model/schema/loader.hpp"

namespace stacksim::gui {
namespace {

QString text(const nlohmann::json& j) {
    if (j.is_string()) return QString::fromStdString(j.get<std::string>());
    return QString::fromStdString(j.dump());
}

}  // namespace

QStringList ExperimentParameters::overrides() const {
    QStringList out;
    for (const auto& p : parameters)
        if (p.value.trimmed() != p.original) out << p.path + QLatin1Char('=') + p.value.trimmed();
    return out;
}

ExperimentParameters readExperimentParameters(const QString& file) {
    ExperimentParameters out;
    out.file = file;
    schema::Diagnostics diag;
    const auto raw = schema::load_json_file(file.toStdString(), diag);
    const auto experiment = raw ? schema::load_experiment(file.toStdString(), {}, diag) : std::nullopt;
    if (!raw || !experiment) {
        out.error = QString::fromStdString(diag.format());
        return out;
    }
    out.name = QString::fromStdString(experiment->name);
    auto add = [&out](const QString& path, const QString& value) { out.parameters.push_back({path, value, value}); };
    for (const char* key : {"duration", "warmup", "seed"})
        if (raw->contains(key)) add(QString::fromLatin1(key), text(raw->at(key)));
    if (raw->contains("workload") && raw->at("workload").contains("rate")) add(QStringLiteral("workload.rate"), text(raw->at("workload").at("rate")));
    for (const auto& [name, svc] : experiment->topology.services) {
        if (svc.kind == ServiceKind::external) continue;
        const QString base = QStringLiteral("topology.services.") + QString::fromStdString(name) + QLatin1Char('.');
        if (!svc.machine.empty()) add(base + QStringLiteral("machine"), QString::fromStdString(svc.machine));
        add(base + QStringLiteral("replicas"), QString::number(svc.replicas));
        if (svc.node && svc.node->workers > 0) add(base + QStringLiteral("workers"), QString::number(svc.node->workers));
    }
    return out;
}

}  // namespace stacksim::gui
