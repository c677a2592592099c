#include "gui/data/workspace.hpp"

#include <QFileInfo>
#include <QDir>
#include <array>
#include <map>

namespace stacksim::gui {

QColor runColour(int index) {
    static const std::array<QColor, 10> palette{QColor(0x4e79a7), QColor(0xf28e2b), QColor(0xe15759), QColor(0x76b7b2),
                                                QColor(0x59a14f), QColor(0xedc948), QColor(0xb07aa1), QColor(0xff9da7),
                                                QColor(0x9c755f), QColor(0xbab0ac)};
    return palette[static_cast<std::size_t>(index) % palette.size()];
}

namespace {
// Components and SLOs get the next free colour of a 20-colour palette the first time they
// are seen (runs register their names in sorted order when loaded), so a name has one colour
// in every chart and names of one stack are distinct.
std::map<QString, int>& colourRegistry() {
    static std::map<QString, int> registry;
    return registry;
}
}  // namespace

QColor nameColour(const QString& name) {
    static const std::array<QColor, 20> palette{
        QColor(0x4e79a7), QColor(0xf28e2b), QColor(0xe15759), QColor(0x76b7b2), QColor(0x59a14f),
        QColor(0xedc948), QColor(0xb07aa1), QColor(0xff9da7), QColor(0x9c755f), QColor(0x79706e),
        QColor(0xa0cbe8), QColor(0xffbe7d), QColor(0x8cd17d), QColor(0xb6992d), QColor(0x499894),
        QColor(0x86bcb6), QColor(0xd37295), QColor(0xfabfd2), QColor(0xd4a6c8), QColor(0xbab0ac)};
    auto& registry = colourRegistry();
    const auto [it, added] = registry.emplace(name, static_cast<int>(registry.size()));
    return palette[static_cast<std::size_t>(it->second) % palette.size()];
}

bool Workspace::open(const QString& path) {
    try {
        auto opened = results::open_results(QDir::cleanPath(path).toStdString());
        for (auto& run : opened.runs) addRun(std::move(run));
        if (opened.sweep) sweep_ = std::move(opened.sweep);
        lastError_.clear();
        emit changed();
        return true;
    } catch (const std::exception& e) {
        lastError_ = QString::fromStdString(e.what());
    }
    emit errorOccurred(lastError_);
    return false;
}

void Workspace::addRun(results::RunView run) {
    LoadedRun r;
    const QFileInfo file(QString::fromStdString(run.file));
    const QString name = QString::fromStdString(run.name);
    // A run directory name tells runs of one experiment apart (e.g. with/without a retry budget).
    r.label = file.dir().dirName().isEmpty() || file.dir().dirName() == name ? name
                                                                             : name + " (" + file.dir().dirName() + ")";
    r.colour = runColour(static_cast<int>(runs_.size()));
    for (const auto* names : {&run.utilisation, &run.queue_depth, &run.replicas})
        for (const auto& [component, values] : *names) nameColour(QString::fromStdString(component));
    for (const auto& slo : run.slos) nameColour(QString::fromStdString(slo.name));
    r.view = std::move(run);
    runs_.push_back(std::move(r));
    current_ = static_cast<int>(runs_.size()) - 1;
    emit changed();
}

void Workspace::clear() {
    runs_.clear();
    sweep_.reset();
    current_ = -1;
    emit changed();
}

void Workspace::setCurrentRun(int index) {
    if (index < 0 || index >= static_cast<int>(runs_.size()) || index == current_) return;
    current_ = index;
    emit changed();
}

void Workspace::setCompared(int index, bool on) {
    if (index < 0 || index >= static_cast<int>(runs_.size()) || runs_[static_cast<std::size_t>(index)].compared == on) return;
    runs_[static_cast<std::size_t>(index)].compared = on;
    emit changed();
}

std::vector<const LoadedRun*> Workspace::comparedRuns() const {
    std::vector<const LoadedRun*> out;
    for (const auto& r : runs_)
        if (r.compared) out.push_back(&r);
    if (out.empty() && current()) out.push_back(current());
    return out;
}

const LoadedRun* Workspace::current() const {
    return current_ >= 0 && current_ < static_cast<int>(runs_.size()) ? &runs_[static_cast<std::size_t>(current_)] : nullptr;
}

}  // namespace stacksim::gui
