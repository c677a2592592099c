#include "gui/data/workspace.hpp"

#include <QFileInfo>
#include <QDir>
#include <array>

namespace stacksim::gui {

QColor runColour(int index) {
    static const std::array<QColor, 10> palette{QColor(0x4e79a7), QColor(0xf28e2b), QColor(0xe15759), QColor(0x76b7b2),
                                                QColor(0x59a14f), QColor(0xedc948), QColor(0xb07aa1), QColor(0xff9da7),
                                                QColor(0x9c755f), QColor(0xbab0ac)};
    return palette[static_cast<std::size_t>(index) % palette.size()];
}

QColor nameColour(const QString& name) {
    // FNV-1a: qHash is seeded per process, colours must not change between sessions.
    std::uint32_t h = 2166136261u;
    for (const QChar c : name) h = (h ^ c.unicode()) * 16777619u;
    return runColour(static_cast<int>(h % 10));
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
