#pragma once
#include <QMainWindow>
#include <QStringList>

#include "gui/charts/charts.hpp"
#include "gui/data/workspace.hpp"

class QCheckBox;
class QComboBox;
class QDockWidget;
class QLabel;
class QListWidget;
class QMenu;
class QMimeData;
class QTabWidget;
class QTreeWidget;

// The explorer window: a runs list (check runs to overlay them), a sweep's points, and one
// tab per view — charts, utilisation heat map, cost curves, topology, and the Run panel.
namespace stacksim::gui {

class ChartView;
class RunPanel;
class TopologyView;
class UtilisationHeatMap;

class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    explicit MainWindow(QWidget* parent = nullptr);
    ~MainWindow() override;

    // Opens results (file, run/sweep directory, directory of runs) or an experiment (into
    // the Run tab). Errors appear in the window's error banner; returns false then.
    bool openPath(const QString& path);
    bool showTab(const QString& name);
    // What a drop onto the window does: opens every local file or directory in it.
    int openDropped(const QMimeData* mime);  // by tab title, case-insensitive prefix
    // Exports the view of the current tab (PNG or SVG by suffix); error message or empty.
    QString exportCurrent(const QString& file);

    [[nodiscard]] Workspace& workspace() { return workspace_; }
    [[nodiscard]] QTabWidget* tabs() const { return tabs_; }
    [[nodiscard]] ChartView* chartView(const QString& tab) const;  // nullptr for non-chart tabs
    [[nodiscard]] UtilisationHeatMap* heatMap() const { return heatMap_; }
    [[nodiscard]] TopologyView* topology() const { return topology_; }
    [[nodiscard]] RunPanel* runPanel() const { return runPanel_; }
    [[nodiscard]] QString errorText() const;
    [[nodiscard]] QStringList recentFiles() const;
    void setQuantiles(Quantiles q);

protected:
    void dragEnterEvent(QDragEnterEvent* e) override;
    void dropEvent(QDropEvent* e) override;
    void closeEvent(QCloseEvent* e) override;

private:
    void buildMenus();
    void rebuild();             // every view from the workspace
    void rebuildCharts();
    void rebuildCost();
    void showError(const QString& message);
    void rememberRecent(const QString& path);
    void refreshRecentMenu();
    QWidget* currentExportable() const;

    Workspace workspace_;
    QTabWidget* tabs_;
    QLabel* banner_;
    QListWidget* runsList_;
    QTreeWidget* pointsTree_;
    QDockWidget* pointsDock_;
    QDockWidget* runsDock_;
    QCheckBox* p50_;
    QCheckBox* p95_;
    QCheckBox* p99_;
    QComboBox* loadCombo_;
    QLabel* recommendation_;
    ChartView* latency_;
    ChartView* throughput_;
    ChartView* queues_;
    ChartView* replicas_;
    ChartView* budget_;
    ChartView* cost_;
    UtilisationHeatMap* heatMap_;
    TopologyView* topology_;
    RunPanel* runPanel_;
    QMenu* recentMenu_ = nullptr;
    bool updatingList_ = false;
};

}  // namespace stacksim::gui
