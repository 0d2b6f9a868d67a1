#!/usr/bin/env python3
"""Checks docker-compose.yaml without a Docker engine.

1. The file, after Compose's variable interpolation, validates against the Compose
   Specification's JSON schema (third_party/compose-spec/compose-spec.json, draft 7).
2. What the schema cannot see:
   - every depends_on names a service, every service's configs and named volumes are declared;
   - every published port is bound to 127.0.0.1;
   - every bind mount's source exists, and every file path in a command or entrypoint that lies
     under a bind mount's target exists on this side (contract-test's --config, Studio's --root);
   - every Kafka and SQS host in a mounted specmatic.yaml is a service of this file;
   - a build context holds a Dockerfile with the stage named as `target`;
   - Kafka's and ElasticMQ's image tags are the versions stack/*/pom.xml pins;
   - every service and profile that the README and docs/install/container.md name in a
     `docker compose` command exists.

Usage: [LAB_DIR=...] check_compose.py --repo DIR [--compose FILE] [--schema FILE] [--self-test]
--self-test also breaks a copy of the file in several ways and fails unless each is caught.
Every finding is printed as `FILE: where: what`; exit 0 clean, 1 findings, 2 cannot run.
Needs Debian's python3-jsonschema and python3-yaml.
"""
import argparse
import copy
import json
import os
import re
import shlex
import sys

try:
    import jsonschema
    import yaml
except ImportError as e:  # pragma: no cover - reported, not tested
    print(f"check_compose: {e}: install python3-jsonschema and python3-yaml (scripts/setup.sh)",
          file=sys.stderr)
    sys.exit(2)

_VAR = re.compile(r"\$(?:\$|\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?+])([^}]*))?\}|([A-Za-z_][A-Za-z0-9_]*))")


def interpolate(value, env):
    """Compose's interpolation of one string: $$, $VAR, ${VAR}, ${VAR:-d}, ${VAR-d}, ${VAR:?e}."""

    def repl(m):
        if m.group(0) == "$$":
            return "$"
        name = m.group(1) or m.group(4)
        op, arg = m.group(2), m.group(3)
        val = env.get(name)
        if op in (":-", "-"):
            if val is None or (op == ":-" and val == ""):
                return arg
            return val
        if op in (":?", "?"):
            if val is None or (op == ":?" and val == ""):
                raise ValueError(f"${{{name}}} is required: {arg}")
            return val
        if op in (":+", "+"):
            return arg if val else ""
        return val or ""

    return _VAR.sub(repl, value)


def interpolate_tree(node, env):
    if isinstance(node, dict):
        return {k: interpolate_tree(v, env) for k, v in node.items()}
    if isinstance(node, list):
        return [interpolate_tree(v, env) for v in node]
    if isinstance(node, str):
        return interpolate(node, env)
    return node


def json_pointer(path):
    return "/" + "/".join(str(p) for p in path) if path else "(top)"


def schema_findings(doc, schema):
    validator = jsonschema.Draft7Validator(schema)
    out = []
    for err in sorted(validator.iter_errors(doc), key=lambda e: list(e.absolute_path)):
        out.append(f"{json_pointer(list(err.absolute_path))}: {err.message}")
    return out


def depends_on_names(spec):
    dep = spec.get("depends_on") or []
    return list(dep) if isinstance(dep, (list, dict)) else []


def published_ports(spec):
    """(where, host_ip) of every port mapping that publishes a port on the host."""
    out = []
    for i, p in enumerate(spec.get("ports") or []):
        where = f"ports/{i}"
        if isinstance(p, dict):
            if p.get("published") is None:
                continue
            out.append((where, p.get("host_ip", "")))
            continue
        text = str(p)
        # [HOST_IP:][HOST_PORT:]CONTAINER_PORT[/PROTO]; an IPv6 host ip is in brackets.
        m = re.match(r"^(?:\[([^\]]+)\]:|(\d+\.\d+\.\d+\.\d+):)?(?:([\d-]*):)?([\d-]+)(/\w+)?$", text)
        if not m:
            out.append((where, f"<unparsed {text!r}>"))
            continue
        host_ip = m.group(1) or m.group(2) or ""
        # A bare container port is still published, on a random host port of every interface.
        out.append((where, host_ip))
    return out


