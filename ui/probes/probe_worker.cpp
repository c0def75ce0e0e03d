#include "ui/probes/probe_worker.h"

#include "core/analysis/pass_at_k.h"

namespace aha::ui {

void ProbeWorker::run(const QString& configToml, const QStringList& weightDirs, int problems, int samples,
                      qulonglong seed) {
  try {
    const RunConfig cfg = RunConfig::from_toml(configToml.toStdString(), "the run's stored config");
    for (int w = 0; w < weightDirs.size(); ++w) {
      const auto probe = probe_(cfg, weightDirs[w].toStdString(), problems, samples, seed, [&](int done, int total) {
        emit progress(w, done, total);
        return !cancelled_.load();
      });
      const auto curve = pass_at_k_curve(probe.problems);
      emit curveReady(w, QVector<double>(curve.pass.begin(), curve.pass.end()), curve.mean_at_n, curve.maj_at_n,
                      probe.seconds);
    }
    emit finished(false, QString());
  } catch (const std::exception& e) {
    emit finished(cancelled_.load(), cancelled_.load() ? QString() : QString::fromStdString(e.what()));
  }
}

}  // namespace aha::ui
