#!/usr/bin/env bash
# A throwaway PostgreSQL 15 cluster for the tests of the PostgreSQL store
# (ctest's fixture "pg", tests/CMakeLists.txt), from Debian's postgresql-15.
#
#   scripts/pg_cluster.sh start  DIR   initdb in DIR/data, start the server, wait until it
#                                      answers, write DIR/uri (a libpq URI of the
#                                      "postgres" maintenance database)
#   scripts/pg_cluster.sh stop   DIR   stop the server (fast, else immediate) and remove DIR
#   scripts/pg_cluster.sh kill   DIR   stop the server at once (-m immediate), as a crash
#                                      would: for the tests of losing the database
#   scripts/pg_cluster.sh resume DIR   start it again after kill, on the same port, and wait
#                                      until it answers
#
# The server listens on a Unix socket only (no TCP), with trust authentication,
# on a free port number (the socket's name). It runs as an unprivileged user:
# PostgreSQL refuses to run as root, so as root (here and in CI) the cluster
# belongs to "nobody" (override with PG_CLUSTER_USER); otherwise to the caller.
# `start` on a DIR left behind by a killed run stops and removes it first.
# Speed over durability (fsync off): the cluster is thrown away. With
# PG_CLUSTER_DURABLE=1, fsync and full-page writes stay on, as on a real
# server: the benchmarks (tests/bench/store.sh) measure that.
set -euo pipefail

PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}

die() {
  echo "pg_cluster.sh: $*" >&2
  exit 1
}

usage() {
  sed -n '2,16p' "$0" >&2
  exit 2
}

