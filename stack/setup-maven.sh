#!/usr/bin/env bash
# Lay out the runtime classpaths of the local stack (Apache Kafka, ElasticMQ) from Maven Central:
#   $STACK_DIR/lib/kafka/*.jar      from stack/kafka/pom.xml
#   $STACK_DIR/lib/elasticmq/*.jar  from stack/elasticmq/pom.xml
# Jars are cached in ~/.m2 by Maven. Idempotent: a stamp file per classpath holds the hash of its pom,
# and a classpath whose stamp matches is skipped without starting Maven.
# Usage: stack/setup-maven.sh [--force]
set -euo pipefail

REPO_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
STACK_DIR="${STACK_DIR:-$REPO_DIR/.stack}"
FORCE=0
[[ "${1:-}" == "--force" ]] && FORCE=1

command -v mvn >/dev/null || { echo "setup-maven: mvn not found (apt-get install maven)" >&2; exit 1; }

mkdir -p "$STACK_DIR/lib"

setup_one() {
  local name="$1"
  local pom="$REPO_DIR/stack/$name/pom.xml"
  local dest="$STACK_DIR/lib/$name"
  local stamp="$STACK_DIR/lib/.$name.stamp"
  local hash
  hash="$(sha256sum "$pom" | cut -d' ' -f1)"

  if [[ $FORCE -eq 0 && -f "$stamp" && "$(cat "$stamp")" == "$hash" ]] \
     && compgen -G "$dest/*.jar" >/dev/null; then
    echo "setup-maven: $name classpath up to date ($(find "$dest" -name '*.jar' | wc -l) jars)"
    return 0
  fi

  echo "setup-maven: resolving $name classpath from $pom ..."
  local start=$SECONDS tmp="$dest.tmp.$$" mvnlog="$STACK_DIR/lib/.$name.mvn.log"
  rm -rf "$tmp"
  if ! mvn -q -B -Dstyle.color=never -f "$pom" dependency:copy-dependencies \
        -DincludeScope=runtime -DoutputDirectory="$tmp" >"$mvnlog" 2>&1; then
    cat "$mvnlog" >&2
    rm -rf "$tmp"
    echo "setup-maven: mvn failed for $name (log: $mvnlog)" >&2
    return 1
  fi
  rm -rf "$dest"
  mv "$tmp" "$dest"
  echo "$hash" >"$stamp"
  echo "setup-maven: $name: $(find "$dest" -name '*.jar' | wc -l) jars in $dest ($((SECONDS - start)) s)"
}

setup_one kafka
setup_one elasticmq
