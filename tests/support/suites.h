#pragma once
// One test executable per area holds several QTest classes. `test_x SUITE [qtest args]`
// runs one of them (CTest registers each suite on its own); no suite name runs all.
#include <QtTest/QtTest>

#include <cstring>
#include <functional>
#include <vector>

namespace aha::test {

struct Suite {
  const char* name;
  std::function<int(int, char**)> run;
};

template <class T>
Suite suite(const char* name) {
  return {name, [](int argc, char** argv) {
            T t;
            return QTest::qExec(&t, argc, argv);
          }};
}

inline int run_suites(int argc, char** argv, const std::vector<Suite>& suites) {
  if (argc > 1 && argv[1][0] != '-') {
    for (const auto& s : suites) {
      if (std::strcmp(s.name, argv[1]) != 0) continue;
      argv[1] = argv[0];
      return s.run(argc - 1, argv + 1);
    }
    std::fprintf(stderr, "no test suite named '%s'\n", argv[1]);
    return 2;
  }
  int failures = 0;
  for (const auto& s : suites) failures += s.run(argc, argv);
  return failures;
}

}  // namespace aha::test
