#!/bin/sh
# The Tollgate image's entrypoint: assembles the JVM flags and execs java, so the JVM replaces this shell and
# receives SIGTERM itself (a shell in between would swallow it, and the orchestrator would SIGKILL the gateway
# after its grace period instead of letting it drain).
#
#   docker run tollgate                                   serve /app/config/tollgate.yaml
#   docker run tollgate --config /app/config/other.yaml   serve another config
#   docker run tollgate validate /app/config/tollgate.yaml
#   docker run tollgate new-key                           any other command of the jar, passed as it is
#
# Arguments: none serves ${TOLLGATE_HOME}/config/tollgate.yaml. When the first argument is a flag and none of
# them is --config, that config is added in front, so extra serve flags never fall back to the jar's built-in
# demo (whose admin port is on 127.0.0.1, out of reach of probes and Prometheus). Anything else (a command such
# as validate, keys or config) goes to the jar unchanged.
#
# Environment (the same rules as the repository's ./tollgate launcher):
#   TOLLGATE_HOME           where tollgate.jar and config/ are (default /app)
#   TOLLGATE_JAVA_OPTS      extra JVM flags, appended after the defaults (a later flag wins; a collector chosen
#                           here replaces the default one)
#   TOLLGATE_JVM_DEFAULTS   replaces the default JVM flags entirely (set it to "" for none)
#   TOLLGATE_CDS=0          start without the image's class data sharing archive (see below)
set -eu

home="${TOLLGATE_HOME:-/app}"
jar="$home/tollgate.jar"
config="$home/config/tollgate.yaml"

if [ ! -f "$jar" ]; then
  printf 'tollgate: %s not found: TOLLGATE_HOME (%s) must be the directory that holds tollgate.jar\n' \
    "$jar" "$home" >&2
  exit 1
fi

# Container defaults. The JVM sizes itself from the container's cgroup limits, not the host's memory and CPUs.
#  -XX:+UseParallelGC              the cheapest collector per request, as in ./tollgate (a proxy's allocations
#                                  die young); without it the JVM picks SerialGC under 2 CPUs or 1792 MB.
#  -XX:MaxNewSize=96m              with it, as in ./tollgate: a young generation left to grow takes most of the
#                                  heap under load for fewer pauses of the same length, and RSS follows.
#  -XX:MaxRAMPercentage=50         heap = half the memory limit. The rest is Netty's direct buffers (capped
#                                  below), metaspace, thread stacks and code cache: with a 1 GiB limit about
#                                  512 MB heap + 256 MB direct + ~150 MB leaves headroom under the OOM killer.
#  -XX:MaxDirectMemorySize=256m    bounds Netty's pooled direct buffers; unset, it would equal the heap.
#  -XX:+ExitOnOutOfMemoryError     a proxy in an unknown state should die and be restarted, not limp on.
#  -XX:+PerfDisableSharedMem       no mmap'ed hsperfdata file, whose page writes can stall safepoints.
default_gc="-XX:+UseParallelGC -XX:MaxNewSize=96m"
default_opts="-XX:MaxRAMPercentage=50 -XX:MaxDirectMemorySize=256m -XX:+ExitOnOutOfMemoryError -XX:+PerfDisableSharedMem"
java_opts="${TOLLGATE_JAVA_OPTS:-}"

# The flag variables are split on whitespace on purpose (one flag per word, as in ./tollgate); globbing is off
# so that a flag holding '*' reaches the JVM as written.
set -f
if [ -n "${TOLLGATE_JVM_DEFAULTS+set}" ]; then
  defaults="$TOLLGATE_JVM_DEFAULTS"
else
  defaults="$default_gc $default_opts"
  # shellcheck disable=SC2086
  for opt in $java_opts; do
    # The user picked a collector (-XX:+UseZGC, -XX:+UseG1GC...): two would make the JVM refuse to start.
    case "$opt" in -XX:+Use*GC) defaults="$default_opts" ;; esac
  done
fi

if [ "$#" -eq 0 ]; then
  set -- --config "$config"
else
  case "$1" in
    -*)
      has_config=false
      for arg in "$@"; do
        case "$arg" in --config|--config=*) has_config=true ;; esac
      done
      if [ "$has_config" = false ]; then set -- --config "$config" "$@"; fi
      ;;
  esac
fi

# Class data sharing: ${TOLLGATE_HOME}/tollgate.jsa, written when the image was built (docker/cds-train.sh), holds
# the ~5,600 classes a start loads already parsed and verified; mapping it roughly halves the time to the first
# 200 on /readyz (docker/README.md, "Start time"). It is only ever read, never rewritten.
# The JVM checks it against itself, the jar and the flags, and under the default -Xshare:auto starts without an
# archive it rejects: a missing, damaged or mismatched one costs the speed-up, never the start. Flags it rejects
# the archive for: those that turn compressed oops off (ZGC, a heap over 32 GB), -XX:-BytecodeVerificationRemote,
# a different -XX:ObjectAlignmentInBytes; other collectors (G1, Serial) and heaps up to 32 GB are fine. The CDS
# notes of the JVM go to standard error: standard output is the gateway's JSON log.
# Flags that already choose what to share (-Xshare:off, another archive, a training run's ArchiveClassesAtExit,
# JDK 24's AOT cache) are the user's choice, and a second archive flag would fight them. -Xshare:on is not: with
# the archive it makes a start that cannot map it fail, which is how to check that it fits.
cds_archive=""
if [ "${TOLLGATE_CDS:-1}" != 0 ] && [ -f "$home/tollgate.jsa" ]; then
  case " $defaults $java_opts " in
    *-Xshare:off*|*-Xshare:dump*|*-XX:SharedArchiveFile*|*-XX:ArchiveClassesAtExit*|*-XX:AOT*) ;;
    *) cds_archive="$home/tollgate.jsa" ;;
  esac
fi
cds_log="-Xlog:cds*=off -Xlog:cds*=warning:stderr"

# shellcheck disable=SC2086
exec java ${cds_archive:+"-XX:SharedArchiveFile=$cds_archive"} ${cds_archive:+$cds_log} $defaults $java_opts \
  -jar "$jar" "$@"