def bind_mounts(spec, base):
    """(target, host source) of every bind mount, sources resolved against the compose folder."""
    out = []
    for v in spec.get("volumes") or []:
        if isinstance(v, dict):
            if v.get("type") != "bind":
                continue
            src, tgt = v.get("source", ""), v.get("target", "")
        else:
            parts = str(v).split(":")
            if len(parts) < 2 or not (parts[0].startswith((".", "/", "~"))):
                continue  # a named volume
            src, tgt = parts[0], parts[1]
        src = os.path.expanduser(src)
        out.append((tgt, os.path.normpath(os.path.join(base, src))))
    return out


def named_volumes(spec):
    out = []
    for v in spec.get("volumes") or []:
        if isinstance(v, dict):
            if v.get("type") == "volume" and v.get("source"):
                out.append(v["source"])
        else:
            src = str(v).split(":")[0]
            if ":" in str(v) and not src.startswith((".", "/", "~")):
                out.append(src)
    return out


def as_argv(value):
    if value is None:
        return []
    if isinstance(value, str):
        return shlex.split(value)
    return [str(a) for a in value]


def map_to_host(path, mounts):
    """The host path behind a container path under a bind mount, or None."""
    for tgt, src in sorted(mounts, key=lambda m: -len(m[0])):
        t = tgt.rstrip("/")
        if path == t or path.startswith(t + "/"):
            return os.path.join(src, os.path.relpath(path, t)) if path != t else src
    return None


def specmatic_hosts(path):
    """(protocol, host name) of every server in a specmatic.yaml's asyncapi run options."""
    try:
        with open(path, encoding="utf-8") as f:
            doc = yaml.safe_load(f)
    except (OSError, yaml.YAMLError):
        return []
    out = []

    def walk(node):
        if isinstance(node, dict):
            if "host" in node and "protocol" in node:
                host = str(node["host"])
                host = re.sub(r"^[a-z]+://", "", host).split("/")[0].split(":")[0]
                out.append((node["protocol"], host))
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    walk(doc)
    return out


def dockerfile_stages(path):
    stages = []
    try:
        with open(path, encoding="utf-8") as f:
            for line in f:
                m = re.match(r"^\s*FROM\s+\S+(?:\s+AS\s+(\S+))?", line, re.IGNORECASE)
                if m:
                    stages.append((m.group(1) or "").lower())
    except OSError:
        return None
    return stages


def docs_mentions(paths):
    """(file, line number, services named, profiles named) of every `docker compose` command."""
    out = []
    for path in paths:
        try:
            with open(path, encoding="utf-8") as f:
                lines = f.readlines()
        except OSError:
            continue
        for n, line in enumerate(lines, 1):
            for m in re.finditer(r"docker[ -]compose\b([^`|;&#\n]*)", line):
                words = m.group(1).split()
                services, profiles = [], []
                i, sub = 0, None
                while i < len(words):
                    w = words[i]
                    if w == "--profile" and i + 1 < len(words):
                        profiles.append(words[i + 1])
                        i += 2
                        continue
                    if w in ("-f", "--file", "-p", "--project-name", "--exit-code-from",
                             "--scale", "--env-file", "-t", "--timeout"):
                        if w == "--exit-code-from" and i + 1 < len(words):
                            services.append(words[i + 1])
                        i += 2
                        continue
                    if w.startswith("-"):
                        i += 1
                        continue
                    if sub is None:
                        sub = w
                    elif sub in ("up", "run", "logs", "start", "stop", "restart", "build", "pull",
                                 "create", "rm", "exec") and re.match(r"^[a-z][a-z0-9_-]*$", w):
                        services.append(w)
                        if sub in ("run", "exec"):
                            break  # what follows is the command
                    i += 1
                if services or profiles:
                    out.append((path, n, services, profiles))
    return out


# Images whose version the local stack pins too (stack/*/pom.xml): compose and `make stack-up`
# run the same Kafka and ElasticMQ.
STACK_PINS = {
    "apache/kafka": ("stack/kafka/pom.xml", "kafka.version"),
    "softwaremill/elasticmq-native": ("stack/elasticmq/pom.xml", "elasticmq.version"),
}


def stack_pin(repo, image):
    pin = STACK_PINS.get(image)
    if pin is None:
        return None
    try:
        with open(os.path.join(repo, pin[0]), encoding="utf-8") as f:
            m = re.search(rf"<{re.escape(pin[1])}>([^<]+)</", f.read())
    except OSError:
        return None
    return (pin[0], m.group(1).strip()) if m else None


