#!/usr/bin/env bash
# Installs everything the project needs on a fresh Debian 12 machine, as root:
# the Debian packages the build links against, and the Maven artifacts of the local stack
# (Kafka, ElasticMQ), cached in ~/.m2 and laid out under $STACK_DIR/lib.
# Idempotent: a second run installs nothing and takes about a second.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(
  build-essential cmake ninja-build pkg-config git curl ca-certificates procps iproute2
  ccache                    # rebuilds and other clones of the same sources compile from cache
  librdkafka-dev            # Kafka client (C API)
  libcurl4-openssl-dev      # SQS client transport + SigV4 signing
  libssl-dev                # MD5 / HMAC / base64 for SQS checks; the tests' TLS front (testkit)
  openssl                   # test certificates for the TLS tests and fault scenarios
  nlohmann-json3-dev libyaml-cpp-dev libvalijson-dev
  rapidjson-dev             # the hot path's JSON: SQS send/delete bodies and responses
  libcli11-dev libspdlog-dev libfmt-dev libexpected-dev
  prometheus-cpp-dev libcivetweb-dev
  libsqlite3-dev            # the Studio's run history
  libcpp-httplib-dev        # the Studio's HTTP server (header-only)
  libgtest-dev libgmock-dev libbenchmark-dev
  json-schema-test-suite    # draft-7 conformance cases for the contract runner's schema checks
  kcat                      # debugging and stack readiness checks; the mock's consumer example
  jq                        # the mock's consumer example (examples/mock/consumer.sh)
  clang-format
  help2man                  # the package's man pages, from each binary's --help (make package)
  lintian                   # the package's policy check (tests/package)
  dpkg-dev                  # dpkg-shlibdeps: the package's Depends from the linked libraries
  python3-jsonschema python3-yaml   # docker-compose.yaml's schema check (tests/container/)
  clang-14 libclang-rt-14-dev   # libFuzzer targets (make fuzz)
  gnuplot-nox               # benchmark plots (make bench)
  openjdk-17-jdk-headless maven   # the local stack (java runs the topic tool from source)
  chromium chromium-driver  # the Studio page's browser tests (tests/browser/), headless
  nodejs                    # @asyncapi/diff, a second opinion in the compat tests (tests/tools/asyncapi-diff/)
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# npm: Debian's package, unless the nodejs installed already has its own (NodeSource's nodejs
# bundles npm and conflicts with Debian's npm package).
command -v npm >/dev/null || missing+=(npm)
if ((${#missing[@]})); then
  if [[ $(id -u) -ne 0 ]]; then
    echo "setup: need root to install: ${missing[*]}" >&2
    exit 1
  fi
  echo "setup: installing ${#missing[@]} Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  echo "setup: Debian packages present"
fi

stack/setup-maven.sh
# moto (PyPI) is a second SQS implementation that checks SigV4 signatures; only the tests use it.
stack/setup-moto.sh
# Selenium (PyPI) for the Studio page's browser tests; the browser itself is Debian's chromium.
tests/browser/setup.sh
# @asyncapi/diff and @asyncapi/parser (npm, `npm ci` from package-lock.json) for the compat tests.
tests/tools/asyncapi-diff/setup.sh
