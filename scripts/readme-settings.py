#!/usr/bin/env python3
"""The README's settings tables are the binaries' own `--settings-markdown` output.

    scripts/readme-settings.py --check [--bin-dir build/bin] [README.md]
    scripts/readme-settings.py --write [--bin-dir build/bin] [README.md]

Each table sits between `<!-- settings: PROGRAM -->` and `<!-- /settings -->`. --check exits 1
naming every table that differs from what PROGRAM prints (`make readme-settings` rewrites
them); --write replaces them.
"""
import argparse
import pathlib
import re
import subprocess
import sys

PROGRAMS = ["order-service", "dlq-redrive", "contract-test"]
BLOCK = re.compile(r"(<!-- settings: (?P<program>[\w-]+) -->\n)(?P<table>.*?)(<!-- /settings -->)",
                   re.S)


def main() -> int:
    parser = argparse.ArgumentParser()
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--check", action="store_true")
    mode.add_argument("--write", action="store_true")
    parser.add_argument("--bin-dir", default="build/bin")
    parser.add_argument("readme", nargs="?", default="README.md")
    args = parser.parse_args()

    readme = pathlib.Path(args.readme)
    text = readme.read_text(encoding="utf-8")
    tables = {}
    for program in PROGRAMS:
        binary = pathlib.Path(args.bin_dir) / program
        tables[program] = subprocess.run([str(binary), "--settings-markdown"], check=True,
                                         capture_output=True, text=True).stdout
        if not tables[program].endswith("\n"):
            tables[program] += "\n"

    found = {m.group("program") for m in BLOCK.finditer(text)}
    problems = [f"{readme}: no settings table for {p} (<!-- settings: {p} --> ... "
                f"<!-- /settings -->)" for p in PROGRAMS if p not in found]
    problems += [f"{readme}: a settings table for {p}, which is not one of {PROGRAMS}"
                 for p in sorted(found - set(PROGRAMS))]

    def replace(match: re.Match) -> str:
        program = match.group("program")
        wanted = tables.get(program, match.group("table"))
        if match.group("table") != wanted:
            problems.append(f"{readme}: the {program} settings table differs from "
                            f"`{program} --settings-markdown`")
        return match.group(1) + wanted + match.group(4)

    updated = BLOCK.sub(replace, text)
    if args.write:
        readme.write_text(updated, encoding="utf-8")
        return 0 if all("no settings table" not in p for p in problems) else 1
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        print("run `make readme-settings` to rewrite the tables from the binaries", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
