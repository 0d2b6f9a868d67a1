// A test fixture with the sample contract loaded and its schemas compiled (strict).
#pragma once

#include <gtest/gtest.h>

#include <memory>

#include "contract/check/check.h"
#include "contract/spec/asyncapi.h"
#include "sample_contract.h"
#include "temp_dir.h"

namespace driftline::contract::testing {

class SampleContractTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto loaded = LoadContract(dir_.Write("orders.yaml", kSampleContract));
    ASSERT_TRUE(loaded) << loaded.error().message();
    contract_ = std::make_unique<Contract>(std::move(*loaded));
    auto schemas = SchemaCatalog::Build(*contract_, true);
    ASSERT_TRUE(schemas) << schemas.error().message();
    schemas_ = std::make_unique<SchemaCatalog>(std::move(*schemas));
  }

  // An example parsed from JSON text, as if read from `name` in the fixture's folder.
  Example MakeExample(const std::string& text, const std::string& name = "ex.json") {
    auto doc = ParseSource(text, dir_.path() / name);
    EXPECT_TRUE(doc) << doc.error().message();
    auto ex = ParseExample(*doc);
    EXPECT_TRUE(ex) << ex.error().message();
    return *ex;
  }

  TempDir dir_;
  std::unique_ptr<Contract> contract_;
  std::unique_ptr<SchemaCatalog> schemas_;
};

}  // namespace driftline::contract::testing
