#pragma once
#include <QColor>
#include <QObject>
#include <QString>
#include <QStringList>

#include <optional>
#include <vector>

#include "model/results/results_view.hpp"

// What the explorer has open: runs (each with a stable colour and a compare checkbox) and at
// most one sweep. Loading never throws: a bad file becomes an error message (errorOccurred).
namespace stacksim::gui {

struct LoadedRun {
    results::RunView view;
    QString label;      // shown in lists and legends
    QColor colour;      // the run's colour in every overlay chart
    bool compared = true;
};

class Workspace : public QObject {
    Q_OBJECT
public:
    using QObject::QObject;

    // Opens a results file, a run/sweep directory or a directory of runs. Returns false and
    // emits errorOccurred with the reason when nothing could be opened.
    bool open(const QString& path);
    // Adds an already parsed run (e.g. a finished live run).
    void addRun(results::RunView run);
    void clear();

    [[nodiscard]] const std::vector<LoadedRun>& runs() const { return runs_; }
    [[nodiscard]] const std::optional<results::SweepView>& sweep() const { return sweep_; }
    [[nodiscard]] int currentRun() const { return current_; }
    void setCurrentRun(int index);
    void setCompared(int index, bool on);
    // The runs overlaid in charts: the compared ones, or the current run when none is checked.
    [[nodiscard]] std::vector<const LoadedRun*> comparedRuns() const;
    [[nodiscard]] const LoadedRun* current() const;
    [[nodiscard]] QString lastError() const { return lastError_; }

signals:
    void changed();
    void errorOccurred(const QString& message);

private:
    std::vector<LoadedRun> runs_;
    std::optional<results::SweepView> sweep_;
    int current_ = -1;
    QString lastError_;
};

// The colour of the i-th run (Tableau 10, so overlays of up to ten runs stay distinct).
QColor runColour(int index);
// The colour of a component or SLO name: the same in every chart and run of a session,
// distinct for up to 20 names.
QColor nameColour(const QString& name);

}  // namespace stacksim::gui
