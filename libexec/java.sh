# Finds a Java 25+ runtime; sourced by bin/ingestd and bin/test.
# Order: $INGESTD_JAVA, the bundled runtime of an installation (argument 1), $JAVA_HOME, `java` on PATH, then the
# newest under /usr/lib/jvm.
INGESTD_MIN_JAVA=25

ingestd_java_major() { # prints the feature version of the java binary $1, or nothing
  local j=$1 home release v
  home=$(cd "$(dirname "$(readlink -f "$j")")/.." 2>/dev/null && pwd) || return 0
  release="$home/release"
  if [ -r "$release" ]; then
    v=$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$release")
  fi
  if [ -z "${v:-}" ]; then
    v=$("$j" -version 2>&1 | sed -n '1s/.*version "\([0-9]*\).*/\1/p')
  fi
  echo "${v:-}"
}

ingestd_find_java() { # [bundled java]: prints the java binary to use, or explains and returns 1
  local found=() c v
  local candidates=()
  [ -n "${INGESTD_JAVA:-}" ] && candidates+=("$INGESTD_JAVA")
  [ -n "${1:-}" ] && candidates+=("$1")
  [ -n "${JAVA_HOME:-}" ] && candidates+=("$JAVA_HOME/bin/java")
  command -v java >/dev/null 2>&1 && candidates+=("$(command -v java)")
  for c in $(ls -d /usr/lib/jvm/*/bin/java 2>/dev/null | sort -rV); do candidates+=("$c"); done
  for c in "${candidates[@]}"; do
    [ -x "$c" ] || continue
    v=$(ingestd_java_major "$c")
    if [ -n "$v" ] && [ "$v" -ge "$INGESTD_MIN_JAVA" ]; then echo "$c"; return 0; fi
    found+=("$c (Java ${v:-unknown})")
  done
  {
    echo "ingestd: needs Java $INGESTD_MIN_JAVA or newer, none found."
    if [ ${#found[@]} -gt 0 ]; then
      echo "  found only: ${found[*]}"
    else
      echo "  found no java at all."
    fi
    echo "  install a JDK $INGESTD_MIN_JAVA (e.g. Temurin) and set INGESTD_JAVA=/path/to/bin/java or JAVA_HOME."
  } >&2
  return 1
}
