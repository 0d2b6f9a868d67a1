# The two commands a newcomer needs:
#   make demo   start the stack and order-service, run contract-test on the project's contract
#   make test   set up, build, start the stack, run every test, stop the stack
# Everything else is listed by `make help`.

BUILD_DIR ?= build
BUILD_TYPE ?= RelWithDebInfo
# -Werror in CI (CI=true) or when asked: make WERROR=ON
WERROR ?= $(if $(CI),ON,OFF)
JOBS ?= $(shell nproc)
CTEST_ARGS ?=

.PHONY: help setup configure build test unit integration demo demo-clients bench bench-publish stack-up stack-down \
        stack-status sanitize tsan fuzz format format-check clean faults readme-settings package

help:
	@echo "make demo          stack, order-service and contract-test on the project's contract"
	@echo "make demo-clients  one order through Kafka and SQS with the project's clients"
	@echo "make test          setup, build, stack up, all tests, stack down (non-zero on failure)"
	@echo "make setup         install Debian packages and Maven artifacts (idempotent)"
	@echo "make build         configure and build into $(BUILD_DIR)/ (binaries in $(BUILD_DIR)/bin)"
	@echo "make unit          unit tests only (no server needed)"
	@echo "make integration   integration tests against the running stack"
	@echo "make bench         every benchmark: figures against targets, JSON and plots (not a test)"
	@echo "make bench-publish copy the last bench run's plots, summary.json and results.md to docs/bench/"
	@echo "make package       build, then the Debian package $(BUILD_DIR)/package/driftline_<version>_<arch>.deb"
	@echo "make faults        fault campaign: kill -9, broker and SQS outages, rebalance (full form)"
	@echo "make sanitize      ASan+UBSan build in build-asan/, unit and integration tests"
	@echo "make tsan          ThreadSanitizer build in build-tsan/, unit, integration and e2e tests"
	@echo "make fuzz          libFuzzer targets, FUZZ_SECONDS each (default 600)"
	@echo "make stack-up | stack-down | stack-status   the local Kafka + ElasticMQ stack"
	@echo "make format | format-check                 clang-format the sources"
	@echo "make readme-settings  rewrite the README's settings tables from the built binaries"
	@echo "make clean         remove $(BUILD_DIR)/"

setup:
	@scripts/setup.sh

readme-settings: build
	scripts/readme-settings.py --write --bin-dir $(BUILD_DIR)/bin README.md

# Configures every time (a second or two when nothing changed), so the build type and -Werror
# asked for now are the ones used, even in a folder another target configured before.
configure:
	cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) -DDRIFTLINE_WERROR=$(WERROR) >/dev/null

build: configure
	cmake --build $(BUILD_DIR) -j $(JOBS)

test: setup
	@scripts/run-tests.sh

unit: build
	ctest --test-dir $(BUILD_DIR) -L unit --output-on-failure $(CTEST_ARGS)

integration: build
	ctest --test-dir $(BUILD_DIR) -L integration --output-on-failure $(CTEST_ARGS)

# The stack, order-service (fault injection on), contract-test on the project's own contract;
# prints the run and writes JUnit/CTRF/HTML reports to $(BUILD_DIR)/reports/contract/. Builds only
# the two binaries it runs, while the stack starts (scripts/demo.sh).
demo: setup
	@BUILD_DIR=$(BUILD_DIR) BUILD_TYPE=$(BUILD_TYPE) WERROR=$(WERROR) JOBS=$(JOBS) scripts/demo.sh

# One order through Kafka and SQS with the project's clients, step by step (no service).
demo-clients: setup build stack-up
	$(BUILD_DIR)/bin/driftline-demo

# Every benchmark (bench/README.md): a table of figures against targets, JSON and PNG plots in
# $(BUILD_DIR)/bench/. BENCH_REPEAT, BENCH_LATENCY_SECONDS, BENCH_ONLY narrow it down.
bench: setup build stack-up
	BUILD_DIR=$(BUILD_DIR) bench/run.sh

# The last `make bench` run's plots, summary.json and results table (results.md) into docs/bench/,
# the copies the README shows; the summary is rebuilt from that run's JSON files first.
bench-publish:
	python3 bench/report.py $(BUILD_DIR)/bench --publish docs/bench

# The Debian package (cmake/Packaging.cmake, docs/install/deb.md): builds, then cpack in
# $(BUILD_DIR) strips the binaries, writes the man pages and the env file, and packs.
package: setup
	@$(MAKE) --no-print-directory build
	cd $(BUILD_DIR) && cpack --config CPackConfig.cmake
	@echo "make package: $$(ls -t $(abspath $(BUILD_DIR))/package/driftline_*.deb | head -n 1)"

# The fault campaign (faults/README.md), full form. It stops and restarts the broker of the stack
# it runs against, so it never runs alongside other tests; `make test` runs its short form last.
faults: setup build stack-up
	@mkdir -p $(BUILD_DIR)/faults
	$(BUILD_DIR)/bin/fault_campaign --json $(BUILD_DIR)/faults/campaign-full.json

sanitize: setup stack-up
	JOBS=$(JOBS) CTEST_ARGS="$(CTEST_ARGS)" scripts/sanitize.sh

tsan: setup stack-up
	SANITIZER=thread JOBS=$(JOBS) CTEST_ARGS="$(CTEST_ARGS)" scripts/sanitize.sh

FUZZ_SECONDS ?= 600
FUZZ_TARGETS = order_fuzz sqs_response_fuzz matcher_fuzz contract_fuzz

fuzz: setup
	cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER=clang++-14 \
	  -DDRIFTLINE_FUZZ=ON -DDRIFTLINE_BUILD_TESTS=OFF -DDRIFTLINE_BUILD_BENCH=OFF \
	  -DCMAKE_CXX_FLAGS="-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined"
	cmake --build build-fuzz -j $(JOBS) --target $(FUZZ_TARGETS)
	@mkdir -p build-fuzz/crashes
	@for t in $(FUZZ_TARGETS); do \
	  mkdir -p build-fuzz/corpus/$$t; \
	  echo "== $$t ($(FUZZ_SECONDS) s)"; \
	  maxlen=65536; [ $$t = matcher_fuzz ] && maxlen=512; \
	  build-fuzz/bin/$$t -max_total_time=$(FUZZ_SECONDS) -max_len=$$maxlen -print_final_stats=1 \
	    -artifact_prefix=build-fuzz/crashes/$$t- build-fuzz/corpus/$$t fuzz/corpus/$$t \
	    > build-fuzz/$$t.log 2>&1; rc=$$?; \
	  grep -E "^#[0-9]+[[:space:]]+DONE|stat::number_of_executed_units|ERROR|SUMMARY" build-fuzz/$$t.log; \
	  if [ $$rc -ne 0 ]; then echo "$$t: crash, input in build-fuzz/crashes/"; exit 1; fi; \
	done

stack-up:
	@stack/stack.sh up

stack-down:
	@stack/stack.sh down

stack-status:
	@stack/stack.sh status

SOURCES = $(shell git ls-files '*.cc' '*.h' 2>/dev/null)

format:
	clang-format -i $(SOURCES)

format-check:
	@clang-format --dry-run --Werror $(SOURCES) && echo "format-check: $(words $(SOURCES)) files clean"

clean:
	rm -rf $(BUILD_DIR)
