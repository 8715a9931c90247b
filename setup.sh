#!/usr/bin/env bash
# unitclock's one setup script. On a fresh Debian 12 machine it installs what
# is missing (Debian packages only), builds, and then serves or tests.
#
#   ./setup.sh serve            install, build (Release), run unitclockd on 127.0.0.1:50051
#                               with its SQLite file and token file under ./var/ (a first run
#                               makes a development token, var/dev-token; extra args go to
#                               unitclockd)
#   ./setup.sh test             install, build (Debug), run every test through ctest
#   ./setup.sh test --sanitize  the same under AddressSanitizer + UndefinedBehaviorSanitizer
#   ./setup.sh test --tsan      under ThreadSanitizer, the tests that run no gRPC in the process
#                               (store, watchdog: Debian's gRPC is not TSan-instrumented)
#   ./setup.sh build            install, build (Release) without starting the service
#   ./setup.sh package          install, build (Release), make the Debian package (cpack) in
#                               build/package/ (docs/install.md)
#   ./setup.sh bench [--smoke]  install, build (Release), run every benchmark (tests/bench/run.sh);
#                               --smoke runs each briefly, as CI does
#   ./setup.sh deps             only install what is missing
#
# Idempotent: a second run installs nothing and rebuilds only what changed.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"

PACKAGES=(
  build-essential cmake pkg-config ca-certificates tzdata
  libgrpc++-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler libabsl-dev
  libboost-dev libsqlite3-dev libhowardhinnant-date-dev libspdlog-dev nlohmann-json3-dev
  libcli11-dev libgtest-dev libgmock-dev librapidcheck-dev libbenchmark-dev
  clang-format openssl libssl-dev
  clang-14 libclang-rt-14-dev python3-grpcio python3-protobuf ccache
  # The Prometheus metrics of unitclockd (plugin/metrics): prometheus-cpp's
  # registry and pull endpoint; python3-yaml checks deploy/prometheus/alerts.yml.
  prometheus-cpp-dev python3-yaml
  # The PostgreSQL store: libpq to build it, and PostgreSQL 15's server for
  # the throwaway cluster its tests run against (scripts/pg_cluster.sh).
  libpq-dev postgresql
  # The Debian package (cpack -G DEB, ctest DebianPackage): dpkg-shlibdeps
  # computes its dependencies; systemd-analyze checks its unit.
  dpkg-dev systemd
)
# Node and npm run the independent export validators (tests/validators/, ctest
# ExternalValidators). Debian 12's nodejs is 18: @medplum/core 4.5.2 asks for
# node 20.19+ in its engines field (npm warns) but runs on 18.20 as used there.
# A node already on PATH (e.g. NodeSource's 20) is kept.
if ! command -v node >/dev/null; then
  PACKAGES+=(nodejs npm)
fi
# Debian's chromium is the real browser of the review page's tests (tests/web/,
# ctest ReviewPageBrowser), driven headless by puppeteer-core: puppeteer's own
# browser download cannot be fetched here, so puppeteer-core gets this one.
PACKAGES+=(chromium)

log() { printf '[setup] %s\n' "$*" >&2; }

install_deps() {
  local missing=() p
  for p in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  if ((${#missing[@]} == 0)); then
    log "all ${#PACKAGES[@]} Debian packages present"
    return
  fi
  log "installing: ${missing[*]}"
  local sudo=()
  [[ $(id -u) -eq 0 ]] || sudo=(sudo)
  "${sudo[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends \
    "${missing[@]}" >/dev/null
}

# build <dir> <build type> [cmake args...]: configures on the first run, and
# again when the args differ from the last configuration's.
build() {
  local dir=$1 type=$2
  shift 2
  # ccache as the compiler launcher: its cache lives outside the clone
  # (~/.cache/ccache), so a fresh clone or a CI rerun compiles only what changed.
  # Paths are hashed relative to the clone, so another clone of the same
  # commit in another folder hits the same cache entries.
  set -- -DCMAKE_C_COMPILER_LAUNCHER=ccache -DCMAKE_CXX_COMPILER_LAUNCHER=ccache "$@"
  export CCACHE_BASEDIR=${CCACHE_BASEDIR:-$PWD} CCACHE_NOHASHDIR=${CCACHE_NOHASHDIR:-true}
  local args="-DCMAKE_BUILD_TYPE=$type $*"
  if [[ ! -f $dir/CMakeCache.txt || $(cat "$dir/.setup-args" 2>/dev/null) != "$args" ]]; then
    cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE="$type" "$@" >/dev/null
    echo "$args" >"$dir/.setup-args"
  fi
  cmake --build "$dir" -j "$(nproc)"
}

# The Release build of serve, build and bench: no test suites (./setup.sh test
# builds and runs those in Debug).
build_release() {
  build build/release Release -DUNITCLOCK_TESTS=OFF
}

cmd=${1:-}
shift || true
case $cmd in
  deps)
    install_deps
    ;;
  build)
    install_deps
    build_release
    ;;
  package)
    install_deps
    build_release
    cpack --config build/release/CPackConfig.cmake -G DEB -B build/package
    log "the package: $(ls build/package/unitclock_*.deb)"
    ;;
  bench)
    install_deps
    build_release
    tests/bench/run.sh build/release "$@"
    ;;
  serve)
    install_deps
    build_release
    mkdir -p var
    # A first start makes one development token for the demo platform, with
    # every role but admin; build/release/plugin/auth/unitclock-token makes more.
    if [[ ! -s var/tokens.json ]]; then
      (umask 077 && build/release/plugin/auth/unitclock-token dev demo-rehab \
        platform,reviewer,billing var/tokens.json >var/dev-token)
      log "made a development token for platform demo-rehab: var/dev-token (hash in var/tokens.json)"
    fi
    log "starting unitclockd on 127.0.0.1:50051 (database var/unitclock.db); Ctrl-C stops it"
    log "review desk in the browser: http://127.0.0.1:8080/ (sign in with the token in var/dev-token)"
    log "Prometheus metrics: http://127.0.0.1:9464/metrics (docs/metrics.md)"
    exec build/release/plugin/server/unitclockd --listen 127.0.0.1:50051 --db var/unitclock.db \
      --policy-dir core/policies --auth-file var/tokens.json \
      --http-listen 127.0.0.1:8080 --metrics-listen 127.0.0.1:9464 "$@"
    ;;
  test)
    install_deps
    if [[ ${1:-} == --sanitize ]]; then
      dir=build/asan
      build "$dir" Debug -DUNITCLOCK_SANITIZE=ON
      # For every test and every daemon it starts: leaks inside uninstrumented
      # third-party libraries only (tests/lsan.supp says which, and why).
      export LSAN_OPTIONS="suppressions=$PWD/tests/lsan.supp${LSAN_OPTIONS:+:$LSAN_OPTIONS}"
    elif [[ ${1:-} == --tsan ]]; then
      dir=build/tsan
      build "$dir" Debug -DUNITCLOCK_TSAN=ON
    else
      dir=build/test
      build "$dir" Debug
    fi
    ctest --test-dir "$dir" --output-on-failure -j "$(nproc)"
    ;;
  *)
    sed -n '2,20p' "$0" >&2
    exit 2
    ;;
esac
