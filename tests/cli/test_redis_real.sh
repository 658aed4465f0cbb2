#!/bin/sh
# The presence TTL pattern on a real redis-server (Debian's redis-server,
# 7.0 on Debian 12) against the model at the same settings: detection
# delays must agree (two-sample Kolmogorov-Smirnov at alpha 0.001, see
# tests/tools/redis_expiry_check.c), with and without watchers' GETs, and
# without GETs the Redis <= 5 model must be rejected (the check has power).
# Time is scaled so it ends in under a minute: heartbeat 1 s, TTL 65/30 s
# (the seed's 30 s / 65 s), hz 100, 20,000 keys (one sweep of the scan:
# 20,000 / 20 / 100 = 10 s), 300 crashes over 5 s.
# The server is ours: a temporary directory, 127.0.0.1 only, no
# persistence, stopped by its pid.
set -u
: "${SLACKSIM:=bin/slacksim}"
check="$(dirname "$SLACKSIM")/slacksim-redis-check"
server=$(command -v redis-server) || { echo "redis-server not installed (make deps installs it)"; exit 1; }
[ -x "$check" ] || { echo "$check not built"; exit 1; }
tmp=$(mktemp -d)
pid=""
cleanup() {
  [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
  rm -rf "$tmp"
}
trap cleanup EXIT INT TERM

# A port of our own: try a few in the unprivileged range until one binds.
start() {
  for try in 1 2 3 4 5 6 7 8; do
    port=$(( 20000 + ($$ * 7 + try * 1009) % 30000 ))
    "$server" --port "$port" --bind 127.0.0.1 --save '' --appendonly no --dir "$tmp" \
      --daemonize no --logfile "$tmp/redis.log" --protected-mode yes &
    pid=$!
    for i in $(seq 1 50); do
      if redis-cli -h 127.0.0.1 -p "$port" ping 2>/dev/null | grep -q PONG; then return 0; fi
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; pid=""
  done
  return 1
}
start || { echo "could not start redis-server on 127.0.0.1"; cat "$tmp/redis.log" 2>/dev/null | tail -5; exit 1; }
echo "redis-server $("$server" --version | sed 's/.*v=\([^ ]*\).*/\1/') on 127.0.0.1:$port (pid $pid)"

fail=0
timeout 60 "$check" --port "$port" --seed 1 --expect-sample-differs || fail=1
timeout 60 "$check" --port "$port" --seed 2 --reads 0.2 || fail=1
exit $fail
