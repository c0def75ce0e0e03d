#pragma once
// Runs `aha` and `aha-studio` as child processes, as a user would, for the CLI's tests.
#include <QFile>
#include <QProcess>
#include <QtTest/QtTest>

namespace cli_test {

struct Result {
  int code = -1;
  QString out, err;
  QString all() const { return out + err; }
};

inline Result run(const QString& program, const QStringList& args, int timeout_ms = 120000,
                  const QProcessEnvironment& env = QProcessEnvironment::systemEnvironment(), const QString& cwd = {}) {
  QProcess p;
  p.setProcessEnvironment(env);
  if (!cwd.isEmpty()) p.setWorkingDirectory(cwd);
  p.start(program, args);
  if (!p.waitForFinished(timeout_ms)) {
    p.kill();
    p.waitForFinished();
  }
  return {p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1, QString::fromUtf8(p.readAllStandardOutput()),
          QString::fromUtf8(p.readAllStandardError())};
}

// AHA_TEST_CLI and AHA_TEST_STUDIO run the tests against another build of `aha` and
// `aha-studio` (an older one, to see them fail).
inline Result aha(const QStringList& args, int timeout_ms = 120000) {
  return run(qEnvironmentVariable("AHA_TEST_CLI", AHA_CLI_BIN), args, timeout_ms);
}

// `aha` run from the folder `cwd`.
inline Result aha_in(const QString& cwd, const QStringList& args, int timeout_ms = 120000) {
  return run(qEnvironmentVariable("AHA_TEST_CLI", AHA_CLI_BIN), args, timeout_ms,
             QProcessEnvironment::systemEnvironment(), cwd);
}

inline void write(const QString& path, const QByteArray& bytes) {
  QFile f(path);
  QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
  f.write(bytes);
}

// A quick run of the built-in model: small steps, many of them.
inline QByteArray quick_config(const char* name, const QByteArray& extra = {}) {
  return "name = \"" + QByteArray(name) + "\"\nmodel = \"builtin:tiny-arithmetic\"\ndevice = \"cpu\"\nthreads = 1\n"
         "max_steps = 400\nnum_generations = 4\nper_device_train_batch_size = 8\nmax_completion_length = 48\n"
         "save_steps = 2\n" + extra + "[task]\nname = \"arithmetic\"\n";
}

// A finished run of 3 steps in `folder`/NAME.db, its config beside it as NAME.toml.
inline QString make_run(const QString& folder, const char* name) {
  const QString db = folder + "/" + name + ".db", config = folder + "/" + name + ".toml";
  write(config, quick_config(name));
  const Result r = aha({"train", "--config", config, "--db", db, "--steps", "3"});
  if (r.code != 0) qWarning() << r.all();
  return db;
}

#define EXPECT_FAILS_SAYING(result, text)                                                                        \
  do {                                                                                                           \
    const Result& r_ = (result);                                                                                 \
    QVERIFY2(r_.code != 0, qPrintable("exit 0: " + r_.all()));                                                   \
    QVERIFY2(r_.all().contains(text), qPrintable("expected '" + QString(text) + "' in: " + r_.all()));           \
  } while (0)

}  // namespace cli_test
