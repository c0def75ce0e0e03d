#pragma once
// Computes an anchor map (core/run/anchor_map.h) on its own thread (moved to a QThread by
// AnchorDialog): progress and the map come back by queued signals; it stops after the
// batch in hand when cancelled, and a stopped map is not returned (nothing is stored).
#include <QObject>
#include <QString>

#include <atomic>

#include "core/run/engine.h"

namespace aha::ui {

class AnchorWorker : public QObject {
  Q_OBJECT
 public:
  using MapFunction = decltype(Engine::anchor_map);
  explicit AnchorWorker(MapFunction map) : map_(std::move(map)) {}
  void cancel() { cancelled_ = true; }  // thread-safe
  void rearm() { cancelled_ = false; }   // before queueing a run, so a Stop right after it counts

  void run(const aha::AnchorRequest& request);

 signals:
  void progress(int done, int total);
  // `map` is empty (no steps) when cancelled or failed.
  void finished(const aha::AnchorMap& map, const QString& error, bool cancelled);

 private:
  MapFunction map_;
  std::atomic<bool> cancelled_{false};
};

}  // namespace aha::ui

Q_DECLARE_METATYPE(aha::AnchorMap)
Q_DECLARE_METATYPE(aha::AnchorRequest)
