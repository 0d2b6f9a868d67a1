#!/usr/bin/env python3
"""Replays the Dockerfile's build stage on this machine and checks its runtime stage.

No Docker engine runs where driftline is tested, so the image recipe is checked this way:

build stage (the stage the runtime stage copies from)
  - every package of its `apt-get install` is known to apt-cache, installable (apt-get -s,
    offline) and installed here, and scripts/setup.sh installs it too; `apt-get update` is not
    replayed (a test refreshes no package lists and installs nothing);
  - `COPY . /src` is replayed as a copy of the repository filtered by .dockerignore, so a file
    the build needs and the context leaves out fails here too;
  - its cmake configure, build and `install` commands run as written, with the image's paths
    mapped: the source folder to that copy, the build folder to `build/` inside it (the layout of
    a checkout, so the compiler cache's relative paths match and a build of the same sources is
    mostly cache hits), every other top-level folder (/stage) to the work folder. A -D variable
    the project does not use (a misspelt option) fails the configure step.
runtime stage
  - its `apt-get install` packages are known and installable;
  - every COPY --from path exists in the replayed stage;
  - every shared library a copied binary loads (ldd) comes from a package of the runtime list or
    of its dependencies, or from the base image's required packages; the libraries it links
    directly (DT_NEEDED) from the runtime list itself or the required packages;
  - the HEALTHCHECK's program is installed by the runtime list; the ENTRYPOINT is a copied
    binary; the stage ends as a user other than root, created by a RUN useradd;
  - every copied binary answers --version.
Steps it does not know (a new kind of RUN command) fail it: teach it, do not skip them.

Usage: scripts/replay-dockerfile.py [--repo DIR] [--dockerfile FILE] [--work DIR] [--keep]
                                    [--jobs N] [--check-only]
--check-only parses and checks the packages and the context, and compiles nothing.
Exit 0 when everything holds, 1 on a finding, 2 when it cannot run.
"""
import argparse
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import time

FHS_ROOTS = {"bin", "boot", "dev", "etc", "home", "lib", "lib32", "lib64", "libx32", "media",
             "mnt", "opt", "proc", "root", "run", "sbin", "srv", "sys", "tmp", "usr", "var"}
KNOWN = {"FROM", "ARG", "ENV", "RUN", "COPY", "WORKDIR", "USER", "HEALTHCHECK", "ENTRYPOINT",
         "CMD", "EXPOSE", "STOPSIGNAL", "LABEL", "VOLUME"}


class Finding(Exception):
    pass


def log(msg):
    print(f"replay: {msg}", flush=True)


# --------------------------------------------------------------------------- Dockerfile parsing

class Stage:
    def __init__(self, image, name, index):
        self.image, self.name, self.index = image, name, index
        self.steps = []  # (line number, instruction, text)


def parse_dockerfile(path):
    """Stages with their instructions; continuation lines joined, comment lines dropped."""
    with open(path, encoding="utf-8") as f:
        raw = f.read().splitlines()
    stages, global_args = [], []
    logical, start = "", None
    for n, line in enumerate(raw, 1):
        stripped = line.strip()
        if stripped.startswith("#") or (not stripped and not logical):
            continue
        if start is None:
            start = n
        if line.rstrip().endswith("\\"):
            logical += line.rstrip()[:-1] + " "
            continue
        logical += line
        text, lineno, logical, start = logical.strip(), start, "", None
        if not text:
            continue
        word, _, rest = text.partition(" ")
        inst = word.upper()
        if inst not in KNOWN:
            raise Finding(f"Dockerfile:{lineno}: the replay does not know the instruction {word}")
        rest = rest.strip()
        if inst == "FROM":
            m = re.match(r"^(?:--platform=\S+\s+)?(\S+)(?:\s+AS\s+(\S+))?$", rest, re.IGNORECASE)
            if not m:
                raise Finding(f"Dockerfile:{lineno}: cannot read FROM {rest}")
            stages.append(Stage(m.group(1), (m.group(2) or "").lower(), len(stages)))
            continue
        if not stages:
            if inst != "ARG":
                raise Finding(f"Dockerfile:{lineno}: {inst} before the first FROM")
            global_args.append(rest)
            continue
        stages[-1].steps.append((lineno, inst, rest))
    if not stages:
        raise Finding("Dockerfile: no FROM")
    return stages, global_args


