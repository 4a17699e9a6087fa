# shellcheck shell=bash
# Sourced by ./mvnw, .ci/run and bin/jbang: points JAVA_HOME at a JDK 25 or stops with what to install.
# Order: $NABLA_JAVA_HOME, $JAVA_HOME, the `java` on PATH, the usual install folders.
nabla_java_major() {
  "$1/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java\.specification\.version = //p' | head -n 1
}
nabla_find_jdk25() {
  local c
  for c in "${NABLA_JAVA_HOME:-}" "${JAVA_HOME:-}" \
           "$(command -v java >/dev/null 2>&1 && dirname "$(dirname "$(readlink -f "$(command -v java)")")")" \
           /usr/lib/jvm/temurin-25* /usr/lib/jvm/java-25* /usr/lib/jvm/jdk-25* /usr/lib/jvm/*-25-* \
           "$HOME"/.sdkman/candidates/java/25* /opt/java/jdk-25* /opt/jdk-25* /Library/Java/JavaVirtualMachines/*25*/Contents/Home; do
    [ -n "$c" ] && [ -x "$c/bin/javac" ] || continue
    if [ "$(nabla_java_major "$c")" = "25" ]; then printf '%s\n' "$c"; return 0; fi
  done
  return 1
}
if NABLA_JDK=$(nabla_find_jdk25); then
  export JAVA_HOME="$NABLA_JDK"
  export PATH="$JAVA_HOME/bin:$PATH"
else
  cat >&2 <<'MSG'
nabla needs a JDK 25 (it uses the jdk.incubator.vector module), and none was found.
Looked at $NABLA_JAVA_HOME, $JAVA_HOME, the java on PATH, /usr/lib/jvm/*25*, ~/.sdkman/candidates/java/25*.
Install one, e.g.:
  Debian/Ubuntu with the Adoptium apt repository:  apt-get install temurin-25-jdk
  SDKMAN:                                          sdk install java 25-tem
then run again, or set NABLA_JAVA_HOME=/path/to/jdk-25.
MSG
  exit 3
fi
