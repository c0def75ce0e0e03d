#pragma once
// What the trainer's tests share: a scratch folder, a store factory and a trivially
// learnable run.
#include <QTemporaryDir>

#include <memory>
#include <string>

#include "core/run/job.h"
#include "core/run/memory_sink.h"
#include "core/run/run_config.h"
#include "db/run_store.h"

namespace aha::test {

inline SinkFactory store_at(const std::string& path) {
  return [path] { return std::make_unique<db::RunStore>(path); };
}

inline QTemporaryDir& scratch() {
  static QTemporaryDir dir;
  return dir;
}

// A trivially learnable task: the R1-Zero format on sums of two numbers from 0 to 4,
// from a base model that gets the format right about half of the time.
inline RunConfig trivial_run(const QString& model) {
  RunConfig c;
  c.name = "trivial";
  c.model = model.toStdString();
  c.device = "cpu";
  c.seed = 11;
  c.max_steps = 20;
  c.threads = 1;
  c.task.min_terms = c.task.max_terms = 2;
  c.task.min_value = 0;
  c.task.max_value = 4;
  c.num_generations = 8;
  c.per_device_train_batch_size = 64;
  c.max_completion_length = 40;
  c.learning_rate = 1e-3;
  c.reward_funcs = {"format"};
  c.reward_weights = {1.0};
  c.loss_type = "grpo";
  c.save_steps = 4;
  return c;
}

inline double mean_metric(const MemorySink& sink, size_t from, size_t to, const char* name) {
  double s = 0;
  for (size_t i = from; i < to; ++i) s += sink.metric(i, name);
  return s / (to - from);
}

}  // namespace aha::test
