#include "contract/spec/example.h"

#include <algorithm>

namespace driftline::contract {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

Error At(const SourceDoc& doc, const std::string& pointer, std::string_view what) {
  return Error(Code::kInvalidArgument, doc.Where(pointer) + ": " + std::string(what));
}

Result<std::optional<ExampleMessage>> Block(const SourceDoc& doc, Role role) {
  const std::string key(RoleKey(role));
  const std::string pointer = "/" + key;
  auto it = doc.root.find(key);
  if (it == doc.root.end() || it->is_null()) return std::optional<ExampleMessage>();
  if (!it->is_object()) return tl::unexpected(At(doc, pointer, "'" + key + "' must be an object"));
  ExampleMessage m;
  m.role = role;
  m.pointer = pointer;
  auto topic = it->find("topic");
  if (topic == it->end() || !topic->is_string() || topic->get<std::string>().empty())
    return tl::unexpected(At(doc, pointer, "'" + key + "' needs a 'topic' (the channel address)"));
  m.topic = topic->get<std::string>();
  if (auto p = it->find("payload"); p != it->end()) m.payload = *p;
  if (auto h = it->find("headers"); h != it->end() && !h->is_null()) {
    if (!h->is_object())
      return tl::unexpected(At(doc, pointer + "/headers", "headers must be an object"));
    m.headers = *h;
  }
  if (auto k = it->find("key"); k != it->end() && !k->is_null()) m.key = *k;
  for (auto member = it->begin(); member != it->end(); ++member) {
    const std::string& name = member.key();
    if (name != "topic" && name != "payload" && name != "headers" && name != "key") {
      return tl::unexpected(
          At(doc, pointer + "/" + name, "unknown member '" + name + "' in '" + key + "'"));
    }
  }
  return std::optional<ExampleMessage>(std::move(m));
}

}  // namespace

std::string_view RoleKey(Role role) {
  switch (role) {
    case Role::kReceive:
      return "receive";
    case Role::kReply:
      return "send";
    case Role::kRetry:
      return "retry";
    case Role::kDeadLetter:
      return "dlq";
  }
  return "?";
}

std::vector<const ExampleMessage*> Example::Expected() const {
  std::vector<const ExampleMessage*> out;
  for (const auto* m : {&send, &retry, &dlq}) {
    if (*m) out.push_back(&**m);
  }
  return out;
}

bool Example::IsWip() const {
  return name.rfind("WIP:", 0) == 0 || name.rfind("[WIP]", 0) == 0;
}

namespace {
Result<Example> ParseExampleUnguarded(const SourceDoc& doc);
}  // namespace

Result<Example> ParseExample(const SourceDoc& doc) {
  return GuardMalformed(doc.path, [&] { return ParseExampleUnguarded(doc); });
}

namespace {
Result<Example> ParseExampleUnguarded(const SourceDoc& doc) {
  Example ex;
  ex.file = doc.path;
  if (!doc.root.is_object()) return tl::unexpected(At(doc, "", "an example must be a JSON object"));
  auto name = doc.root.find("name");
  if (name == doc.root.end() || !name->is_string() || name->get<std::string>().empty())
    return tl::unexpected(At(doc, "/name", "the example needs a 'name'"));
  ex.name = name->get<std::string>();
  if (auto id = doc.root.find("id"); id != doc.root.end())
    ex.id = id->is_string() ? id->get<std::string>() : id->dump();
  const std::pair<Role, std::optional<ExampleMessage>*> blocks[] = {{Role::kReceive, &ex.receive},
                                                                    {Role::kReply, &ex.send},
                                                                    {Role::kRetry, &ex.retry},
                                                                    {Role::kDeadLetter, &ex.dlq}};
  for (const auto& [role, slot] : blocks) {
    auto block = Block(doc, role);
    if (!block) return tl::unexpected(block.error());
    *slot = std::move(*block);
  }
  if (!ex.receive && !ex.send)
    return tl::unexpected(At(doc, "", "the example needs a 'receive' or a 'send' block"));
  for (auto it = doc.root.begin(); it != doc.root.end(); ++it) {
    const std::string& k = it.key();
    if (k == "before" || k == "after") {
      ex.unsupported.push_back(k);
    } else if (k != "name" && k != "id" && k != "receive" && k != "send" && k != "retry" &&
               k != "dlq") {
      ex.warnings.push_back("unknown member '" + k + "' ignored");
    }
  }
  return ex;
}
}  // namespace

Result<std::vector<Example>> LoadExamples(const fs::path& dir) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec))
    return Fail(Code::kNotFound, dir.string() + ": examples directory not found");
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    const std::string ext = entry.path().extension().string();
    if (entry.is_regular_file() && (ext == ".json" || ext == ".yaml" || ext == ".yml"))
      files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end(),
            [](const fs::path& a, const fs::path& b) { return a.filename() < b.filename(); });
  std::vector<Example> out;
  for (const fs::path& file : files) {
    auto doc = LoadSource(fs::absolute(file).lexically_normal());
    if (!doc) return tl::unexpected(doc.error());
    auto ex = ParseExample(*doc);
    if (!ex) return tl::unexpected(ex.error());
    out.push_back(std::move(*ex));
  }
  return out;
}

}  // namespace driftline::contract
