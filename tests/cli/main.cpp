#include "tests/support/suites.h"

class RobustnessTest;
int run_robustness(int argc, char** argv);
int run_data_safety(int argc, char** argv);
int run_package(int argc, char** argv);
int run_outputs(int argc, char** argv);
int run_gain_report(int argc, char** argv);

int main(int argc, char** argv) {
  QCoreApplication app(argc, argv);
  return aha::test::run_suites(argc, argv, {{"robustness", run_robustness}, {"safety", run_data_safety}, {"package", run_package}, {"outputs", run_outputs}, {"gain_report", run_gain_report}});
}
