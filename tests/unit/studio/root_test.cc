#include "studio/root.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

#include "testkit/temp_dir.h"

namespace driftline::studio {
namespace {

namespace fs = std::filesystem;

// A temp dir holding the root ("root/") and what lies beside it ("outside/", "root2/").
class RootTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto dir = testkit::TempDir::Create("studio-root");
    ASSERT_TRUE(dir) << dir.error().ToString();
    dir_ = std::move(*dir);
    base_ = fs::canonical(dir_->path());
    fs::create_directories(base_ / "root");
    fs::create_directories(base_ / "outside");
    WriteFile("outside/secret.yaml", "asyncapi: 3.0.0\n");
    WriteFile("root2/x.yaml", "asyncapi: 3.0.0\n");
    auto root = Root::Open(base_ / "root");
    ASSERT_TRUE(root) << root.error().ToString();
    root_ = std::make_unique<Root>(std::move(*root));
  }

  // Writes `text` to `relative` under the temp dir (creating folders); returns the full path.
  fs::path WriteFile(const std::string& relative, const std::string& text) const {
    const fs::path file = base_ / relative;
    fs::create_directories(file.parent_path());
    std::ofstream(file, std::ios::binary) << text;
    return file;
  }

  // Expects `requested` refused as outside the root, with the message the page shows.
  void ExpectOutside(const std::string& requested) const {
    auto resolved = root_->Resolve(requested);
    ASSERT_FALSE(resolved) << requested << " resolved to " << resolved->string();
    EXPECT_EQ(resolved.error().code(), Code::kPermissionDenied) << requested;
    EXPECT_EQ(resolved.error().message(),
              requested + ": outside the root " + (base_ / "root").string());
  }

  std::unique_ptr<testkit::TempDir> dir_;
  fs::path base_;
  std::unique_ptr<Root> root_;
};

TEST_F(RootTest, OpenMakesTheRootCanonical) {
  WriteFile("root/sub/keep", "");
  auto root = Root::Open(base_ / "root" / "sub" / ".." / ".");
  ASSERT_TRUE(root) << root.error().ToString();
  EXPECT_EQ(root->path(), base_ / "root");
  EXPECT_EQ(root_->path(), base_ / "root");
}

TEST_F(RootTest, OpenRefusesAMissingDirectoryOrAFile) {
  auto missing = Root::Open(base_ / "nowhere");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code(), Code::kInvalidArgument);
  EXPECT_NE(missing.error().message().find((base_ / "nowhere").string()), std::string::npos)
      << missing.error().message();

  const fs::path file = WriteFile("root/file.yaml", "x");
  auto not_dir = Root::Open(file);
  ASSERT_FALSE(not_dir);
  EXPECT_EQ(not_dir.error().code(), Code::kInvalidArgument);
  EXPECT_NE(not_dir.error().message().find(file.string()), std::string::npos)
      << not_dir.error().message();
}

TEST_F(RootTest, ResolvesRelativeAndAbsolutePathsInside) {
  const fs::path file = WriteFile("root/api/orders.yaml", "asyncapi: 3.0.0\n");
  auto relative = root_->Resolve("api/orders.yaml");
  ASSERT_TRUE(relative) << relative.error().ToString();
  EXPECT_EQ(*relative, file);

  auto absolute = root_->Resolve(file.string());
  ASSERT_TRUE(absolute) << absolute.error().ToString();
  EXPECT_EQ(*absolute, file);

  // `..` that stays inside is only a spelling.
  auto climbing = root_->Resolve("api/../api/./orders.yaml");
  ASSERT_TRUE(climbing) << climbing.error().ToString();
  EXPECT_EQ(*climbing, file);

  auto itself = root_->Resolve(".");
  ASSERT_TRUE(itself) << itself.error().ToString();
  EXPECT_EQ(*itself, base_ / "root");
}

