#include "testkit/moto.h"

#include <unistd.h>

#include <cctype>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string_view>
#include <thread>

#include "testkit/ports.h"

namespace driftline::testkit {
namespace {

constexpr const char* kAllowSqs =
    R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sqs:*","Resource":"*"}]})";
constexpr const char* kAllowAll =
    R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:*","sqs:*"],"Resource":"*"}]})";

std::string FormEncode(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (std::isalnum(u) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += c;
    } else {
      out += '%';
      out += kHex[u >> 4];
      out += kHex[u & 0xF];
    }
  }
  return out;
}

std::string XmlElement(const std::string& xml, const std::string& tag) {
  const auto open = xml.find("<" + tag + ">");
  const auto close = xml.find("</" + tag + ">");
  if (open == std::string::npos || close == std::string::npos) return {};
  const auto start = open + tag.size() + 2;
  return xml.substr(start, close - start);
}

std::string ReadAll(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// Any credentials sign requests while authentication is off.
sqs::Credentials Unchecked() {
  return {"AKIAUNCHECKEDUNCHECK", "unchecked", std::nullopt};
}

Status Expect200(const Result<sqs::HttpResponse>& r, const std::string& what) {
  if (!r) return tl::unexpected(Error(r.error()).With(what));
  if (r->status != 200) {
    return Fail(Code::kUnavailable,
                what + ": HTTP " + std::to_string(r->status) + ": " + r->body.substr(0, 300));
  }
  return {};
}

}  // namespace

std::string MotoServerPath() {
  if (const char* path = std::getenv("MOTO_SERVER"); path != nullptr && *path != '\0') return path;
  if (const char* dir = std::getenv("STACK_DIR"); dir != nullptr && *dir != '\0') {
    return std::string(dir) + "/venv/moto/bin/moto_server";
  }
  return DRIFTLINE_DEFAULT_MOTO_SERVER;
}

Result<std::unique_ptr<MotoServer>> MotoServer::Start(const std::string& log_path,
                                                      std::chrono::milliseconds limit) {
  const std::string server = MotoServerPath();
  if (::access(server.c_str(), X_OK) != 0) {
    return Fail(Code::kUnavailable, server + " not found: run stack/setup-moto.sh");
  }
  const int port = FreeLoopbackPort();
  auto child =
      ChildProcess::Spawn({server, "-H", "127.0.0.1", "-p", std::to_string(port)}, {}, log_path);
  if (!child) return tl::unexpected(child.error());
  std::unique_ptr<MotoServer> moto(new MotoServer(port, log_path, std::move(*child)));
  // It takes a second or two to start.
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline && moto->process_->Running()) {
    auto r = moto->Iam("Action=ListUsers&Version=2010-05-08", Unchecked());
    if (r && r->status == 200) return moto;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  return Fail(Code::kUnavailable,
              "moto_server did not come up; its log (" + log_path + "):\n" + ReadAll(log_path));
}

MotoServer::~MotoServer() {
  if (process_) (void)process_->Terminate(std::chrono::seconds(5));
}

Result<sqs::HttpResponse> MotoServer::Iam(const std::string& body,
                                          const sqs::Credentials& credentials) {
  sqs::CurlTransportOptions options;
  options.credentials = credentials;
  options.request_timeout = std::chrono::seconds(10);
  auto transport = sqs::CurlTransport::Create(options);
  if (!transport) return tl::unexpected(transport.error());
  sqs::HttpRequest request;
  request.url = url() + "/";
  request.headers = {{"Content-Type", "application/x-www-form-urlencoded"}};
  request.body = body;
  request.aws_sigv4 = "aws:amz:us-east-1:iam";
  return (*transport)->Send(request);
}

Status MotoServer::PutPolicy(const std::string& user, const std::string& policy_name,
                             const std::string& document, const sqs::Credentials& signer) {
  return Expect200(
      Iam("Action=PutUserPolicy&UserName=" + FormEncode(user) + "&PolicyName=" + policy_name +
              "&PolicyDocument=" + FormEncode(document) + "&Version=2010-05-08",
          signer),
      "PutUserPolicy " + policy_name + " on " + user);
}

Result<sqs::Credentials> MotoServer::CreateUser(const std::string& name, bool allow_sqs) {
  if (Status s =
          Expect200(Iam("Action=CreateUser&UserName=" + FormEncode(name) + "&Version=2010-05-08",
                        Unchecked()),
                    "CreateUser " + name);
      !s) {
    return tl::unexpected(s.error());
  }
  auto key = Iam("Action=CreateAccessKey&UserName=" + FormEncode(name) + "&Version=2010-05-08",
                 Unchecked());
  if (Status s = Expect200(key, "CreateAccessKey for " + name); !s)
    return tl::unexpected(s.error());
  if (allow_sqs) {
    if (Status s = PutPolicy(name, "sqs-all", kAllowSqs, Unchecked()); !s) {
      return tl::unexpected(s.error());
    }
  }
  return sqs::Credentials{XmlElement(key->body, "AccessKeyId"),
                          XmlElement(key->body, "SecretAccessKey"), std::nullopt};
}

Result<sqs::Credentials> MotoServer::CreateAdmin(const std::string& name) {
  auto credentials = CreateUser(name, false);
  if (!credentials) return credentials;
  if (Status s = PutPolicy(name, "all", kAllowAll, Unchecked()); !s) {
    return tl::unexpected(s.error());
  }
  return credentials;
}

Status MotoServer::AllowSqs(const std::string& user, const sqs::Credentials& admin) {
  return PutPolicy(user, "sqs-all", kAllowSqs, admin);
}

Status MotoServer::DenySqs(const std::string& user, const sqs::Credentials& admin) {
  return Expect200(Iam("Action=DeleteUserPolicy&UserName=" + FormEncode(user) +
                           "&PolicyName=sqs-all&Version=2010-05-08",
                       admin),
                   "DeleteUserPolicy sqs-all on " + user);
}

Status MotoServer::EnableAuth() {
  sqs::CurlTransportOptions options;
  options.credentials = Unchecked();
  options.request_timeout = std::chrono::seconds(10);
  auto transport = sqs::CurlTransport::Create(options);
  if (!transport) return tl::unexpected(transport.error());
  sqs::HttpRequest reset;
  reset.url = url() + "/moto-api/reset-auth";
  reset.headers = {{"Content-Type", "text/plain"}};
  reset.body = "0";
  return Expect200((*transport)->Send(reset), "enabling moto's IAM checks");
}

}  // namespace driftline::testkit
