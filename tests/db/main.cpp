#include <cstring>

#include "tests/db/db_tests.h"
#include "tests/support/suites.h"

int main(int argc, char** argv) {
  if (argc == 3 && std::strcmp(argv[1], "--crash-child") == 0) return run_crash_child(argv[2]);
  QCoreApplication app(argc, argv);
  return aha::test::run_suites(argc, argv, {
      aha::test::suite<SqliteTest>("sqlite"),
      aha::test::suite<SchemaTest>("schema"),
      aha::test::suite<StoreTest>("store"),
      aha::test::suite<CrashTest>("crash"),
      aha::test::suite<DataSafetyTest>("safety"),
  });
}