TEST_F(RootTest, RefusesPathsThatClimbOut) {
  ExpectOutside("..");
  ExpectOutside("../outside/secret.yaml");
  ExpectOutside("../x");  // refused although it does not exist
  WriteFile("root/a/keep", "");
  ExpectOutside("a/../../x");
  ExpectOutside("a/../../outside/secret.yaml");
}

TEST_F(RootTest, RefusesAbsolutePathsElsewhere) {
  ExpectOutside((base_ / "outside" / "secret.yaml").string());
  ExpectOutside(base_.string());
  ExpectOutside("/");
  // Absolute, spelled from inside, climbing out.
  ExpectOutside((base_ / "root" / ".." / "outside" / "secret.yaml").string());
}

TEST_F(RootTest, ASiblingWhoseNameExtendsTheRootsIsOutside) {
  ExpectOutside((base_ / "root2" / "x.yaml").string());
  ExpectOutside((base_ / "root2").string());
  ExpectOutside("../root2/x.yaml");
}

TEST_F(RootTest, RefusesASymlinkLeavingTheRoot) {
  fs::create_symlink(base_ / "outside" / "secret.yaml", base_ / "root" / "link.yaml");
  fs::create_directory_symlink(base_ / "outside", base_ / "root" / "linkdir");
  ExpectOutside("link.yaml");
  ExpectOutside("linkdir");
  ExpectOutside("linkdir/secret.yaml");
  ExpectOutside((base_ / "root" / "link.yaml").string());
  // `..` after a symlink climbs from its target, as the kernel would.
  fs::create_directories(base_ / "outside" / "deeper");
  fs::create_directory_symlink(base_ / "outside" / "deeper", base_ / "root" / "deep");
  ExpectOutside("deep/../secret.yaml");
}

TEST_F(RootTest, AcceptsASymlinkStayingInside) {
  const fs::path target = WriteFile("root/api/orders.yaml", "asyncapi: 3.0.0\n");
  fs::create_symlink(target, base_ / "root" / "alias.yaml");
  fs::create_directory_symlink(base_ / "root" / "api", base_ / "root" / "contracts");
  auto alias = root_->Resolve("alias.yaml");
  ASSERT_TRUE(alias) << alias.error().ToString();
  EXPECT_EQ(*alias, target);
  auto through_dir = root_->Resolve("contracts/orders.yaml");
  ASSERT_TRUE(through_dir) << through_dir.error().ToString();
  EXPECT_EQ(*through_dir, target);
}

TEST_F(RootTest, AMissingFileIsNotFound) {
  auto missing = root_->Resolve("api/missing.yaml");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code(), Code::kNotFound);
  EXPECT_EQ(missing.error().message(), "api/missing.yaml: no such file or directory");
  // A dangling symlink says nothing of where it points.
  fs::create_symlink(base_ / "outside" / "gone.yaml", base_ / "root" / "dangling.yaml");
  auto dangling = root_->Resolve("dangling.yaml");
  ASSERT_FALSE(dangling);
  EXPECT_EQ(dangling.error().code(), Code::kNotFound);
}

TEST_F(RootTest, RefusesEmptyAndNulPaths) {
  auto empty = root_->Resolve("");
  ASSERT_FALSE(empty);
  EXPECT_EQ(empty.error().code(), Code::kInvalidArgument);

  WriteFile("root/a", "x");
  const std::string with_nul("a\0/../../outside/secret.yaml", 28);
  auto nul = root_->Resolve(with_nul);
  ASSERT_FALSE(nul);
  EXPECT_EQ(nul.error().code(), Code::kInvalidArgument);
  auto nul_alone = root_->Resolve(std::string_view("a\0", 2));
  ASSERT_FALSE(nul_alone);
  EXPECT_EQ(nul_alone.error().code(), Code::kInvalidArgument);
}

