#pragma once
// Runs pass@k probes of several weights one after another on its own thread (moved to a
// QThread by PassAtKDialog); reports by queued signals and stops between batches when
// cancelled.
#include <QObject>
#include <QString>
#include <QStringList>
#include <QVector>

#include <atomic>
#include <functional>

#include "core/run/engine.h"

namespace aha::ui {

class ProbeWorker : public QObject {
  Q_OBJECT
 public:
  using ProbeFunction = decltype(Engine::probe_pass_at_k);
  explicit ProbeWorker(ProbeFunction probe) : probe_(std::move(probe)) {}
  void cancel() { cancelled_ = true; }  // thread-safe: the probe stops after its batch
  void resetCancel() { cancelled_ = false; }

 public slots:
  // Probes each of `weightDirs` in turn with the same problems and seed.
  void run(const QString& configToml, const QStringList& weightDirs, int problems, int samples, qulonglong seed);

 signals:
  void progress(int weights, int done, int total);
  // pass@k at k = 1, 2, 4, ..., samples (pass_at_k_curve's ks), mean@n, maj@n, wall time.
  void curveReady(int weights, const QVector<double>& pass, double meanAtN, double majAtN, double seconds);
  void finished(bool cancelled, const QString& error);

 private:
  ProbeFunction probe_;
  std::atomic<bool> cancelled_{false};
};

}  // namespace aha::ui
