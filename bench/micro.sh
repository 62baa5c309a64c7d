#!/usr/bin/env bash
# JMH microbenchmarks of the gateway's hot paths: what each costs in ns and bytes allocated per operation.
# See bench/micro/README.md for what each benchmark drives and how to read the numbers.
#
#   bench/micro.sh                  every benchmark (about 4 minutes)
#   bench/micro.sh Sse              those whose name matches a regular expression (here SseBench.*)
#   bench/micro.sh -p api=OPENAI Codec     any JMH option; `bench/micro.sh -h` lists them, `-l` the benchmarks
#
# Every argument goes to JMH as given. These defaults are added unless the same option is among them:
#   -f 1 -wi 3 -w 1 -i 5 -r 1 -prof gc
# one fork, three 1 s warm-up and five 1 s measured iterations, and the GC profiler's allocation per operation;
# give `-prof` yourself (say `-prof stack`) and gc is not added. More forks and longer iterations give steadier
# figures: `-f 3 -i 10 -r 2`.
#
# Builds bench/micro/target/tollgate-micro.jar (./mvnw -pl bench/micro -am package) when it is missing or older
# than any source or pom of the modules it measures. Java: JAVA_HOME when it is a JDK 21+, else `java` on PATH,
# else the newest JDK 21+ under /usr/lib/jvm or /Library/Java/JavaVirtualMachines, as ../tollgate picks it.
set -euo pipefail

die() { printf 'micro: %s\n' "$*" >&2; exit 1; }

BENCH_DIR="$(cd -P "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd -P "$BENCH_DIR/.." && pwd)"
JAR="$BENCH_DIR/micro/target/tollgate-micro.jar"

# --- Java 21+ discovery (as in ../tollgate and .ci/run; keep in sync) --------------------------------------
java_info() {
  local bin="$1" real home v=""
  real="$(readlink -f "$bin" 2>/dev/null || printf '%s' "$bin")"
  home="$(cd "$(dirname "$real")/.." 2>/dev/null && pwd -P)" || return 0
  if [ -f "$home/release" ]; then
    v="$(sed -n 's/^JAVA_VERSION="\{0,1\}\([^"]*\)"\{0,1\}$/\1/p' "$home/release" | head -n1)"
  fi
  if [ -z "$v" ]; then
    local props
    props="$("$bin" -XshowSettings:properties -version 2>&1)" || return 0
    v="$(printf '%s\n' "$props" | sed -n 's/^ *java\.specification\.version = //p' | head -n1)"
    home="$(printf '%s\n' "$props" | sed -n 's/^ *java\.home = //p' | head -n1)"
  fi
  v="${v#1.}"; v="${v%%[!0-9]*}"
  case "$v" in ''|*[!0-9]*) return 0 ;; esac
  if [ -n "$home" ]; then printf '%s %s\n' "$v" "$home"; fi
}
find_jdk21() {
  local info v home best="" best_v=0 cand
  if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/java" ]; then
    info="$(java_info "$JAVA_HOME/bin/java")"; v="${info%% *}"
    if [ -n "$info" ] && [ "$v" -ge 21 ]; then printf '%s\n' "$JAVA_HOME"; return 0; fi
  fi
  if cand="$(command -v java 2>/dev/null)"; then
    info="$(java_info "$cand")"; v="${info%% *}"
    if [ -n "$info" ] && [ "$v" -ge 21 ]; then printf '%s\n' "${info#* }"; return 0; fi
  fi
  for home in /usr/lib/jvm/* /Library/Java/JavaVirtualMachines/*/Contents/Home; do
    [ -x "$home/bin/java" ] || continue
    info="$(java_info "$home/bin/java")"; v="${info%% *}"
    if [ -n "$info" ] && [ "$v" -ge 21 ] && [ "$v" -gt "$best_v" ]; then best="$home"; best_v="$v"; fi
  done
  [ -n "$best" ] || return 1
  printf '%s\n' "$best"
}

given_java_home="${JAVA_HOME:-<unset>}"
JAVA_HOME="$(find_jdk21)" || die "no JDK 21 or newer found (looked at JAVA_HOME=$given_java_home, \`java\` on PATH,
  /usr/lib/jvm/* and /Library/Java/JavaVirtualMachines/*); see ../README.md"
export JAVA_HOME

# --- the jar: rebuilt when the benchmarks or the code they measure changed ------------------------------------
needs_build() {
  [ -f "$JAR" ] || return 0
  local paths=("$ROOT/pom.xml" "$BENCH_DIR/micro/pom.xml" "$BENCH_DIR/micro/src") m
  for m in gateway-core providers metrics config gateway-server; do
    paths+=("$ROOT/$m/pom.xml" "$ROOT/$m/src/main")
  done
  [ -n "$(find "${paths[@]}" -newer "$JAR" -type f -print -quit 2>/dev/null)" ]
}
if needs_build; then
  [ -x "$JAVA_HOME/bin/javac" ] || die "building needs a JDK, but $JAVA_HOME has no javac (a JRE?)"
  echo "micro: building $JAR" >&2
  (cd "$ROOT" && ./mvnw -q -B -pl bench/micro -am package -DskipTests) >&2 \
    || die "build failed: run \`./mvnw -B -pl bench/micro -am package -DskipTests\` in $ROOT to see why"
  [ -f "$JAR" ] || die "build finished but $JAR is missing"
fi

# --- defaults for the options not given ------------------------------------------------------------------------
given() {   # given OPTION ARGS...: whether OPTION is one of ARGS
  local option="$1" arg; shift
  for arg in "$@"; do [ "$arg" = "$option" ] && return 0; done
  return 1
}
defaults=()
for pair in "-f 1" "-wi 3" "-w 1" "-i 5" "-r 1" "-prof gc"; do
  given "${pair%% *}" "$@" || defaults+=("${pair%% *}" "${pair#* }")
done

# As ../tollgate does on JDK 24+: Netty may use sun.misc.Unsafe, else its buffers take another, slower path than the
# gateway's. Prepended, so the collector and heap that MicroBench's @Fork appends stay.
java_feature="$(java_info "$JAVA_HOME/bin/java")"; java_feature="${java_feature%% *}"
if [ "$java_feature" -ge 24 ] && ! given -jvmArgsPrepend "$@"; then
  defaults+=(-jvmArgsPrepend --sun-misc-unsafe-memory-access=allow)
fi

# The runner JVM gets no flags: JMH's forks inherit them, and each benchmark's fork gets the gateway's own collector
# and heap from MicroBench's @Fork.
exec "$JAVA_HOME/bin/java" -jar "$JAR" ${defaults[@]+"${defaults[@]}"} "$@"