TEST_F(RootTest, RelativeShowsPathsFromTheRoot) {
  const fs::path file = WriteFile("root/api/orders.yaml", "x");
  EXPECT_EQ(root_->Relative(file), "api/orders.yaml");
  EXPECT_EQ(root_->Relative(base_ / "root"), ".");
  EXPECT_EQ(root_->Relative(base_ / "root" / "api" / ""), "api");
  EXPECT_EQ(root_->Relative(fs::path("api/orders.yaml")), "api/orders.yaml");
  EXPECT_EQ(root_->Relative(base_ / "root2" / "x.yaml"), (base_ / "root2" / "x.yaml").string());
}

// The candidates as "kind path [examples]" lines, in the order given.
std::string DescribeCandidates(const std::vector<Root::Candidate>& candidates) {
  std::string text;
  for (const Root::Candidate& c : candidates) {
    text += c.kind + " " + c.path;
    if (c.examples) text += " [" + *c.examples + "]";
    text += "\n";
  }
  return text;
}

TEST_F(RootTest, CandidatesAreConfigsThenContractsSkippingWhatTheWalkMustNotEnter) {
  const std::string contract = "asyncapi: 3.0.0\ninfo:\n  title: x\n";
  WriteFile("root/specmatic.yaml", "version: 2\n");
  WriteFile("root/sub/specmatic.json", "{}");
  WriteFile("root/api/orders.yaml", contract);
  fs::create_directories(base_ / "root" / "api" / "orders_examples");
  WriteFile("root/api/payments.json", "{\"asyncapi\": \"3.0.0\"}");
  WriteFile("root/api/orders_examples/one.json", "{\"name\": \"one\"}");
  WriteFile("root/api/openapi.yaml", "openapi: 3.0.0\n");
  WriteFile("root/api/notes.txt", contract);
  WriteFile("root/api/late.yaml", std::string(5000, ' ') + contract);  // beyond the first 4 KiB
  WriteFile("root/.git/hidden.yaml", contract);
  WriteFile("root/.cache/specmatic.yaml", "");
  WriteFile("root/build/generated.yaml", contract);
  WriteFile("root/build-debug/generated.yaml", contract);
  WriteFile("root/node_modules/pkg/asyncapi.yaml", contract);
  WriteFile("root/a/b/c/d/e/six.yaml", contract);      // depth 6: listed
  WriteFile("root/a/b/c/d/e/f/seven.yaml", contract);  // depth 7: beyond the walk
  fs::create_symlink(base_ / "root" / "api" / "orders.yaml", base_ / "root" / "link.yaml");
  fs::create_directory_symlink(base_ / "outside", base_ / "root" / "linked");

  EXPECT_EQ(DescribeCandidates(root_->Candidates()),
            "config specmatic.yaml\n"
            "config sub/specmatic.json\n"
            "contract a/b/c/d/e/six.yaml\n"
            "contract api/orders.yaml [api/orders_examples]\n"
            "contract api/payments.json\n");
}

TEST_F(RootTest, CandidatesStopAfterTheEntryBound) {
  const std::string contract = "asyncapi: 3.0.0\n";
  WriteFile("root/first.yaml", contract);
  // The walk reads the root's three entries, then "a/"'s until the bound: "z/" is never read.
  // Hard links of one file: new directory entries without new inodes, which are slow to make.
  const fs::path filler = WriteFile("root/a/filler-0.txt", "");
  for (std::size_t i = 1; i < Root::kMaxCandidateEntries; ++i) {
    fs::create_hard_link(filler, base_ / "root" / "a" / ("filler-" + std::to_string(i) + ".txt"));
  }
  WriteFile("root/z/last.yaml", contract);
  EXPECT_EQ(DescribeCandidates(root_->Candidates()), "contract first.yaml\n");
  // Below the bound, both are found.
  fs::remove_all(base_ / "root" / "a");
  EXPECT_EQ(DescribeCandidates(root_->Candidates()), "contract first.yaml\ncontract z/last.yaml\n");
}

}  // namespace
}  // namespace driftline::studio
