#!/usr/bin/env python3
"""Checks that every `#include "..."` under src/ follows the one-way flow between folders.

Usage: check-includes.py SRC_DIR

Each folder ("room") of src/ may include its own headers and those of the rooms listed for it
below, nothing else. A file in a folder that is not in the table, an include of a project header
from a room not in the table, or an include that breaks the table is reported as file:line, and
the exit status is 1. The table itself must have no cycle. Python 3, standard library only.
"""

import os
import re
import sys

# room -> rooms it may include (besides itself). A room is a folder under src/; a file belongs
# to the longest room that is a prefix of its path.
ALLOWED = {
    "common": [],
    "kafka": ["common"],
    "sqs/protocol": ["common"],
    "sqs": ["sqs/protocol", "common"],
    "order": ["common"],
    "ops": ["common"],
    "bridge": ["common", "kafka", "sqs", "sqs/protocol", "order", "ops"],
    "bridge/contract_input": ["bridge", "contract/check", "contract/spec", "common", "kafka",
                              "order"],
    "redrive": ["common", "kafka", "order"],
    "contract/spec": ["common"],
    "contract/check": ["contract/spec", "common"],
    "contract/transport": ["contract/spec", "common", "kafka", "sqs"],
    "contract/run": ["contract/spec", "contract/check", "contract/transport", "common", "kafka",
                     "sqs"],
    "contract/report": ["contract/run", "contract/spec", "common"],
    "contract/connect": ["contract/run", "contract/transport", "contract/spec", "common", "kafka",
                         "sqs"],
    "contract/mock": ["contract/run", "contract/check", "contract/spec", "common"],
    "contract/mock/serve": ["contract/mock", "contract/run", "contract/transport", "contract/spec",
                            "common"],
    "contract/compat": ["contract/spec", "common"],
    "contract/negative": ["contract/run", "contract/mock", "contract/check", "contract/spec", "common"],
    "studio": ["contract/connect", "contract/report", "contract/run", "contract/check",
               "contract/transport", "contract/spec", "common", "kafka", "sqs"],
}

INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"')
SOURCE_SUFFIXES = (".h", ".hh", ".hpp", ".cc", ".cpp", ".cxx", ".inc")


def room_of(path):
    """The room of a path relative to src/ ("contract/run/engine.h" -> "contract/run")."""
    best = None
    for room in ALLOWED:
        if path == room or path.startswith(room + "/"):
            if best is None or len(room) > len(best):
                best = room
    return best


def find_cycle():
    """A cycle in ALLOWED as a list of rooms ("a -> b -> a"), or None."""
    done = set()

    def visit(trail):
        for dep in ALLOWED.get(trail[-1], []):
            if dep in trail:
                return trail[trail.index(dep):] + [dep]
            if dep not in done:
                cycle = visit(trail + [dep])
                if cycle:
                    return cycle
        done.add(trail[-1])
        return None

    for room in ALLOWED:
        cycle = None if room in done else visit([room])
        if cycle:
            return cycle
    return None


def check(src):
    problems = []
    unknown_deps = [(r, d) for r, deps in ALLOWED.items() for d in deps if d not in ALLOWED]
    for room, dep in unknown_deps:
        problems.append(f"check-includes.py: room '{room}' lists unknown room '{dep}'")
    cycle = find_cycle()
    if cycle:
        problems.append("check-includes.py: the table has a cycle: " + " -> ".join(cycle))
    files = 0
    for root, dirs, names in os.walk(src):
        dirs.sort()
        for name in sorted(names):
            if not name.endswith(SOURCE_SUFFIXES):
                continue
            full = os.path.join(root, name)
            rel = os.path.relpath(full, src).replace(os.sep, "/")
            shown = os.path.relpath(full).replace(os.sep, "/")
            files += 1
            room = room_of(rel)
            if room is None:
                problems.append(f"{shown}:1: '{os.path.dirname(rel)}' is in no room of the "
                                "table in scripts/check-includes.py")
                continue
            with open(full, encoding="utf-8", errors="replace") as f:
                for number, line in enumerate(f, 1):
                    m = INCLUDE.match(line)
                    if not m:
                        continue
                    target = m.group(1)
                    if not os.path.exists(os.path.join(src, target)):
                        # Not a project header by its src/-relative path: a header beside the
                        # file ("foo_impl.h") is its own room; anything else is an error.
                        if os.path.exists(os.path.join(root, target)):
                            continue
                        problems.append(f"{shown}:{number}: includes \"{target}\", which is "
                                        "not a path under src/")
                        continue
                    to = room_of(target)
                    if to is None:
                        problems.append(f"{shown}:{number}: includes \"{target}\" from a folder "
                                        "in no room of the table")
                    elif to != room and to not in ALLOWED[room]:
                        allowed = ", ".join(ALLOWED[room]) or "nothing"
                        problems.append(f"{shown}:{number}: {room} includes \"{target}\" "
                                        f"({to}); {room} may include only {allowed}")
    return files, problems


def main(argv):
    if len(argv) != 2 or not os.path.isdir(argv[1]):
        print("usage: check-includes.py SRC_DIR", file=sys.stderr)
        return 2
    files, problems = check(argv[1])
    for p in problems:
        print(p)
    if problems:
        print(f"check-includes: {len(problems)} include(s) break the flow", file=sys.stderr)
        return 1
    print(f"check-includes: {files} files, every include follows the flow")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