def semantic_findings(doc, base, repo, docs):
    out = []
    services = doc.get("services") or {}
    configs = set((doc.get("configs") or {}).keys())
    volumes = set((doc.get("volumes") or {}).keys())
    names = set(services)
    aliases = set(names)
    for spec in services.values():
        nets = (spec or {}).get("networks")
        if isinstance(nets, dict):
            for net in nets.values():
                aliases.update((net or {}).get("aliases") or [])
    profiles = set()
    for name, spec in services.items():
        spec = spec or {}
        profiles.update(spec.get("profiles") or [])
        where = f"services/{name}"
        image, _, tag = str(spec.get("image", "")).partition(":")
        pinned = stack_pin(repo, image)
        if pinned and tag != pinned[1]:
            out.append(f"{where}/image: {image}:{tag or 'latest'}, but {pinned[0]} runs "
                       f"{pinned[1]}: keep the two the same")
        for dep in depends_on_names(spec):
            if dep not in names:
                out.append(f"{where}/depends_on: `{dep}` is not a service of this file")
        for c in spec.get("configs") or []:
            src = c.get("source") if isinstance(c, dict) else c
            if src not in configs:
                out.append(f"{where}/configs: `{src}` is not declared under configs")
        for v in named_volumes(spec):
            if v not in volumes:
                out.append(f"{where}/volumes: named volume `{v}` is not declared under volumes")
        for port_where, host_ip in published_ports(spec):
            if host_ip != "127.0.0.1":
                out.append(f"{where}/{port_where}: published on `{host_ip or 'every interface'}`;"
                           " bind published ports to 127.0.0.1")
        mounts = bind_mounts(spec, base)
        for tgt, src in mounts:
            if not os.path.exists(src):
                out.append(f"{where}/volumes: bind mount source `{src}` (for {tgt}) does not exist"
                           + (" (the lab's files: set LAB_DIR)" if tgt == "/lab" else ""))
        argv = as_argv(spec.get("entrypoint")) + as_argv(spec.get("command"))
        for arg in argv:
            for token in arg.split("="):
                if not token.startswith("/"):
                    continue
                host = map_to_host(token, mounts)
                if host is None:
                    continue
                if not os.path.exists(host):
                    out.append(f"{where}/command: `{token}` is `{host}` on this side, which does "
                               "not exist")
                elif os.path.basename(host).startswith("specmatic.") and os.path.isfile(host):
                    for proto, h in specmatic_hosts(host):
                        if h not in aliases:
                            out.append(f"{where}/command: {host} names the {proto} host `{h}`, "
                                       "which is no service or alias of this file")
        build = spec.get("build")
        if build is not None:
            ctx = build if isinstance(build, str) else build.get("context", ".")
            ctx = os.path.normpath(os.path.join(base, ctx))
            dockerfile = "Dockerfile" if isinstance(build, str) else build.get("dockerfile",
                                                                               "Dockerfile")
            stages = dockerfile_stages(os.path.join(ctx, dockerfile))
            if stages is None:
                out.append(f"{where}/build: no {dockerfile} in `{ctx}`")
            elif isinstance(build, dict) and build.get("target") and \
                    build["target"].lower() not in stages:
                out.append(f"{where}/build/target: `{build['target']}` is no stage of "
                           f"{dockerfile} (stages: {', '.join(s for s in stages if s)})")
    for path, n, svc, prof in docs_mentions(docs):
        rel = os.path.relpath(path, repo)
        for s in svc:
            if s not in names:
                out.append(f"{rel}:{n}: names the service `{s}`, which docker-compose.yaml "
                           "does not have")
        for p in prof:
            if p not in profiles:
                out.append(f"{rel}:{n}: names the profile `{p}`, which no service has")
    return out


def check(doc_raw, schema, base, repo, docs, env):
    try:
        doc = interpolate_tree(doc_raw, env)
    except ValueError as e:
        return [f"interpolation: {e}"]
    if not isinstance(doc, dict):
        return ["(top): not a mapping"]
    return schema_findings(doc, schema) + semantic_findings(doc, base, repo, docs)


