#!/usr/bin/env bash
# ctest DebianPackage: the unitclock Debian package (cmake/packaging.cmake).
# Builds it with cpack from this build tree into WORK_DIR, checks its files,
# control fields and dependencies with dpkg-deb, verifies its systemd unit with
# systemd-analyze (verify, and security --offline under a threshold) where
# systemd-analyze exists, then unpacks it into a temporary root and starts the
# packaged unitclockd as the unit's ExecStart does, with the packaged config
# (its paths moved into the root, and a free port), a token made by the
# packaged unitclock-token; checks gRPC health and records the example
# scenario with simulated_platform.
#
#   package_test.sh BUILD_DIR REPO_DIR WORK_DIR SIMULATED_PLATFORM
set -euo pipefail
build=$1
repo=$2
work=$3
simulated_platform=$4
root=$work/root
fail_context="package test"
# The token tool under test is the packaged one (tests/e2e/lib.sh).
export UNITCLOCK_TOKEN_TOOL=$root/usr/bin/unitclock-token

# shellcheck source=tests/e2e/lib.sh
source "$repo/tests/e2e/lib.sh"

check "cpack builds the package"
cpack --config "$build/CPackConfig.cmake" -G DEB -B "$work/out" >"$work/cpack.log" 2>&1 ||
  { cat "$work/cpack.log"; fail "cpack failed"; }