def assign(variables, inst, rest):
    """Records an ARG default or the values of an ENV line into variables."""
    if inst == "ARG":
        name, eq, default = rest.partition("=")
        words = shlex.split(default) if eq else []
        variables[name.strip()] = words[0] if words else ""
        return
    parts = shlex.split(rest)
    if parts and "=" not in parts[0]:
        variables[parts[0]] = " ".join(parts[1:])
    else:
        for p in parts:
            k, _, v = p.partition("=")
            variables[k] = v


def split_commands(run_text):
    """A shell-form RUN split into the argv of each command of its `&&` chain."""
    if run_text.startswith("["):
        return [json.loads(run_text)]
    lex = shlex.shlex(run_text, posix=True, punctuation_chars=";&|")
    lex.whitespace_split = True
    commands, cur = [], []
    for tok in lex:
        if tok == "&&":
            commands.append(cur)
            cur = []
        elif set(tok) <= set(";&|"):
            raise Finding(f"RUN {run_text[:60]}...: only `&&` chains are replayed, not `{tok}`")
        else:
            cur.append(tok)
    if cur:
        commands.append(cur)
    return commands


def apt_install_packages(argv):
    if argv[:2] != ["apt-get", "install"]:
        return None
    return [a for a in argv[2:] if not a.startswith("-")]


def parse_copy(rest):
    parts = shlex.split(rest)
    opts = {}
    while parts and parts[0].startswith("--"):
        k, _, v = parts.pop(0)[2:].partition("=")
        opts[k] = v
    if len(parts) < 2:
        raise Finding(f"COPY {rest}: needs a source and a destination")
    return opts, parts[:-1], parts[-1]


# --------------------------------------------------------------------------- packages

def run(argv, **kw):
    return subprocess.run(argv, capture_output=True, text=True, **kw)


def apt_policy(names):
    """{package: (installed version or None, candidate version or None)} for the names apt knows."""
    r = run(["apt-cache", "policy", *names])
    out, name = {}, None
    for line in r.stdout.splitlines():
        m = re.match(r"^(\S+):$", line)
        if m:
            name = m.group(1).split(":")[0]
            out[name] = [None, None]
            continue
        m = re.match(r"^\s+(Installed|Candidate): (.+)$", line)
        if m and name:
            value = None if m.group(2) == "(none)" else m.group(2)
            out[name][0 if m.group(1) == "Installed" else 1] = value
    return out


def check_packages(names, where, need_installed, findings):
    policy = apt_policy(names)
    for p in names:
        installed, candidate = policy.get(p, (None, None))
        if candidate is None:
            findings.append(f"{where}: package `{p}` is unknown to apt-cache (misspelt, or not in "
                            "Debian 12)")
        elif need_installed and installed is None:
            findings.append(f"{where}: package `{p}` is not installed here; the replay installs "
                            "nothing: run scripts/setup.sh")
    sim = run(["apt-get", "install", "-s", "--no-install-recommends", *names])
    if sim.returncode != 0:
        findings.append(f"{where}: `apt-get install -s` of the list fails: "
                        f"{(sim.stderr or sim.stdout).strip().splitlines()[-1:]}")


def setup_sh_packages(repo):
    path = os.path.join(repo, "scripts/setup.sh")
    try:
        text = open(path, encoding="utf-8").read()
    except OSError:
        return None
    m = re.search(r"^packages=\((.*?)^\)", text, re.S | re.M)
    if not m:
        return None
    names = []
    for line in m.group(1).splitlines():
        names += line.split("#")[0].split()
    return set(names)


