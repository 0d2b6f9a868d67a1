#!/usr/bin/env bash
# The Debian package, installed and removed the way a user would, in a clean root of its own:
#   1. cpack in the build folder (it builds nothing new: the binaries exist once `make build` ran;
#      it only strips them, writes the man pages and the env file, and packs)
#   2. the package's control fields: version, Depends from dpkg-shlibdeps, the conffile
#   3. dpkg --root=<tmp> -i: every file in its place, with its permissions
#   4. the installed binaries run from <tmp>/usr/bin (with the host's libraries)
#   5. the systemd unit: systemd-analyze verify, and its security exposure
#   6. dpkg -i again keeps an edited conffile; dpkg -r keeps only the conffile; dpkg -P removes it
#   7. lintian: no tag but those packaging/lintian-overrides explains
# Usage: install-test.sh BUILD_DIR VERSION [CPACK]
# Exits 0 when all hold, 1 naming the first that does not, 77 (skipped) when not root: dpkg -i
# must create root-owned files.
set -euo pipefail

build_dir=$(cd "$1" && pwd)
version=$2
cpack=${3:-cpack}
root_only_reason="dpkg --root -i needs root (it creates root-owned files)"

fail() {
  echo "package test: FAIL: $*" >&2
  exit 1
}
step() { printf '\n-- %s\n' "$*"; }

if [[ $(id -u) -ne 0 ]]; then
  echo "package test: skipped: $root_only_reason" >&2
  exit 77
fi
for tool in dpkg dpkg-deb dpkg-query lintian readelf; do
  command -v "$tool" >/dev/null || fail "$tool is not installed (scripts/setup.sh installs it)"
done

work=$(mktemp -d "${TMPDIR:-/tmp}/driftline-package-test.XXXXXX")
trap 'rm -rf "$work"' EXIT

step "cpack in $build_dir"
(cd "$build_dir" && "$cpack" --config CPackConfig.cmake -B "$work/out") >"$work/cpack.log" 2>&1 ||
  { cat "$work/cpack.log"; fail "cpack failed"; }
