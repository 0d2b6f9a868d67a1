# syntax=docker/dockerfile:1
# driftline's container image: order-service (the default command), contract-test and dlq-redrive.
#
#   docker build --build-arg DRIFTLINE_GIT_COMMIT=$(git rev-parse --short=12 HEAD) -t driftline .
#   docker run --rm driftline --help                      # order-service
#   docker run --rm --entrypoint contract-test driftline --help
#
# Two stages: `build` compiles the three binaries exactly as CI does (RelWithDebInfo, -Werror)
# without the tests, benchmarks and fault campaign; the runtime stage holds the stripped binaries
# and only the shared libraries they load. docs/install/container.md has the rest.
#
# No Docker engine runs where this project is tested: scripts/replay-dockerfile.py replays the
# build stage's steps on the test machine (the same package lists, the same cmake commands) and
# checks the runtime stage against what was built (ctest -L container). The replay understands
# the commands used below; a new kind of command makes it fail until it is taught.

FROM debian:12 AS build
ARG DEBIAN_FRONTEND=noninteractive
# What the build of the three binaries needs (a subset of scripts/setup.sh's list; the replay
# checks every name with apt-cache).
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      build-essential cmake ninja-build pkg-config \
      librdkafka-dev libcurl4-openssl-dev libssl-dev \
      nlohmann-json3-dev libyaml-cpp-dev libvalijson-dev rapidjson-dev \
      libcli11-dev libspdlog-dev libfmt-dev libexpected-dev \
      prometheus-cpp-dev libcivetweb-dev libsqlite3-dev libcpp-httplib-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . /src
# The commit --version prints: the build context has no .git (.dockerignore).
ARG DRIFTLINE_GIT_COMMIT=""
RUN cmake -S /src -B /build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DDRIFTLINE_WERROR=ON -DDRIFTLINE_BUILD_TESTS=OFF -DDRIFTLINE_BUILD_BENCH=OFF -DDRIFTLINE_BUILD_FAULTS=OFF -DDRIFTLINE_GIT_COMMIT=${DRIFTLINE_GIT_COMMIT}
RUN cmake --build /build --target order-service contract-test dlq-redrive
# Staged with install(1), stripped (the debug info stays in /build), not with `cmake --install`:
# the project's install step also writes the Debian package's man pages and env file
# (cmake/Packaging.cmake, help2man), which the image does not carry.
RUN install -D -m 0755 -s -t /stage/usr/local/bin /build/bin/order-service /build/bin/contract-test /build/bin/dlq-redrive

FROM debian:12 AS runtime
ARG DEBIAN_FRONTEND=noninteractive
# Only what the binaries load (readelf/ldd of the built binaries, then dpkg -S; the replay
# checks that every library they need comes from this list or its dependencies), the CA
# certificates for an https SQS endpoint, and curl for the HEALTHCHECK.
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      ca-certificates curl \
      libcivetweb1 libcpp-httplib0.11 libcurl4 libfmt9 libprometheus-cpp-core1.0 \
      librdkafka1 libspdlog1.10 libsqlite3-0 libssl3 libstdc++6 libyaml-cpp0.7 \
 && rm -rf /var/lib/apt/lists/*
# An unprivileged user whose home holds Studio's run history (~/.local/share/driftline) and
# contract-test's reports; /var/lib/driftline is the volume to keep them on.
RUN useradd --system --uid 10001 --user-group --home-dir /var/lib/driftline --create-home --shell /usr/sbin/nologin driftline
COPY --from=build /stage/usr/local/bin/order-service /stage/usr/local/bin/contract-test /stage/usr/local/bin/dlq-redrive /usr/local/bin/
USER driftline
WORKDIR /var/lib/driftline
# order-service listens for /healthz and /metrics on every interface of the container (its own
# default is the loopback); publish the port to choose who reaches it.
ENV METRICS_ADDRESS=0.0.0.0:9400
EXPOSE 9400
# 200 once both consumers joined, their start offsets are resolved and SQS answers; 503 until then.
# The port is read from METRICS_ADDRESS at run time, so a changed address is still checked.
HEALTHCHECK --interval=5s --timeout=3s --start-period=20s --retries=5 CMD curl -fsS "http://127.0.0.1:${METRICS_ADDRESS##*:}/healthz" || exit 1
# order-service drains within SHUTDOWN_TIMEOUT_MS (15 s by default) on SIGTERM; keep
# `docker stop -t` above it.
STOPSIGNAL SIGTERM
ENTRYPOINT ["order-service"]
