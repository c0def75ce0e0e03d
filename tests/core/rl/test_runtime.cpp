#include <torch/torch.h>

#include "core/rl/runtime_info.h"
#include "tests/core/core_tests.h"

void RuntimeTest::tensorMatmulMatchesHandResult() {
  auto a = torch::tensor({{1.f, 2.f}, {3.f, 4.f}});
  auto b = torch::tensor({{5.f, 6.f}, {7.f, 8.f}});
  auto c = torch::matmul(a, b);
  QCOMPARE(c[0][0].item<float>(), 19.f);
  QCOMPARE(c[0][1].item<float>(), 22.f);
  QCOMPARE(c[1][0].item<float>(), 43.f);
  QCOMPARE(c[1][1].item<float>(), 50.f);
}

void RuntimeTest::versionStringsAreFilled() {
  QVERIFY(aha::torch_version().rfind(std::to_string(TORCH_VERSION_MAJOR) + ".", 0) == 0);
  QVERIFY(!aha::device_summary().empty());
}

void RuntimeTest::failuresReadWithoutBacktraceAndWithAdvice() {
  try {
    TORCH_CHECK(false, "CUDA out of memory. Tried to allocate 300.00 GiB");
    QFAIL("TORCH_CHECK must throw");
  } catch (const std::exception& e) {
    QVERIFY(std::string(e.what()).find("Exception raised") != std::string::npos);  // libtorch's backtrace
    const std::string text = aha::explain_failure(e);
    QVERIFY2(text.find("frame #") == std::string::npos && text.find("Exception raised") == std::string::npos, text.c_str());
    QVERIFY2(text.find("Tried to allocate 300.00 GiB") != std::string::npos, text.c_str());
    QVERIFY2(text.find("per_device_train_batch_size") != std::string::npos, text.c_str());
  }
  const std::runtime_error plain("config.toml:3: bad value");
  QCOMPARE(aha::explain_failure(plain), std::string("config.toml:3: bad value"));
}
