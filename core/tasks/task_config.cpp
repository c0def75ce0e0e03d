#include "core/tasks/task_config.h"

namespace aha {

TaskOptions read_task_table(ConfigReader r) {
  TaskOptions t;
  t.name = r.text("name", t.name, {"arithmetic", "countdown", "dataset"});
  t.min_terms = r.integer("min_terms", t.min_terms, 2, 10);
  t.max_terms = r.integer("max_terms", t.max_terms, t.min_terms, 10);
  t.min_value = r.integer("min_value", t.min_value, 0, 1000000);
  t.max_value = r.integer("max_value", t.max_value, t.min_value, 1000000);
  t.countdown_numbers = r.integer("countdown_numbers", t.countdown_numbers, 2, 6);
  t.countdown_max_target = r.integer("countdown_max_target", t.countdown_max_target, 1, 100000);
  t.data_file = r.text("data_file", t.data_file);
  t.data_format = r.text("data_format", t.data_format, {"auto", "jsonl", "csv"});
  t.question_field = r.text("question_field", t.question_field);
  t.answer_field = r.text("answer_field", t.answer_field);
  t.nums_field = r.text("nums_field", t.nums_field);
  t.target_field = r.text("target_field", t.target_field);
  t.on_bad_line = r.text("on_bad_line", t.on_bad_line, {"skip", "reject"});
  t.answer_tolerance = r.real("answer_tolerance", t.answer_tolerance, 0.0, 1.0);
  if (t.name == "dataset" && t.data_file.empty())
    throw ConfigError(r.origin() + ": task.data_file: the dataset task reads its problems from a JSONL or CSV file; "
                      "give its path");
  r.reject_unknown();
  return t;
}

CorpusOptions read_corpus_table(ConfigReader r) {
  CorpusOptions c;
  c.style.mistake_rate = r.real("mistake_rate", c.style.mistake_rate, 0.0, 1.0);
  c.style.check_rate = r.real("check_rate", c.style.check_rate, 0.0, 1.0);
  c.drill_rate = r.real("drill_rate", c.drill_rate, 0.0, 1.0);
  c.fact_drill_rate = r.real("fact_drill_rate", c.fact_drill_rate, 0.0, 1.0);
  c.prompt_template = r.text("prompt_template", c.prompt_template);
  r.reject_unknown();
  return c;
}

}  // namespace aha
