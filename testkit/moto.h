// moto_server, a second SQS implementation that (unlike ElasticMQ) checks SigV4 signatures and
// IAM policies once authentication is on, as a child process on a free loopback port: started
// with authentication off, so a test can create an IAM user and its access key, then switched
// on. Used by the SQS integration tests and the fault campaign's credential scenario. Install it
// with stack/setup-moto.sh (scripts/setup.sh does).
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "common/status.h"
#include "sqs/credentials.h"
#include "sqs/curl_transport.h"
#include "testkit/child_process.h"

namespace driftline::testkit {

// MOTO_SERVER, else $STACK_DIR/venv/moto/bin/moto_server, else the project's .stack.
std::string MotoServerPath();

class MotoServer {
 public:
  // Starts moto_server and waits (up to `limit`) until it answers. Errors: kUnavailable naming
  // the missing binary (with the install command) or quoting its log.
  static Result<std::unique_ptr<MotoServer>> Start(
      const std::string& log_path, std::chrono::milliseconds limit = std::chrono::seconds(60));
  // SIGTERM, then SIGKILL after 5 s.
  ~MotoServer();
  MotoServer(const MotoServer&) = delete;
  MotoServer& operator=(const MotoServer&) = delete;

  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  const std::string& log_path() const { return log_path_; }

  // Creates IAM user `name` with an access key, and (when `allow_sqs`) an inline policy
  // "sqs-all" allowing sqs:*. Call before EnableAuth(): IAM itself needs no signature then.
  Result<sqs::Credentials> CreateUser(const std::string& name, bool allow_sqs = true);
  // Puts the "sqs-all" policy on `user` again / deletes it (sqs:* then gets AccessDenied).
  // After EnableAuth(), sign with `admin`, credentials whose user may call IAM (CreateAdmin).
  Status AllowSqs(const std::string& user, const sqs::Credentials& admin);
  Status DenySqs(const std::string& user, const sqs::Credentials& admin);
  // A user allowed everything (iam:* and sqs:*), for managing the others once auth is on.
  Result<sqs::Credentials> CreateAdmin(const std::string& name);
  // Switches authentication on: from now on every request must be signed by a known key whose
  // user's policies allow the action (POST /moto-api/reset-auth "0").
  Status EnableAuth();

 private:
  MotoServer(int port, std::string log_path, std::unique_ptr<ChildProcess> process)
      : port_(port), log_path_(std::move(log_path)), process_(std::move(process)) {}
  Result<sqs::HttpResponse> Iam(const std::string& body, const sqs::Credentials& credentials);
  Status PutPolicy(const std::string& user, const std::string& policy_name,
                   const std::string& document, const sqs::Credentials& signer);

  int port_;
  std::string log_path_;
  std::unique_ptr<ChildProcess> process_;
};

}  // namespace driftline::testkit