_owners = {}


def package_of(path):
    """The Debian package owning a file, trying the path as given, resolved and usr-merged."""
    if path not in _owners:
        _owners[path] = _package_of(path)
    return _owners[path]


def _package_of(path):
    candidates = [path, os.path.realpath(path)]
    for c in list(candidates):
        if c.startswith("/usr/"):
            candidates.append(c[4:])
        else:
            candidates.append("/usr" + c)
    for c in candidates:
        r = run(["dpkg", "-S", c])
        if r.returncode == 0 and r.stdout:
            return r.stdout.split(":")[0].split(",")[0].strip()
    return None


def dependency_closure(names):
    r = run(["apt-cache", "depends", "--recurse", "--no-recommends", "--no-suggests",
             "--no-conflicts", "--no-breaks", "--no-replaces", "--no-enhances", *names])
    out = set(names)
    for line in r.stdout.splitlines():
        if line and not line[0].isspace() and not line.startswith("<"):
            out.add(line.strip().split(":")[0])
    return out


def required_packages():
    """What debian:12 itself holds: the Essential and Priority: required packages and their
    dependencies."""
    r = run(["dpkg-query", "-W", "-f=${Package} ${Essential} ${Priority}\n"])
    out = set()
    for line in r.stdout.splitlines():
        parts = line.split()
        if len(parts) >= 3 and (parts[1] == "yes" or parts[2] == "required"):
            out.add(parts[0])
    # libc6, libgcc-s1, ... are not Essential themselves but what the Essential ones depend on.
    return dependency_closure(sorted(out))


# --------------------------------------------------------------------------- build context

def read_dockerignore(repo):
    rules = []
    path = os.path.join(repo, ".dockerignore")
    if not os.path.exists(path):
        return rules
    for line in open(path, encoding="utf-8"):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        neg = line.startswith("!")
        pat = line[1:] if neg else line
        pat = os.path.normpath(pat.strip("/")) if pat.strip("/") else "."
        rules.append((neg, pat))
    return rules


def _match(pat, rel):
    """Docker's pattern syntax (filepath.Match plus `**`), on a path or any of its parents."""
    regex = ""
    i = 0
    while i < len(pat):
        if pat.startswith("**", i):
            regex += ".*"
            i += 2
            if pat.startswith("/", i):
                regex = regex[:-2] + "(?:.*/)?"
                i += 1
        elif pat[i] == "*":
            regex += "[^/]*"
            i += 1
        elif pat[i] == "?":
            regex += "[^/]"
            i += 1
        else:
            regex += re.escape(pat[i])
            i += 1
    rx = re.compile("^" + regex + "$")
    parts = rel.split("/")
    return any(rx.match("/".join(parts[:k])) for k in range(1, len(parts) + 1))


def ignored(rules, rel):
    result = False
    for neg, pat in rules:
        if _match(pat, rel):
            result = not neg
    return result


def copy_context(repo, dest):
    rules = read_dockerignore(repo)
    count = 0
    for root, dirs, files in os.walk(repo):
        rel_root = os.path.relpath(root, repo)
        rel_root = "" if rel_root == "." else rel_root
        keep = []
        for d in dirs:
            rel = os.path.join(rel_root, d) if rel_root else d
            # A negated rule may bring back something below an excluded folder: walk into it.
            if not ignored(rules, rel) or any(neg and pat.startswith(rel + "/")
                                              for neg, pat in rules):
                keep.append(d)
        dirs[:] = sorted(keep)
        for f in files:
            rel = os.path.join(rel_root, f) if rel_root else f
            if ignored(rules, rel):
                continue
            src = os.path.join(root, f)
            dst = os.path.join(dest, rel)
            os.makedirs(os.path.dirname(dst), exist_ok=True)
            if os.path.islink(src):
                os.symlink(os.readlink(src), dst)
            else:
                shutil.copy2(src, dst)
            count += 1
    return count