debs=("$work"/out/driftline_*.deb)
[[ ${#debs[@]} -eq 1 && -f ${debs[0]} ]] || fail "cpack made no single driftline_*.deb: $(ls "$work/out")"
deb=${debs[0]}
echo "$(basename "$deb"): $(du -h "$deb" | cut -f1)"

step "control fields"
field() { dpkg-deb -f "$deb" "$1"; }
[[ $(field Package) == driftline ]] || fail "Package: $(field Package)"
[[ $(field Version) == "$version" ]] || fail "Version: $(field Version), the project's is $version"
depends=$(field Depends)
echo "Depends: $depends"
for lib in libc6 libstdc++6 librdkafka1 libcurl4 libsqlite3-0; do
  [[ $depends == *"$lib "* || $depends == *"$lib," || $depends == *"$lib" ]] ||
    fail "Depends lacks $lib (dpkg-shlibdeps did not run?): $depends"
done
dpkg-deb --ctrl-tarfile "$deb" | tar -xO ./conffiles >"$work/conffiles" ||
  fail "the package has no conffiles"
[[ $(cat "$work/conffiles") == /etc/driftline/order-service.env ]] ||
  fail "conffiles: $(cat "$work/conffiles")"
control_files=$(dpkg-deb --ctrl-tarfile "$deb" | tar -t)
if grep -Eq '(pre|post)(inst|rm)$' <<<"$control_files"; then
  fail "the package has maintainer scripts; the unit's DynamicUser is there so it needs none"
fi

step "dpkg --root=<tmp> -i"
root="$work/root"
mkdir -p "$root/var/lib/dpkg/updates" "$root/var/lib/dpkg/info"
touch "$root/var/lib/dpkg/status"
# The root has no packages at all, so its dependencies are not met there: the binaries run
# with the host's libraries, which Depends names.
dpkg --root="$root" --force-depends -i "$deb" >"$work/dpkg.log" 2>&1 ||
  { cat "$work/dpkg.log"; fail "dpkg -i failed"; }
state=$(dpkg-query --admindir="$root/var/lib/dpkg" -W -f='${db:Status-Abbrev}' driftline)
[[ $state == "ii " ]] || fail "after dpkg -i the package is '$state', not installed"

binaries=(usr/bin/order-service usr/bin/contract-test usr/bin/dlq-redrive)
pages=(order-service contract-test contract-test-studio contract-test-mock contract-test-compat
       dlq-redrive)
unit=usr/lib/systemd/system/order-service.service
env_file=etc/driftline/order-service.env
docs=(usr/share/doc/driftline/copyright usr/share/doc/driftline/changelog.gz
      usr/share/doc/driftline/README.Debian usr/share/doc/driftline/README.md
      usr/share/lintian/overrides/driftline)
shipped=("${binaries[@]}" "$unit" "$env_file" "${docs[@]}")
for p in "${pages[@]}"; do shipped+=("usr/share/man/man1/$p.1.gz"); done
for f in "${shipped[@]}"; do
  [[ -f $root/$f ]] || fail "/$f is not installed"
done
for f in "${binaries[@]}"; do
  [[ $(stat -c %a "$root/$f") == 755 ]] || fail "/$f has mode $(stat -c %a "$root/$f"), not 755"
  sections=$(readelf -S "$root/$f")
  grep -q '\.symtab' <<<"$sections" && fail "/$f is not stripped"
done
[[ $(stat -c '%a %U' "$root/$env_file") == "600 root" ]] ||
  fail "/$env_file is $(stat -c '%a %U' "$root/$env_file"), not 600 root (it may hold credentials)"
[[ $(stat -c %a "$root/$unit") == 644 ]] || fail "/$unit has mode $(stat -c %a "$root/$unit")"
changelog=$(zcat "$root/usr/share/doc/driftline/changelog.gz")
[[ ${changelog%%$'\n'*} == "driftline ($version) "* ]] ||
  fail "the changelog's first entry is not version $version: packaging/changelog needs one"
echo "${#shipped[@]} files in place"

step "the installed binaries"
"$root/usr/bin/order-service" --version >"$work/version" || fail "order-service --version exited $?"
cat "$work/version"
grep -q "^order-service $version (commit " "$work/version" ||
  fail "order-service --version does not print version $version"
grep -q '^librdkafka ' "$work/version" || fail "order-service --version lacks librdkafka's version"
"$root/usr/bin/contract-test" --help >"$work/help" || fail "contract-test --help exited $?"
grep -q '^Usage: .*contract-test' "$work/help" || fail "contract-test --help prints no usage"
redrive_version=$("$root/usr/bin/dlq-redrive" --version) || fail "dlq-redrive --version exited $?"
[[ $redrive_version == "dlq-redrive $version "* ]] || fail "dlq-redrive --version: $redrive_version"
# The env file lists every setting the installed binary has, commented out with its default.
"$root/usr/bin/order-service" --settings-markdown >"$work/settings.md"
count=0
while IFS= read -r variable; do
  grep -q "^#$variable=" "$root/$env_file" || fail "/$env_file lacks #$variable="
  count=$((count + 1))
done < <(sed -n 's/^| `\([A-Z0-9_]*\)` |.*/\1/p' "$work/settings.md")
((count >= 20)) || fail "only $count settings in order-service --settings-markdown"
grep -q '^#SHUTDOWN_TIMEOUT_MS=15000$' "$root/$env_file" ||
  fail "/$env_file: SHUTDOWN_TIMEOUT_MS is not its default (the unit's TimeoutStopSec=30s assumes 15 s)"
grep -Eq '^[A-Z]' "$root/$env_file" && fail "/$env_file sets a variable; the example sets none"
echo "the env file lists all $count settings"
for p in "${pages[@]}"; do
  page=$(zcat "$root/usr/share/man/man1/$p.1.gz")
  grep -q '^\.SH OPTIONS' <<<"$page" || fail "man page $p has no OPTIONS"
done
# The settings table as the page's ENVIRONMENT section, every variable of it.
page=$(zcat "$root/usr/share/man/man1/order-service.1.gz")
while IFS= read -r variable; do
  grep -qx ".B $variable" <<<"$page" || fail "man order-service: ENVIRONMENT lacks $variable"
done < <(sed -n 's/^| `\([A-Z0-9_]*\)` |.*/\1/p' "$work/settings.md")
echo "${#pages[@]} man pages; order-service(1) lists all $count settings"

step "the systemd unit"
for key in 'ExecStart=/usr/bin/order-service' 'EnvironmentFile=-/etc/driftline/order-service.env' \
           'Restart=on-failure' 'KillSignal=SIGTERM' 'DynamicUser=yes' 'NoNewPrivileges=yes' \
           'ProtectSystem=strict' 'ProtectHome=yes' 'PrivateTmp=yes' 'PrivateDevices=yes' \
           'RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX' 'WantedBy=multi-user.target'; do
  grep -qxF "$key" "$root/$unit" || fail "the unit lacks $key"
done
# SIGTERM drains for SHUTDOWN_TIMEOUT_MS (15 s by default); systemd must wait longer than that.
stop_s=$(sed -n 's/^TimeoutStopSec=\([0-9]*\)s\?$/\1/p' "$root/$unit")
((stop_s * 1000 > 15000)) || fail "TimeoutStopSec=$stop_s s is not above SHUTDOWN_TIMEOUT_MS (15 s)"
if command -v systemd-analyze >/dev/null; then
  # verify checks that ExecStart= is executable and runs man for each Documentation= man: page.
  # A copy whose ExecStart= points into the root (--root= would want a whole system there), and
  # man looks in the root (MANPATH).
  mkdir -p "$work/unit"
  sed "s|^ExecStart=/usr/bin/|ExecStart=$root/usr/bin/|" "$root/$unit" >"$work/unit/order-service.service"
  man_check=--man=yes
  command -v man >/dev/null || { man_check=--man=no; echo "man is not installed: Documentation= not checked"; }
  MANPATH="$root/usr/share/man" systemd-analyze verify "$man_check" "$work/unit/order-service.service" \
    >"$work/verify" 2>&1 || { cat "$work/verify"; fail "systemd-analyze verify"; }
  [[ -s $work/verify ]] && { cat "$work/verify"; fail "systemd-analyze verify has warnings"; }
  # Exposure on systemd's 0-10 scale (the threshold is in tenths): at most 2.0, "OK".
  systemd-analyze security --offline=yes --threshold=20 "$root/$unit" >"$work/security" 2>&1 ||
    { cat "$work/security"; fail "the unit's exposure is above 2.0 (systemd-analyze security)"; }
  tail -n 1 "$work/security"
else
  echo "systemd-analyze not installed: the unit's keys were checked, not the unit as systemd reads it"
fi

step "dpkg -i again over an edited conffile"
echo 'LOG_LEVEL=debug' >>"$root/$env_file"
dpkg --root="$root" --force-depends -i "$deb" >>"$work/dpkg.log" 2>&1 </dev/null ||
  { cat "$work/dpkg.log"; fail "dpkg -i over the installed package failed"; }
grep -qx 'LOG_LEVEL=debug' "$root/$env_file" || fail "reinstalling replaced the edited /$env_file"
echo "the edited env file is kept"

step "dpkg -r, then dpkg -P"
dpkg --root="$root" -r driftline >>"$work/dpkg.log" 2>&1 || { cat "$work/dpkg.log"; fail "dpkg -r failed"; }
for f in "${shipped[@]}"; do
  [[ $f == "$env_file" ]] && continue
  [[ -e $root/$f ]] && fail "/$f is still there after dpkg -r"
done
[[ -f $root/$env_file ]] || fail "dpkg -r removed the conffile /$env_file (only purge should)"
state=$(dpkg-query --admindir="$root/var/lib/dpkg" -W -f='${db:Status-Abbrev}' driftline)
[[ $state == "rc " ]] || fail "after dpkg -r the package is '$state', not rc (config-files)"
dpkg --root="$root" -P driftline >>"$work/dpkg.log" 2>&1 || { cat "$work/dpkg.log"; fail "dpkg -P failed"; }
[[ -e $root/$env_file || -e $root/etc/driftline ]] && fail "dpkg -P left /etc/driftline"
left=$(cd "$root" && find . -path ./var/lib/dpkg -prune -o ! -type d -print)
[[ -z $left ]] || fail "files left after purge: $left"
echo "removed; the conffile kept by -r, gone after -P"

step "lintian"
overrides="$work/overrides"
dpkg-deb --fsys-tarfile "$deb" | tar -xO ./usr/share/lintian/overrides/driftline >"$overrides"
# Every override must say why: a comment line right above it (the header ends with a blank line).
prev=""
while IFS= read -r line; do
  if [[ -n $line && $line != \#* && $prev != \#* ]]; then
    fail "lintian override without a reason (a comment line right above it): $line"
  fi
  prev=$line
done <"$overrides"
# Every tag shown, information and pedantic ones too; an override that matches nothing is a tag
# too (unused-override), but for spelling-error-in-binary, whose bytes come and go with the code.
lintian --display-info --pedantic --display-experimental --fail-on none "$deb" >"$work/lintian" 2>&1 ||
  { cat "$work/lintian"; fail "lintian did not run"; }
if grep -E '^[EWIPX]: ' "$work/lintian" |
    grep -vE '^I: driftline: unused-override spelling-error-in-binary ' >"$work/tags"; then
  cat "$work/tags"
  fail "lintian has tags packaging/lintian-overrides does not explain"
fi
lintian --display-info --pedantic --show-overrides "$deb" 2>/dev/null | grep '^O:' || true
echo "lintian: clean but for the overrides above"

echo
echo "package test: PASS ($(basename "$deb"))"
