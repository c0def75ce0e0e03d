#include "ui/probes/probe_worker.h"

#include "core/run/probe_records.h"
#include "db/probe_store.h"

namespace aha::ui {

void ProbeWorker::run(const PassAtKJob& job) {
  try {
    const RunConfig cfg = RunConfig::from_toml(job.configToml.toStdString(), "the run's stored config");
    db::ProbeStore store(job.dbPath.toStdString());
    for (int w = 0; w < job.weightDirs.size(); ++w) {
      const auto probe = probe_(cfg, job.weightDirs[w].toStdString(), job.set, job.samples, [&](int done, int total) {
        emit progress(w, done, total);
        return !cancelled_.load();
      });
      const auto record = passk_record(job.runId, job.weightSteps.value(w, 0), probe, job.set, cfg.temperature);
      emit probeStored(w, store.add(record.probe, record.problems, record.completions));
    }
    emit finished(false, QString());
  } catch (const std::exception& e) {
    emit finished(cancelled_.load(), cancelled_.load() ? QString() : QString::fromStdString(e.what()));
  }
}

}  // namespace aha::ui
