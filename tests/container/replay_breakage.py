#!/usr/bin/env python3
"""scripts/replay-dockerfile.py must fail on a broken Dockerfile: breaks a copy of the
Dockerfile one way at a time and checks that the replay exits 1 naming the cause.

Usage: replay_breakage.py --repo DIR [--quick]
--quick runs only the breakages found without compiling (the replay's --check-only).
A breakage whose text no longer matches the Dockerfile fails too: update it with the recipe.
"""
import argparse
import os
import subprocess
import sys
import tempfile
import time

# (what, text in the Dockerfile, replacement, needs the build, what the replay must print after
# FAIL: a string, or a tuple of which one will do)
BREAKAGES = [
    ("a misspelt build package", "librdkafka-dev ", "librdkafka-devel ", False,
     "`librdkafka-devel` is unknown to apt-cache"),
    ("a misspelt runtime package", "libspdlog1.10 ", "libspdlog1.1 ", False,
     "`libspdlog1.1` is unknown to apt-cache"),
    ("a build step the replay does not know",
     "RUN cmake --build /build", "RUN make -C /build", False, "does not know `make`"),
    ("the HEALTHCHECK's program not installed",
     "ca-certificates curl \\", "ca-certificates \\", False, "HEALTHCHECK's `curl`"),
    ("the image running as root", "USER driftline\n", "", False, "runs as root"),
    # Benchmarks left on: the context has no bench/ (configure fails), or, with a context that has
    # it, the unused variable is reported.
    ("a misspelt cmake option", "-DDRIFTLINE_BUILD_BENCH=OFF", "-DDRIFTLINE_BUILD_BENCHES=OFF",
     True, ("does not use DRIFTLINE_BUILD_BENCHES", "given source \"bench\" which is not")),
    ("a runtime library missing", " libyaml-cpp0.7 ", " ", True,
     "libyaml-cpp.so.0.7 directly, from `libyaml-cpp0.7`"),
    ("a COPY --from path the build stage does not stage",
     "/stage/usr/local/bin/dlq-redrive /usr/local/bin/", "/stage/usr/bin/dlq-redrive /usr/local/bin/",
     True, "/stage/usr/bin/dlq-redrive"),
]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repo", required=True)
    ap.add_argument("--quick", action="store_true")
    args = ap.parse_args()
    repo = os.path.abspath(args.repo)
    script = os.path.join(repo, "scripts/replay-dockerfile.py")
    with open(os.path.join(repo, "Dockerfile"), encoding="utf-8") as f:
        original = f.read()
    failed = 0
    with tempfile.TemporaryDirectory(prefix="replay-breakage-") as tmp:
        for what, old, new, needs_build, expect in BREAKAGES:
            if needs_build and args.quick:
                continue
            if original.count(old) != 1:
                print(f"breakage: `{what}` no longer applies: `{old.strip()}` is not in the "
                      "Dockerfile exactly once")
                failed += 1
                continue
            path = os.path.join(tmp, "Dockerfile")
            with open(path, "w", encoding="utf-8") as f:
                f.write(original.replace(old, new))
            argv = [sys.executable, script, "--repo", repo, "--dockerfile", path]
            if not needs_build:
                argv.append("--check-only")
            started = time.monotonic()
            r = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
            took = time.monotonic() - started
            fails = [line for line in r.stdout.splitlines() if "FAIL:" in line]
            failure_text = r.stdout[r.stdout.find("FAIL:"):] if fails else ""
            expects = expect if isinstance(expect, tuple) else (expect,)
            if r.returncode == 1 and any(e in failure_text for e in expects):
                print(f"breakage: caught {what} ({took:.0f} s): {fails[0][len('replay: FAIL: '):]}")
            else:
                print(f"breakage: NOT caught: {what}: exit {r.returncode}, expected a failure "
                      f"naming `{expect}`; output:\n{r.stdout[-3000:]}")
                failed += 1
    print(f"breakage: {'all caught' if not failed else f'{failed} not caught'}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
