#pragma once
// Computes a run's gain report (core/run/gain_probes.h) on its own thread (moved to a
// QThread by GainDialog): stored probes are read, missing ones sampled with the engine and
// stored; progress and the result come back by queued signals; it stops between batches
// when cancelled.
#include <QObject>
#include <QString>

#include <atomic>

#include "core/run/gain_probes.h"

namespace aha::ui {

class GainWorker : public QObject {
  Q_OBJECT
 public:
  using ProbeFunction = decltype(Engine::probe_pass_at_k);
  explicit GainWorker(ProbeFunction probe) : probe_(std::move(probe)) {}
  void cancel() { cancelled_ = true; }  // thread-safe

  void run(const QString& dbPath, const GainRequest& request);

 signals:
  void progress(const QString& what, int done, int total);
  void finished(const aha::GainResult& result, const QString& error, bool cancelled);

 private:
  ProbeFunction probe_;
  std::atomic<bool> cancelled_{false};
};

}  // namespace aha::ui

Q_DECLARE_METATYPE(aha::GainResult)
Q_DECLARE_METATYPE(aha::GainRequest)