# --------------------------------------------------------------------------- the replay

class Replay:
    def __init__(self, repo, dockerfile, work, jobs, check_only):
        self.repo, self.dockerfile, self.work = repo, dockerfile, work
        self.jobs, self.check_only = jobs, check_only
        self.findings, self.notes = [], []
        self.paths = {}  # image path -> host path
        self.build_dir = None

    def map_path(self, path):
        for img in sorted(self.paths, key=len, reverse=True):
            if path == img or path.startswith(img + "/"):
                return self.paths[img] + path[len(img):]
        first = path.strip("/").split("/")[0]
        if path.startswith("/") and first and first not in FHS_ROOTS:
            self.paths["/" + first] = os.path.join(self.work, first)
            return self.map_path(path)
        return path

    def map_arg(self, arg):
        if "=" in arg and not arg.startswith("/"):
            k, _, v = arg.partition("=")
            return f"{k}={self.map_arg(v)}" if v.startswith("/") else arg
        return self.map_path(arg) if arg.startswith("/") else arg

    def expand(self, argv, variables):
        def sub(s):
            return re.sub(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)",
                          lambda m: variables.get(m.group(1) or m.group(2), ""), s)
        return [sub(a) for a in argv]

    def exec_step(self, argv, where):
        started = time.monotonic()
        if argv[0] == "cmake" and "--build" in argv and not any(
                a in ("-j", "--parallel") or a.startswith(("-j", "--parallel")) for a in argv):
            argv = argv + ["-j", str(self.jobs)]
        cmd = ["nice", "-n", "19", *argv]
        log(f"{where}: {' '.join(shlex.quote(a) for a in argv)}")
        r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                           cwd=self.cwd)
        elapsed = time.monotonic() - started
        if r.returncode != 0:
            tail = "\n".join(r.stdout.splitlines()[-40:])
            raise Finding(f"{where}: exited {r.returncode} after {elapsed:.0f} s:\n{tail}")
        if argv[0] == "cmake" and "-S" in argv and \
                "Manually-specified variables were not used" in r.stdout:
            unused = r.stdout.split("Manually-specified variables were not used by the project:")
            names = unused[1].split("\n\n")[1].split() if len(unused) > 1 else []
            raise Finding(f"{where}: the project does not use {', '.join(names) or 'a -D'} "
                          "(misspelt option?)")
        log(f"{where}: ok in {elapsed:.1f} s")
        return r.stdout

    def replay_build_stage(self, stage, global_vars):
        variables = dict(global_vars)
        setup = setup_sh_packages(self.repo)
        self.cwd = self.work
        for lineno, inst, rest in stage.steps:
            where = f"Dockerfile:{lineno} ({stage.name or stage.index})"
            if inst == "ARG" and rest.partition("=")[0].strip() == "DRIFTLINE_GIT_COMMIT":
                # What `docker build --build-arg DRIFTLINE_GIT_COMMIT=$(git rev-parse ...)`
                # passes; the filtered copy has no .git of its own.
                r = run(["git", "-C", self.repo, "rev-parse", "--short=12", "HEAD"])
                variables["DRIFTLINE_GIT_COMMIT"] = r.stdout.strip() if r.returncode == 0 else ""
            elif inst in ("ARG", "ENV"):
                assign(variables, inst, rest)
            elif inst == "WORKDIR":
                path = rest.strip()
                if path not in self.paths:
                    self.paths[path] = os.path.join(self.work, path.strip("/").replace("/", "_"))
                os.makedirs(self.map_path(path), exist_ok=True)
                self.cwd = self.map_path(path)
            elif inst == "COPY":
                opts, srcs, dst = parse_copy(rest)
                if opts.get("from"):
                    raise Finding(f"{where}: COPY --from in the build stage is not replayed")
                if srcs != ["."]:
                    raise Finding(f"{where}: only `COPY . DIR` is replayed in the build stage")
                dest = self.map_path(dst)
                started = time.monotonic()
                n = copy_context(self.repo, dest)
                log(f"{where}: COPY . {dst}: {n} files of the context (.dockerignore applied) "
                    f"into {dest} in {time.monotonic() - started:.1f} s")
            elif inst == "RUN":
                for argv in split_commands(rest):
                    self.replay_command(argv, variables, where, setup)
            elif inst in ("LABEL", "EXPOSE", "USER", "CMD", "ENTRYPOINT", "HEALTHCHECK",
                          "STOPSIGNAL", "VOLUME"):
                self.notes.append(f"{where}: {inst} of the build stage has no effect on the image")

    def replay_command(self, argv, variables, where, setup):
        pkgs = apt_install_packages(argv)
        if argv[:2] == ["apt-get", "update"]:
            self.notes.append(f"{where}: apt-get update not replayed (no network change in a test)")
            return
        if pkgs is not None:
            before = len(self.findings)
            check_packages(pkgs, where, True, self.findings)
            if setup is not None:
                for p in pkgs:
                    if p not in setup:
                        self.findings.append(f"{where}: package `{p}` is not in scripts/setup.sh's "
                                             "list, so a test machine may not have it")
            if len(self.findings) == before:
                log(f"{where}: {len(pkgs)} build packages known, installable and installed")
            return
        if argv[:2] == ["rm", "-rf"] and all(a.startswith("/var/lib/apt/lists") for a in argv[2:]):
            return
        if argv[0] not in ("cmake", "install", "strip", "mkdir", "cp", "ln"):
            raise Finding(f"{where}: the replay does not know `{argv[0]}`: teach "
                          "scripts/replay-dockerfile.py how to replay it")
        argv = self.expand(argv, variables)
        if argv[0] == "cmake" and "-S" in argv:
            src = argv[argv.index("-S") + 1]
            build = argv[argv.index("-B") + 1] if "-B" in argv else None
            if build and build not in self.paths:
                # The build folder inside the source copy, as in a checkout (see the docstring).
                self.paths[build] = os.path.join(self.map_path(src), "build")
                self.build_dir = self.paths[build]
        if self.check_only:
            self.notes.append(f"{where}: --check-only: not run: {' '.join(argv)}")
            return
        self.exec_step([self.map_arg(a) for a in argv], where)

    def check_runtime_stage(self, stage, stages_by_name):
        where0 = f"Dockerfile ({stage.name or stage.index})"
        runtime_pkgs, copied, user, users_made = [], [], None, set()
        healthcheck = entrypoint = None
        for lineno, inst, rest in stage.steps:
            where = f"Dockerfile:{lineno} ({stage.name or stage.index})"
            if inst == "RUN":
                for argv in split_commands(rest):
                    pkgs = apt_install_packages(argv)
                    if pkgs is not None:
                        runtime_pkgs += pkgs
                        check_packages(pkgs, where, False, self.findings)
                    elif argv[0] == "useradd":
                        users_made.add(argv[-1])
                    elif argv[:2] == ["apt-get", "update"] or argv[:2] == ["rm", "-rf"]:
                        pass
                    elif argv[0] in ("groupadd", "mkdir", "chown", "chmod"):
                        self.notes.append(f"{where}: `{argv[0]}` not replayed (it would change "
                                          "this machine)")
                    else:
                        raise Finding(f"{where}: the replay does not know `{argv[0]}` in the "
                                      "runtime stage: teach scripts/replay-dockerfile.py")
                    if argv[0] == "useradd":
                        self.notes.append(f"{where}: useradd not replayed (it would change this "
                                          "machine's users)")
            elif inst == "COPY":
                opts, srcs, dst = parse_copy(rest)
                frm = opts.get("from", "")
                if not frm:
                    raise Finding(f"{where}: a COPY from the context into the runtime stage is "
                                  "not checked by the replay")
                if frm.lower() not in stages_by_name:
                    self.findings.append(f"{where}: COPY --from={frm}: no such stage")
                    continue
                for s in srcs:
                    host = self.map_path(s)
                    if not self.check_only and not os.path.exists(host):
                        self.findings.append(f"{where}: COPY --from={frm} {s}: `{host}` does not "
                                             "exist after the replayed build stage")
                    copied.append((s, host, dst))
            elif inst == "USER":
                user = rest.split(":")[0].strip()
            elif inst == "HEALTHCHECK":
                m = re.search(r"\bCMD\s+(.*)$", rest)
                healthcheck = (lineno, m.group(1) if m else None)
            elif inst == "ENTRYPOINT":
                entrypoint = (lineno, json.loads(rest) if rest.startswith("[")
                              else shlex.split(rest))
        if user in (None, "root", "0"):
            self.findings.append(f"{where0}: the image runs as root; end with USER <unprivileged>")
        elif user not in users_made:
            self.findings.append(f"{where0}: USER {user} is not created by a RUN useradd")
        copied_names = {os.path.basename(s): (s, host, dst) for s, host, dst in copied}
        if entrypoint is None:
            self.findings.append(f"{where0}: no ENTRYPOINT")
        elif os.path.basename(entrypoint[1][0]) not in copied_names:
            self.findings.append(f"Dockerfile:{entrypoint[0]}: ENTRYPOINT `{entrypoint[1][0]}` "
                                 "is not a binary copied into the stage")
        closure = dependency_closure(runtime_pkgs)
        base = required_packages()
        if healthcheck is None or not healthcheck[1]:
            self.findings.append(f"{where0}: no HEALTHCHECK CMD")
        else:
            cmd = healthcheck[1]
            argv = json.loads(cmd) if cmd.startswith("[") else shlex.split(cmd)
            if argv and argv[0] == "CMD-SHELL":
                argv = shlex.split(argv[1])
            tool = argv[0]
            path = shutil.which(tool)
            pkg = package_of(path) if path else None
            if pkg is None:
                self.findings.append(f"Dockerfile:{healthcheck[0]}: the HEALTHCHECK's `{tool}` "
                                     "is not a program of any installed package here")
            elif pkg not in runtime_pkgs and pkg not in base:
                self.findings.append(f"Dockerfile:{healthcheck[0]}: the HEALTHCHECK's `{tool}` "
                                     f"comes from `{pkg}`, which the runtime stage does not "
                                     "install")
            else:
                log(f"Dockerfile:{healthcheck[0]}: HEALTHCHECK runs `{tool}` from `{pkg}`, in the "
                    "runtime list")
        if self.check_only:
            return
        for name, (s, host, dst) in sorted(copied_names.items()):
            if not os.path.isfile(host) or not os.access(host, os.X_OK):
                continue
            self.check_libraries(name, host, set(runtime_pkgs), closure, base)
            r = run([host, "--version"])
            first = (r.stdout or r.stderr).strip().splitlines()[:1]
            if r.returncode != 0:
                self.findings.append(f"staged {name} --version exited {r.returncode}: {first}")
            else:
                log(f"staged {name} --version: {first[0] if first else '(no output)'}")

    def check_libraries(self, name, binary, listed, closure, base):
        needed = set()
        r = run(["readelf", "-d", binary])
        for line in r.stdout.splitlines():
            m = re.search(r"\(NEEDED\).*\[(.+)\]", line)
            if m:
                needed.add(m.group(1))
        r = run(["ldd", binary])
        if r.returncode != 0:
            self.findings.append(f"ldd {name}: {r.stderr.strip()}")
            return
        libs = 0
        for line in r.stdout.splitlines():
            m = re.match(r"^\s*(\S+)\s+=>\s+(\S+)", line)
            if not m:
                continue
            soname, path = m.groups()
            if path == "not":
                self.findings.append(f"{name}: {soname} not found by ldd")
                continue
            libs += 1
            pkg = package_of(path)
            if pkg is None:
                self.findings.append(f"{name}: {soname} ({path}) belongs to no package")
            elif soname in needed and pkg not in listed and pkg not in base:
                self.findings.append(f"{name}: links {soname} directly, from `{pkg}`, which the "
                                     "runtime stage's apt-get install does not list")
            elif pkg not in closure and pkg not in base:
                self.findings.append(f"{name}: loads {soname} from `{pkg}`, which neither the "
                                     "runtime list nor its dependencies install")
        log(f"staged {name}: {libs} shared libraries, each from the runtime list, its "
            "dependencies or the base image" if not any(name in f for f in self.findings)
            else f"staged {name}: library findings above")

    def main(self):
        stages, global_args = parse_dockerfile(self.dockerfile)
        by_name = {s.name: s for s in stages if s.name}
        final = stages[-1]
        sources = set()
        for _, inst, rest in final.steps:
            if inst == "COPY":
                opts, _, _ = parse_copy(rest)
                if opts.get("from"):
                    sources.add(opts["from"].lower())
        if len(sources) != 1 or next(iter(sources)) not in by_name:
            raise Finding("Dockerfile: the final stage must copy from exactly one named build "
                          f"stage (it copies from {sorted(sources) or 'none'})")
        build = by_name[next(iter(sources))]
        if build.image != "debian:12" or final.image != "debian:12":
            self.findings.append(f"Dockerfile: stages from {build.image} and {final.image}; this "
                                 "machine is Debian 12, so the replay means something only for "
                                 "debian:12")
        log(f"build stage `{build.name}`, runtime stage `{final.name or final.index}`; work "
            f"folder {self.work}")
        gvars = {}
        for a in global_args:
            assign(gvars, "ARG", a)
        self.replay_build_stage(build, gvars)
        self.check_runtime_stage(final, by_name)
        for n in self.notes:
            log(f"note: {n}")
        return self.findings


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    here = os.path.dirname(os.path.abspath(__file__))
    ap.add_argument("--repo", default=os.path.dirname(here))
    ap.add_argument("--dockerfile", help="default: REPO/Dockerfile")
    ap.add_argument("--work", help="work folder (default: a new temporary one, removed after)")
    ap.add_argument("--keep", action="store_true", help="keep the work folder")
    ap.add_argument("--jobs", type=int, default=int(os.environ.get("REPLAY_JOBS", "1")),
                    help="cmake --build -j when the Dockerfile gives none (REPLAY_JOBS, 1)")
    ap.add_argument("--check-only", action="store_true",
                    help="parse, check packages and the context; compile nothing")
    args = ap.parse_args()
    repo = os.path.abspath(args.repo)
    dockerfile = os.path.abspath(args.dockerfile or os.path.join(repo, "Dockerfile"))
    work = os.path.abspath(args.work) if args.work else tempfile.mkdtemp(prefix="replay-docker-")
    if args.work:
        if os.path.exists(work) and os.listdir(work):
            print(f"replay: {work} is not empty", file=sys.stderr)
            return 2
        os.makedirs(work, exist_ok=True)
    started = time.monotonic()
    status = 0
    try:
        findings = Replay(repo, dockerfile, work, args.jobs, args.check_only).main()
    except Finding as e:
        findings = [str(e)]
    except OSError as e:
        print(f"replay: {e}", file=sys.stderr)
        status = 2
        findings = []
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    for f in findings:
        print(f"replay: FAIL: {f}", flush=True)
    elapsed = time.monotonic() - started
    if status == 0:
        status = 1 if findings else 0
    print(f"replay: {'ok' if status == 0 else 'failed'} in {elapsed:.0f} s"
          f"{' (check only)' if args.check_only else ''}"
          f"{'; work folder kept: ' + work if args.keep else ''}", flush=True)
    return status


if __name__ == "__main__":
    sys.exit(main())