(($# == 2)) || usage
cmd=$1
dir=$2
[[ -n $dir ]] || usage
[[ -x $PG_BIN/pg_ctl ]] || die "no PostgreSQL 15 in $PG_BIN (apt-get install postgresql)"
# Absolute: pg_ctl runs from another working directory as another user.
dir=$(realpath -m -- "$dir")

if [[ $(id -u) -eq 0 ]]; then
  cluster_user=${PG_CLUSTER_USER:-nobody}
  as_user() { runuser -u "$cluster_user" -- "$@"; }
else
  cluster_user=$(id -un)
  as_user() { "$@"; }
fi

# The running server's pg_ctl, as the cluster's owner; -D is the data folder.
pg_ctl() { as_user "$PG_BIN/pg_ctl" -D "$dir/data" "$@"; }

# Where the socket lives: DIR itself, unless its path is too long for a Unix
# socket's name (108 bytes with ".s.PGSQL.<port>"), then a short folder in /tmp
# named in DIR/socket_dir.
socket_dir() {
  if [[ -f $dir/socket_dir ]]; then cat "$dir/socket_dir"; else echo "$dir"; fi
}

# Waits until the server accepts connections (at most 30 s).
wait_ready() {
  local port sock i
  port=$(cat "$dir/port")
  sock=$(socket_dir)
  for ((i = 0; i < 300; i++)); do
    if "$PG_BIN/pg_isready" -q -h "$sock" -p "$port" -U postgres -d postgres; then return 0; fi
    sleep 0.1
  done
  tail -n 20 "$dir/log" >&2 || true
  die "the server in $dir does not answer"
}

# Stops the server if one runs there; true if none runs afterwards.
stop_server() {
  [[ -f $dir/data/postmaster.pid ]] || return 0
  pg_ctl stop -m fast -w -t 20 >/dev/null 2>&1 || pg_ctl stop -m immediate -w -t 20 >/dev/null 2>&1 ||
    true
  [[ ! -f $dir/data/postmaster.pid ]] || ! pg_ctl status >/dev/null 2>&1
}

remove_cluster() {
  stop_server || die "cannot stop the server in $dir"
  if [[ -f $dir/socket_dir ]]; then rm -rf -- "$(cat "$dir/socket_dir")"; fi
  rm -rf -- "$dir"
}

# Percent-encodes a folder for the host parameter of a URI.
uri_encode() {
  local s=$1 out="" c i
  for ((i = 0; i < ${#s}; i++)); do
    c=${s:i:1}
    case $c in
      [a-zA-Z0-9/._~-]) out+=$c ;;
      *) out+=$(printf '%%%02X' "'$c") ;;
    esac
  done
  printf '%s' "$out"
}

# A port number no server on this machine listens on (TCP or a socket named
# for it): the socket's name, and free for a TCP listen should one be wanted.
pick_port() {
  local port
  while true; do
    port=$((20000 + RANDOM % 40000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null &&
      ! ls /tmp/.s.PGSQL."$port" >/dev/null 2>&1; then
      echo "$port"
      return
    fi
  done
}

start() {
  # What a killed run left: a cluster (or the start of one) to stop and
  # remove. Anything else in DIR is not ours to delete.
  if [[ -d $dir/data || -f $dir/port || -f $dir/initdb.log ]]; then
    remove_cluster
  elif [[ -e $dir && -n $(ls -A -- "$dir") ]]; then
    die "$dir exists and is not a cluster of this script: not touching it"
  fi
  mkdir -p -- "$dir"
  local sock=$dir
  if ((${#dir} > 90)); then
    sock=$(mktemp -d /tmp/unitclock-pg.XXXXXX)
    echo "$sock" >"$dir/socket_dir"
  fi
  if [[ $(id -u) -eq 0 ]]; then
    chown "$cluster_user" "$dir" "$sock"
    as_user test -x "$dir" || die "$cluster_user cannot reach $dir: every parent folder must be searchable"
  fi
  as_user "$PG_BIN/initdb" -D "$dir/data" -U postgres --auth=trust --encoding=UTF8 --locale=C \
    --no-sync >"$dir/initdb.log" 2>&1 || {
    cat "$dir/initdb.log" >&2
    die "initdb failed"
  }
  # No TCP: the socket in its folder only, so that nothing outside this
  # machine (or another user's cluster) can reach it.
  local durability="fsync = off
full_page_writes = off"
  [[ ${PG_CLUSTER_DURABLE:-0} == 1 ]] && durability="fsync = on
full_page_writes = on"
  cat >>"$dir/data/postgresql.conf" <<EOF
listen_addresses = ''
unix_socket_directories = '$sock'
unix_socket_permissions = 0777
max_connections = 300
$durability
log_min_messages = warning
EOF
  local attempt port
  for attempt in 1 2 3 4 5; do
    port=$(pick_port)
    echo "port = $port" >>"$dir/data/postgresql.conf"
    echo "$port" >"$dir/port"
    if pg_ctl start -w -t 30 -l "$dir/log" >/dev/null 2>&1; then
      wait_ready
      printf 'postgresql:///postgres?host=%s&port=%s&user=postgres\n' "$(uri_encode "$sock")" \
        "$port" >"$dir/uri"
      echo "pg_cluster.sh: PostgreSQL 15 in $dir, $(cat "$dir/uri")"
      return 0
    fi
    # Most likely the port was taken in between: another one.
    sed -i '/^port = /d' "$dir/data/postgresql.conf"
    echo "pg_cluster.sh: start on port $port failed (attempt $attempt)" >&2
  done
  tail -n 20 "$dir/log" >&2 || true
  die "cannot start the server in $dir"
}

case $cmd in
  start)
    start
    ;;
  stop)
    [[ -e $dir ]] || exit 0
    if [[ -d $dir && -z $(ls -A -- "$dir") ]]; then
      rmdir -- "$dir"
      exit 0
    fi
    [[ -d $dir/data || -f $dir/port || -f $dir/initdb.log ]] ||
      die "$dir is not a cluster of this script: not touching it"
    remove_cluster
    ;;
  kill)
    [[ -f $dir/data/postmaster.pid ]] || die "no server runs in $dir"
    pg_ctl stop -m immediate -w -t 20 >/dev/null
    ;;
  resume)
    [[ -f $dir/port ]] || die "no cluster in $dir"
    pg_ctl status >/dev/null 2>&1 || pg_ctl start -w -t 30 -l "$dir/log" >/dev/null
    wait_ready
    ;;
  *)
    usage
    ;;
esac