debs=("$work"/out/unitclock_*.deb)
[[ ${#debs[@]} == 1 && -f ${debs[0]} ]] || fail "expected one unitclock_*.deb in $work/out: ${debs[*]}"
deb=${debs[0]}
echo "    $(basename "$deb"): $(stat -c %s "$deb") bytes"

check "control fields"
field() { dpkg-deb -f "$deb" "$1"; }
version=$(sed -n 's/^CMAKE_PROJECT_VERSION:STATIC=//p' "$build/CMakeCache.txt")
[[ $(field Package) == unitclock ]] || fail "Package is \"$(field Package)\""
[[ $(field Version) == "$version-1" ]] || fail "Version is \"$(field Version)\", project is $version"
[[ $(field Architecture) == "$(dpkg --print-architecture)" ]] ||
  fail "Architecture is \"$(field Architecture)\""
[[ -n $(field Maintainer) && -n $(field Description) ]] || fail "no Maintainer or Description"
depends=$(field Depends)
echo "    Depends: $depends"

check "files: the daemon, the token tool, every policy file, the config, the unit; nothing else"
dpkg-deb -c "$deb" >"$work/contents"
files=$(awk '$1 !~ /^d/ { print $6 }' "$work/contents" | sed 's#^\./#/#' | sort)
expected=(/usr/sbin/unitclockd /usr/bin/unitclock-token /etc/unitclock/unitclockd.conf
  /lib/systemd/system/unitclock.service)
while IFS= read -r policy; do expected+=("/usr/share/unitclock/policies/$policy"); done \
  < <(cd "$repo/core/policies" && find . -type f | sed 's#^\./##')
for f in "${expected[@]}"; do
  grep -qxF -- "$f" <<<"$files" || fail "the package lacks $f"
done
# Everything else is documentation: no client library, headers or CMake files.
unexpected=$(grep -vxF -f <(printf '%s\n' "${expected[@]}") <<<"$files" |
  grep -v '^/usr/share/doc/unitclock/' || true)
[[ -z $unexpected ]] || fail "unexpected files in the package: $unexpected"
for exe in ./usr/sbin/unitclockd ./usr/bin/unitclock-token; do
  grep -Eq "^-rwxr-xr-x root/root .* $exe\$" "$work/contents" ||
    fail "$exe is not an executable owned by root: $(grep " $exe\$" "$work/contents")"
done
grep -Eq "^-rw-r--r-- root/root .* ./etc/unitclock/unitclockd.conf\$" "$work/contents" ||
  fail "the config file is not 0644 root:root"

check "control archive: the config is a conffile, the maintainer scripts parse"
dpkg-deb -I "$deb" conffiles >"$work/conffiles" 2>/dev/null || fail "the package has no conffiles"
grep -qxF /etc/unitclock/unitclockd.conf "$work/conffiles" ||
  fail "/etc/unitclock/unitclockd.conf is not a conffile: $(cat "$work/conffiles")"
for script in postinst prerm postrm; do
  dpkg-deb -I "$deb" "$script" >"$work/$script" || fail "the package has no $script"
  sh -n "$work/$script" || fail "$script does not parse"
done
grep -q 'adduser --system' "$work/postinst" || fail "postinst does not create the system user"

check "unpacks into a temporary root"
dpkg-deb -x "$deb" "$root"

check "Depends: the package of every shared library the programs link, and adduser"
# has_dep PACKAGE: Depends names PACKAGE (with or without a version).
has_dep() { sed 's/, /\n/g' <<<"$depends" | awk '{ print $1 }' | grep -qxF -- "$1"; }
has_dep adduser || fail "Depends lacks adduser (the postinst runs it)"
# The libraries each program names itself (NEEDED), where the loader finds them.
: >"$work/needed"
for exe in "$root/usr/sbin/unitclockd" "$root/usr/bin/unitclock-token"; do
  ldd "$exe" >"$work/ldd" || fail "ldd $exe failed"
  ! grep 'not found' "$work/ldd" || fail "$exe needs a library that is not installed"
  while read -r needed; do
    lib=$(awk -v n="$needed" '$1 == n && $3 ~ /^\// { print $3 }' "$work/ldd")
    [[ -n $lib ]] || fail "ldd does not say where $needed is"
    echo "$(basename "$exe") $needed $lib" >>"$work/needed"
  done < <(objdump -p "$exe" | awk '$1 == "NEEDED" { print $2 }')
done
# One dpkg -S for all of them (it is slow to start).
mapfile -t names < <(awk '{ print $2 }' "$work/needed" | sort -u)
dpkg -S "${names[@]}" >"$work/owners" 2>/dev/null || true
while read -r exe needed lib; do
  # Debian 12 lists some libraries under /lib, others under /usr/lib; the
  # folder's name tells x86_64-linux-gnu from lib32.
  suffix=/$(basename "$(dirname "$lib")")/$needed
  pkg=$(awk -v suffix="$suffix" '
    substr($NF, length($NF) - length(suffix) + 1) == suffix { sub(/:.*/, "", $1); print $1; exit }' \
    "$work/owners")
  [[ -n $pkg ]] || fail "no Debian package holds $lib (needed by $exe)"
  # Depends may name the package, or a name it provides (libspdlog1.10-fmt9).
  has_dep "$pkg" && continue
  found=
  for name in $(dpkg-query -W -f='${Provides}' "$pkg" | sed 's/([^)]*)//g; s/,/ /g'); do
    has_dep "$name" && found=$name
  done
  [[ -n $found ]] || fail "$exe links $needed from $pkg, which Depends lacks"
done <"$work/needed"
echo "    $(wc -l <"$work/needed") libraries linked, each from a package in Depends"
for pkg in libgrpc++1.51 libsqlite3-0 libpq5 libssl3; do
  has_dep "$pkg" || fail "Depends lacks $pkg"
done

unit=$root/lib/systemd/system/unitclock.service
conf=$root/etc/unitclock/unitclockd.conf
check "the unit: its user, hardening, state folder and restart policy"
for line in User=unitclock Group=unitclock ProtectSystem=strict NoNewPrivileges=yes \
  StateDirectory=unitclock Restart=on-failure PrivateTmp=yes ProtectHome=yes \
  'CapabilityBoundingSet='; do
  grep -qxF -- "$line" "$unit" || fail "the unit lacks \"$line\""
done
exec_start=$(sed -n 's/^ExecStart=//p' "$unit")
read -ra command <<<"$exec_start"
[[ ${command[0]} == /usr/sbin/unitclockd && ${command[1]} == --config &&
  ${command[2]} == /etc/unitclock/unitclockd.conf ]] ||
  fail "ExecStart is \"$exec_start\", expected the packaged unitclockd on the packaged config"
# The database is where the unit lets the daemon write: its StateDirectory.
grep -qxF 'db = "/var/lib/unitclock/unitclock.db"' "$conf" ||
  fail "the config's db is not in /var/lib/unitclock (StateDirectory=unitclock)"

if command -v systemd-analyze >/dev/null; then
  check "systemd-analyze verify: the unit parses cleanly (no warning at all)"
  mkdir -p "$work/units"
  # The unit as installed, with its program's paths inside the root.
  sed -e "s#ExecStart=/usr/sbin/unitclockd#ExecStart=$root/usr/sbin/unitclockd#" \
    "$unit" >"$work/units/unitclock.service"
  verify() { systemd-analyze verify "$1" >"$work/verify.log" 2>&1; }
  if ! verify "$work/units/unitclock.service" || [[ -s $work/verify.log ]]; then
    cat "$work/verify.log"
    fail "systemd-analyze verify found problems in the unit"
  fi
  # The same check finds a misspelt directive and a missing program.
  mkdir -p "$work/broken"
  sed 's/^NoNewPrivileges=/NoNewPrivilege=/' "$work/units/unitclock.service" \
    >"$work/broken/unitclock.service"
  verify "$work/broken/unitclock.service" || true
  grep -q "Unknown key 'NoNewPrivilege'" "$work/verify.log" ||
    fail "systemd-analyze verify did not see a misspelt directive: $(cat "$work/verify.log")"
  sed "s#$root/usr/sbin/unitclockd#$root/usr/sbin/missing#" "$work/units/unitclock.service" \
    >"$work/broken/unitclock.service"
  ! verify "$work/broken/unitclock.service" ||
    fail "systemd-analyze verify accepted a unit whose program is missing"

  check "systemd-analyze security --offline: exposure at most 2.0"
  systemd-analyze security --offline=yes --threshold=20 "$work/units/unitclock.service" \
    >"$work/security.log" 2>&1 ||
    { cat "$work/security.log"; fail "the unit's exposure is above 2.0"; }
  grep 'Overall exposure level' "$work/security.log" | sed 's/^/    /'
else
  echo "    (no systemd-analyze here: the unit was not verified)"
fi

check "the packaged unitclock-token makes a token"
# The package's paths, inside the root.
sed -i -E "s#^([a-z-]+ = \")/#\\1$root/#" "$conf"
tokens=$root/etc/unitclock/tokens.json
"$unitclock_token" pkg demo-rehab platform,reviewer,billing "$tokens" >"$work/platform.token"
grep -Eqx '[0-9a-f]{64}' "$work/platform.token" || fail "unitclock-token printed no token"
grep -q "\"sha256\": \"$(tr -d '\n' <"$work/platform.token" | sha256sum | cut -d' ' -f1)\"" \
  "$tokens" || fail "the token file lacks the token's SHA-256"

check "the packaged unitclockd starts as the unit starts it, with the packaged config"
"$root${command[0]}" "${command[1]}" "$root${command[2]}" --listen 127.0.0.1:0 \
  --port-file "$work/port" >"$work/daemon.log" 2>&1 &
daemon_pid=$!
await_port_file
log=$(cat "$work/daemon.log")
expect_match "$log" "msg=\"unitclockd serving\".* db=\"$root/var/lib/unitclock/unitclock.db\"" \
  "the database named by the config"
expect_match "$log" "policy_dir=\"$root/usr/share/unitclock/policies\".* tokens=1 " \
  "the packaged policies and the token file named by the config"

check "gRPC health: SERVING"
/usr/bin/python3 "$repo/tests/package/health_check.py" "$target" || fail "health is not SERVING"

check "simulated_platform records the example scenario"
"$simulated_platform" --target "$target" --token-file "$work/platform.token" \
  --buffer "$work/platform.buffer" \
  --scenario "$repo/examples/scenarios/video_exercise_30min.json" >"$work/platform.out" 2>&1 ||
  { cat "$work/platform.out"; fail "simulated_platform failed"; }
out=$(cat "$work/platform.out")
expect_match "$out" "^suggestion for 2026-11-27 " "the suggestion"
expect_match "$out" "^  97110 x2 GP 95, POS 10 " "the suggested line"

check "SIGTERM stops it cleanly; the events are in the packaged database path"
stop_daemon
[[ -s $root/var/lib/unitclock/unitclock.db ]] || fail "no database at the config's db path"
echo "PASS"
