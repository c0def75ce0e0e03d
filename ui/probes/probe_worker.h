#pragma once
// Runs pass@k probes of several weights one after another on its own thread (moved to a
// QThread by PassAtKDialog), stores each with the run (db/probe_store.h, on a connection
// of its own thread) and reports by queued signals; stops between batches when cancelled.
#include <QList>
#include <QObject>
#include <QString>
#include <QStringList>

#include <atomic>
#include <functional>

#include "core/run/engine.h"

namespace aha::ui {

struct PassAtKJob {
  QString dbPath, configToml;
  qint64 runId = 0;
  QStringList weightDirs;
  QList<qint64> weightSteps;  // of each dir: the checkpoint after that step, 0 the base model
  ProbeSet set;
  int samples = 0;
};

class ProbeWorker : public QObject {
  Q_OBJECT
 public:
  using ProbeFunction = decltype(Engine::probe_pass_at_k);
  explicit ProbeWorker(ProbeFunction probe) : probe_(std::move(probe)) {}
  void cancel() { cancelled_ = true; }  // thread-safe: the probe stops after its batch
  void resetCancel() { cancelled_ = false; }

  // Probes each of the job's weights in turn with the same problems and seed.
  void run(const PassAtKJob& job);

 signals:
  void progress(int weights, int done, int total);
  void probeStored(int weights, qint64 probeId);
  void finished(bool cancelled, const QString& error);

 private:
  ProbeFunction probe_;
  std::atomic<bool> cancelled_{false};
};

}  // namespace aha::ui
