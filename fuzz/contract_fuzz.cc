// libFuzzer target: any bytes as a contract, config or example file (YAML or JSON): parsed,
// then loaded as an AsyncAPI contract, a specmatic.yaml and an example. Every problem must come
// back as an Error naming the file; nothing may crash or throw.
#include <unistd.h>

#include <cstdint>
#include <fstream>
#include <string>

#include "contract/spec/asyncapi.h"
#include "contract/spec/config.h"
#include "contract/spec/document.h"
#include "contract/spec/example.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace c = driftline::contract;
  const std::string text(reinterpret_cast<const char*>(data), size);
  for (const char* name : {"fuzz.yaml", "fuzz.json"}) {
    auto doc = c::ParseSource(text, name);
    if (doc) (void)c::ParseExample(*doc);
  }
  static const std::string dir = "/tmp/driftline-contract-fuzz-" + std::to_string(::getpid());
  static const bool made = [] { return std::system(("mkdir -p " + dir).c_str()) == 0; }();
  if (!made) return 0;
  const std::string path = dir + "/contract.yaml";
  std::ofstream(path, std::ios::binary | std::ios::trunc) << text;
  (void)c::LoadContract(path);
  (void)c::LoadSuiteConfig(path);
  return 0;
}