def mutations(doc):
    """(what, broken copy) pairs: each must be caught."""
    out = []

    def mutate(what, fn):
        d = copy.deepcopy(doc)
        fn(d)
        out.append((what, d))

    svc = doc["services"]
    first_dep = next(n for n, s in svc.items() if s.get("depends_on"))
    mutate("depends_on names a missing service",
           lambda d: d["services"][first_dep]["depends_on"].update(
               {"no-such-service": {"condition": "service_started"}})
           if isinstance(d["services"][first_dep]["depends_on"], dict)
           else d["services"][first_dep]["depends_on"].append("no-such-service"))
    mutate("a key the specification does not have",
           lambda d: d["services"]["order-service"].update({"helthcheck": {"test": ["NONE"]}}))
    mutate("a wrong type",
           lambda d: d["services"]["order-service"].update({"ports": "9400:9400"}))
    mutate("a bad depends_on condition",
           lambda d: d["services"]["contract-test"]["depends_on"]["order-service"].update(
               {"condition": "service_ready"}))
    mutate("a port on every interface",
           lambda d: d["services"]["order-service"]["ports"].append("9401:9401"))
    mutate("a port on 0.0.0.0",
           lambda d: d["services"]["studio"].update({"ports": ["0.0.0.0:9000:9000"]}))
    mutate("contract-test's config missing",
           lambda d: d["services"]["contract-test"].update(
               {"command": ["--config", "/lab/no-such-specmatic.yaml"]}))
    mutate("a mount of a missing folder",
           lambda d: d["services"]["contract-test"]["volumes"].__setitem__(
               0, dict(d["services"]["contract-test"]["volumes"][0], source="./no-such-folder")))
    def rename_sqs(d):
        d["services"]["sqs"] = d["services"].pop("localstack")
        for spec in d["services"].values():
            dep = spec.get("depends_on")
            if isinstance(dep, dict) and "localstack" in dep:
                dep["sqs"] = dep.pop("localstack")

    mutate("the SQS service no longer named as the lab's specmatic.yaml says", rename_sqs)
    mutate("a build target that is no stage",
           lambda d: d["services"]["order-service"]["build"].update({"target": "runtme"}))
    mutate("an undeclared config",
           lambda d: d["services"]["localstack"]["configs"][0].update({"source": "elasticmk"}))
    mutate("a service the docs name removed", lambda d: d["services"].pop("studio"))
    mutate("Kafka not the local stack's version",
           lambda d: d["services"]["kafka"].update({"image": "apache/kafka:latest"}))
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repo", required=True)
    ap.add_argument("--compose", help="default: REPO/docker-compose.yaml")
    ap.add_argument("--schema", help="default: REPO/third_party/compose-spec/compose-spec.json")
    ap.add_argument("--self-test", action="store_true")
    args = ap.parse_args()
    repo = os.path.abspath(args.repo)
    compose = os.path.abspath(args.compose or os.path.join(repo, "docker-compose.yaml"))
    schema_path = args.schema or os.path.join(repo, "third_party/compose-spec/compose-spec.json")
    docs = [os.path.join(repo, "README.md"), os.path.join(repo, "docs/install/container.md")]
    try:
        with open(schema_path, encoding="utf-8") as f:
            schema = json.load(f)
        jsonschema.Draft7Validator.check_schema(schema)
        with open(compose, encoding="utf-8") as f:
            doc = yaml.safe_load(f)
    except (OSError, ValueError, yaml.YAMLError, jsonschema.SchemaError) as e:
        print(f"check_compose: {e}", file=sys.stderr)
        return 2
    # Compose reads variables from the environment (and .env); the check uses the defaults the
    # file spells out, except LAB_DIR (where the lab's files are) when it is set.
    env = {k: os.environ[k] for k in ("LAB_DIR",) if k in os.environ}
    base = os.path.dirname(compose)
    rel = os.path.relpath(compose, repo)
    findings = check(doc, schema, base, repo, docs, env)
    for f in findings:
        print(f"{rel}: {f}")
    status = 1 if findings else 0
    if args.self_test:
        if findings:
            print("check_compose: the file itself has findings; the self-test needs a clean one")
            return 1
        interp = interpolate_tree(doc, env)
        for what, broken in mutations(interp):
            caught = check(broken, schema, base, repo, docs, env)
            if caught:
                print(f"self-test: caught {what}: {caught[0]}")
            else:
                print(f"self-test: NOT caught: {what}")
                status = 1
    if status == 0:
        print(f"check_compose: {rel} is valid against the Compose Specification schema and "
              f"passes the wiring checks ({len(doc.get('services', {}))} services)")
    return status


if __name__ == "__main__":
    sys.exit(main())
