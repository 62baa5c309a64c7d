#!/bin/sh
# Writes the image's class data sharing (CDS) archive, ${TOLLGATE_HOME}/tollgate.jsa, which entrypoint.sh maps on
# every start. The Dockerfile runs it once the jar, the config and entrypoint.sh are in place.
#
# A training run: the gateway starts through entrypoint.sh itself, so with the flags, the jar path and the config
# of a container's start (the JVM accepts an archive only from a run with the same class path and compatible
# flags); it answers a chat completion, a streamed one, an embedding and a /metrics scrape, so the classes of the
# request path are archived along with those of the start; then SIGTERM stops it, it drains and exits, and the
# JVM writes the archive on its way out (-XX:ArchiveClassesAtExit). The ledger rows and the temporary files of the
# run are removed: the image must not ship spend that no user made.
#
#   TOLLGATE_HOME=/app /app/cds-train.sh
#
# Fails (and prints the gateway's log) when the gateway does not start, a request fails, or no archive is written:
# it runs at image build, where a failure is seen, unlike a start without the archive.
#
# Environment:
#   TOLLGATE_HOME                 the image layout: tollgate.jar, entrypoint.sh, config/tollgate.yaml and an empty
#                                 data/ (default /app)
#   TOLLGATE_TRAIN_PROXY_URL      where the config's proxy listener answers (default http://127.0.0.1:8080)
#   TOLLGATE_TRAIN_ADMIN_URL      where its admin listener answers (default http://127.0.0.1:8081)
#   TOLLGATE_JAVA_OPTS, TOLLGATE_JVM_DEFAULTS   as for entrypoint.sh; a derived image that sets them in ENV before
#                                 running this script gets an archive made under its own flags.
set -eu

home="${TOLLGATE_HOME:-/app}"
proxy="${TOLLGATE_TRAIN_PROXY_URL:-http://127.0.0.1:8080}"
admin="${TOLLGATE_TRAIN_ADMIN_URL:-http://127.0.0.1:8081}"
archive="$home/tollgate.jsa"
data="$home/data"

die() { printf 'cds-train: %s\n' "$*" >&2; exit 1; }

[ -x "$home/entrypoint.sh" ] || die "$home/entrypoint.sh not found or not executable: TOLLGATE_HOME must be the image layout"
# Everything in data/ after the run is the run's own and is deleted; anything there before would be deleted too.
[ -d "$data" ] || die "$data is not a directory"
[ -z "$(ls -A "$data")" ] || die "$data is not empty: the training run's ledger goes there and is deleted afterwards"

# A gateway already answering there would take the training's requests, and its readiness would be mistaken for ours.
if curl -fsS -o /dev/null --max-time 2 "$admin/readyz" 2>/dev/null; then
  die "something already answers at $admin/readyz: stop it, or point TOLLGATE_TRAIN_ADMIN_URL elsewhere"
fi

work="$(mktemp -d)"
pid=""
cleanup() {
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then kill -KILL "$pid" 2>/dev/null || true; fi
  rm -rf "$work"
  find "$data" -mindepth 1 -delete
}
trap cleanup EXIT
trap 'exit 1' INT TERM

fail() {   # a failed run leaves no archive, not even a half-written one
  printf 'cds-train: %s; the gateway'"'"'s log:\n' "$*" >&2
  tail -n 40 "$work/gateway.log" >&2 || true
  rm -f "$archive"
  exit 1
}

rm -f "$archive"
# -Xmx512m: the heap a container with the 1 GiB the README asks for gets. Heap size does not matter to the archive,
# but its compressed-oops mode does, and a build host's memory is often large: with MaxRAMPercentage=50 a host
# over 64 GB would give a heap over 32 GB, no compressed oops, and an archive every normal container rejects.
# It goes in front of the user's flags, so an -Xmx of theirs still wins. java.io.tmpdir: the native libraries
# SQLite and Netty unpack stay out of the image's /tmp.
if [ -n "${TOLLGATE_JVM_DEFAULTS+set}" ]; then
  TOLLGATE_JVM_DEFAULTS="-Xmx512m $TOLLGATE_JVM_DEFAULTS"
  export TOLLGATE_JVM_DEFAULTS
  java_opts="${TOLLGATE_JAVA_OPTS:-}"
else
  java_opts="-Xmx512m ${TOLLGATE_JAVA_OPTS:-}"
fi
TOLLGATE_JAVA_OPTS="$java_opts -Djava.io.tmpdir=$work -XX:ArchiveClassesAtExit=$archive" \
  "$home/entrypoint.sh" >"$work/gateway.log" 2>&1 &
pid=$!   # entrypoint.sh execs java: this is the JVM

waited=0
until curl -fsS -o /dev/null --max-time 2 "$admin/readyz" 2>/dev/null; do
  kill -0 "$pid" 2>/dev/null || fail "the gateway exited before $admin/readyz answered"
  # Generous: an image built for another architecture runs this under emulation.
  [ "$waited" -lt 1200 ] || fail "$admin/readyz did not answer within 120 s"
  sleep 0.1
  waited=$((waited + 1))
done

post() {   # post PATH BODY: the request must succeed
  curl -fsS -o /dev/null --max-time 10 -H 'content-type: application/json' -d "$2" "$proxy$1" \
    || fail "POST $proxy$1 failed"
}
post /v1/chat/completions '{"model":"demo-fast","messages":[{"role":"user","content":"Warm up the class cache"}]}'
post /v1/chat/completions '{"model":"demo-fast","stream":true,"messages":[{"role":"user","content":"And stream it"}]}'
post /v1/embeddings '{"model":"demo-embed","input":"one embedding"}'
curl -fsS -o /dev/null --max-time 10 "$admin/metrics" || fail "GET $admin/metrics failed"

kill -TERM "$pid"
waited=0
while kill -0 "$pid" 2>/dev/null; do   # the drain is immediate (nothing in flight), writing the archive takes seconds
  [ "$waited" -lt 1200 ] || fail "the gateway did not exit within 120 s of SIGTERM"
  sleep 0.1
  waited=$((waited + 1))
done
status=0
wait "$pid" || status=$?
pid=""
# 0: drained and stopped. 143: the signal came between readiness and the gateway installing its shutdown hook (a
# start slowed by a loaded machine), so the JVM's default handling stopped it; it writes the archive all the same.
case "$status" in 0|143) ;; *) fail "the gateway exited with status $status after SIGTERM" ;; esac
[ -s "$archive" ] || fail "the JVM wrote no archive at $archive"
# Read-only for everyone: the container's user (10001) maps it, nobody rewrites it.
chmod 0444 "$archive"
printf 'cds-train: wrote %s (%s bytes)\n' "$archive" "$(wc -c <"$archive" | tr -d ' ')"
