#pragma once
#include <QGraphicsView>
#include <QString>

#include <map>
#include <optional>
#include <string>

#include "model/graph/service_edges.hpp"
#include "model/results/results_view.hpp"
#include "model/stack/topology.hpp"

class QGraphicsScene;

// The stack drawn as a graph: services as nodes (boxes grouped by the zones they run in),
// dependency edges (call, forward, cache, database, publish, consume), each node coloured by
// its mean utilisation in the selected run (same scale as the heat map). Wheel zooms, drag pans.
namespace stacksim::gui {

// Finds and loads the topology a run used (its experiment with the run's overrides, else the
// topology file), resolving relative paths against the results file's directories and the
// working directory. Returns an error message in `error` when it cannot.
std::optional<Topology> topologyForRun(const results::RunView& run, QString& error);

class TopologyView : public QGraphicsView {
    Q_OBJECT
public:
    explicit TopologyView(QWidget* parent = nullptr);
    // Draws the topology with utilisation from `run` (nullptr: uncoloured). Returns false and
    // shows `error` in the view when the topology cannot be found.
    bool showRun(const results::RunView* run);
    void showTopology(const Topology& t, const results::RunView* run);

    [[nodiscard]] int nodeCount() const { return static_cast<int>(nodes_.size()); }
    [[nodiscard]] int edgeCount() const { return edges_; }
    [[nodiscard]] QColor nodeColour(const std::string& service) const;

protected:
    void wheelEvent(QWheelEvent* e) override;
    void resizeEvent(QResizeEvent* e) override;

private:
    void showMessage(const QString& text);
    QGraphicsScene* scene_;
    std::map<std::string, QColor> nodes_;
    int edges_ = 0;
};

}  // namespace stacksim::gui
