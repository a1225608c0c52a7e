#!/usr/bin/env bash
# Builds Peapod's test image, peapod/busybox:latest, from Debian's static busybox, without a
# container engine or network:
#
#   build-test-image.sh OUT.tar [--format oci|docker] [--tag NAME] [--env KEY=VALUE]... [--file SRC:DEST]...
#                       [--binary SRC:DEST]... [--mkdir DEST]... [--cmd ARG]...
#
# The root filesystem is /bin/busybox with a symlink per applet (`busybox --list`) in /bin,
# /etc/passwd (root, nobody 65534), /etc/group, /tmp (1777), /root (0700), /var/www, plus any
# --file copies, --binary copies (a dynamically linked program with the shared libraries `ldd`
# resolves for it on this host, at the same paths) and --mkdir directories (0755). --cmd replaces
# the default Cmd ["sh"] (repeat it for each argument). The config leaves Entrypoint unset, has Cmd ["sh"] and
# Env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin plus any --env.
# It has one gzip layer. OUT.tar is an OCI image-layout archive (image-spec image-layout.md;
# index.json names the image with org.opencontainers.image.ref.name) or, with --format docker,
# a `docker save` archive (manifest.json with Config, RepoTags, Layers).
#
# The output is deterministic: the same busybox and options give the same bytes (fixed mtimes
# and owners, sorted tar entries, gzip -n), so the image id is stable across builds.
# Needs only bash, coreutils, tar, gzip and busybox (BUSYBOX=/path overrides /bin/busybox).
set -euo pipefail
export LC_ALL=C

PATH_ENV='PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'
EPOCH='1970-01-01T00:00:00Z'
BUSYBOX=${BUSYBOX:-/bin/busybox}

die() { printf 'build-test-image: %s\n' "$*" >&2; exit 1; }
usage() { sed -n '2,18s/^# \{0,1\}//p' "$0" >&2; exit 2; }

out='' format=oci tag='peapod/busybox:latest'
envs=() files=() binaries=() dirs=() cmd=()
while (($# > 0)); do
  case $1 in
    --format) (($# >= 2)) || usage; format=$2; shift 2 ;;
    --tag) (($# >= 2)) || usage; tag=$2; shift 2 ;;
    --env) (($# >= 2)) || usage; envs+=("$2"); shift 2 ;;
    --file) (($# >= 2)) || usage; files+=("$2"); shift 2 ;;
    --binary) (($# >= 2)) || usage; binaries+=("$2"); shift 2 ;;
    --mkdir) (($# >= 2)) || usage; dirs+=("$2"); shift 2 ;;
    --cmd) (($# >= 2)) || usage; cmd+=("$2"); shift 2 ;;
    -h|--help) usage ;;
    -*) die "unknown option $1" ;;
    *) [[ -z $out ]] || die "only one output file, got $out and $1"; out=$1; shift ;;
  esac
done
[[ -n $out ]] || usage
[[ $format == oci || $format == docker ]] || die "--format must be oci or docker, not $format"
[[ -x $BUSYBOX ]] || die "failed to find busybox at $BUSYBOX: install busybox-static (apt-get install busybox-static)"
# A familiar reference: [host[:port]/]path[:tag]; the tag defaults to latest.
[[ $tag =~ ^([a-zA-Z0-9.-]+(:[0-9]+)?/)?[a-z0-9]+([._-]+[a-z0-9]+)*(/[a-z0-9]+([._-]+[a-z0-9]+)*)*(:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?$ ]] \
  || die "invalid --tag $tag"
[[ ${tag##*/} == *:* ]] || tag="$tag:latest"
for kv in "${envs[@]}"; do [[ $kv == [A-Za-z_]*=* ]] || die "--env wants KEY=VALUE, got $kv"; done

# JSON string literal; refuses control characters rather than escaping them.
json_str() {
  local s=$1
  [[ $s != *[[:cntrl:]]* ]] || die "control characters are not supported in: $s"
  s=${s//\\/\\\\}
  s=${s//\"/\\\"}
  printf '"%s"' "$s"
}
sha() { sha256sum "$1" | cut -d' ' -f1; }
size() { stat -c %s "$1"; }
arch() {
  case $(uname -m) in
    x86_64) echo amd64 ;;
    aarch64) echo arm64 ;;
    *) uname -m ;;
  esac
}
# Deterministic tar: sorted names, one mtime, root-owned, no atime/ctime, no pid in header names.
det_tar() {
  tar --sort=name --format=posix \
    --pax-option='exthdr.name=%d/PaxHeaders/%f,delete=atime,delete=ctime' \
    --mtime=@0 --owner=0 --group=0 --numeric-owner "$@"
}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
umask 022

# The shared libraries (and the dynamic loader) ldd resolves for $1 on this host, copied into the
# rootfs $2 at the paths the program asks for. A library ldd cannot find is an error naming it.
copy_libs() {
  local bin=$1 rootfs=$2 line lib
  command -v ldd >/dev/null || die "failed to find ldd (apt-get install libc-bin)"
  while IFS= read -r line; do
    [[ $line == *"not found"* ]] && die "$bin needs ${line%% *}, which this host does not have: install the package that ships it"
    lib=
    if [[ $line == *" => /"* ]]; then lib=${line#* => }; lib=${lib%% (*}
    elif [[ $line == [[:space:]]/* ]]; then lib=${line#"${line%%[![:space:]]*}"}; lib=${lib%% (*}
    fi
    [[ -n $lib && -e $lib ]] || continue
    mkdir -p "$rootfs$(dirname "$lib")"
    cp -L "$lib" "$rootfs$lib"
  done < <(ldd "$bin" 2>/dev/null || true)
}

build_rootfs() {
  local rootfs=$work/rootfs applet spec src dest
  mkdir -p "$rootfs"/{bin,etc,tmp,root,var/www}
  cp "$BUSYBOX" "$rootfs/bin/busybox"
  chmod 0755 "$rootfs/bin/busybox"
  for applet in $("$BUSYBOX" --list | sort); do
    [[ $applet == busybox ]] || ln -s busybox "$rootfs/bin/$applet"
  done
  printf '%s\n' 'root:x:0:0:root:/root:/bin/sh' 'nobody:x:65534:65534:nobody:/nonexistent:/bin/false' \
    >"$rootfs/etc/passwd"
  printf '%s\n' 'root:x:0:' 'nobody:x:65534:' >"$rootfs/etc/group"
  for spec in "${files[@]}"; do
    src=${spec%%:*} dest=${spec#*:}
    [[ $spec == *:/* && -f $src ]] || die "--file wants SRC:/DEST with SRC a file, got $spec"
    [[ /$dest/ != */../* ]] || die "--file destination may not contain .., got $dest"
    mkdir -p "$rootfs$(dirname "$dest")"
    cp "$src" "$rootfs$dest"
  done
  for spec in "${binaries[@]}"; do
    src=${spec%%:*} dest=${spec#*:}
    [[ $spec == *:/* && -f $src ]] || die "--binary wants SRC:/DEST with SRC a file, got $spec"
    [[ /$dest/ != */../* ]] || die "--binary destination may not contain .., got $dest"
    mkdir -p "$rootfs$(dirname "$dest")"
    cp "$src" "$rootfs$dest"
    chmod 0755 "$rootfs$dest"
    copy_libs "$src" "$rootfs"
  done
  for dest in "${dirs[@]}"; do
    [[ $dest == /* && /$dest/ != */../* ]] || die "--mkdir wants an absolute path without .., got $dest"
    mkdir -p "$rootfs$dest"
    chmod 0755 "$rootfs$dest"
  done
  chmod 0755 "$rootfs" "$rootfs"/{bin,etc,var,var/www}
  chmod 0644 "$rootfs"/etc/{passwd,group}
  chmod 1777 "$rootfs/tmp"
  chmod 0700 "$rootfs/root"
}

build_layer() {
  det_tar -C "$work/rootfs" -cf "$work/layer.tar" .
  gzip -n -9 <"$work/layer.tar" >"$work/layer.tar.gz"
  diff_id=sha256:$(sha "$work/layer.tar")
  layer_hex=$(sha "$work/layer.tar.gz")
  layer_size=$(size "$work/layer.tar.gz")
}

build_config() {
  local env_json kv
  env_json=$(json_str "$PATH_ENV")
  for kv in "${envs[@]}"; do env_json+=,$(json_str "$kv"); done
  local cmd_json='"sh"' arg
  if ((${#cmd[@]})); then
    cmd_json=
    for arg in "${cmd[@]}"; do cmd_json+=${cmd_json:+,}$(json_str "$arg"); done
  fi
  printf '{"architecture":"%s","config":{"Cmd":[%s],"Env":[%s]},"created":"%s","history":[{"created":"%s","created_by":"scripts/build-test-image.sh"}],"os":"linux","rootfs":{"diff_ids":["%s"],"type":"layers"}}' \
    "$(arch)" "$cmd_json" "$env_json" "$EPOCH" "$EPOCH" "$diff_id" >"$work/config.json"
  config_hex=$(sha "$work/config.json")
  config_size=$(size "$work/config.json")
}

write_oci() {
  local dir=$work/out manifest_hex
  mkdir -p "$dir/blobs/sha256"
  cp "$work/layer.tar.gz" "$dir/blobs/sha256/$layer_hex"
  cp "$work/config.json" "$dir/blobs/sha256/$config_hex"
  printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:%s","size":%s},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"sha256:%s","size":%s}]}' \
    "$config_hex" "$config_size" "$layer_hex" "$layer_size" >"$work/manifest.json"
  manifest_hex=$(sha "$work/manifest.json")
  printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:%s","size":%s,"annotations":{"org.opencontainers.image.ref.name":%s}}]}' \
    "$manifest_hex" "$(size "$work/manifest.json")" "$(json_str "$tag")" >"$dir/index.json"
  mv "$work/manifest.json" "$dir/blobs/sha256/$manifest_hex"
  printf '{"imageLayoutVersion":"1.0.0"}' >"$dir/oci-layout"
  det_tar -C "$dir" -cf "$work/image.tar" oci-layout index.json blobs
}

write_docker() {
  local dir=$work/out
  mkdir -p "$dir/$layer_hex"
  # Docker sniffs layer compression, so a gzip layer.tar loads (as podman's docker-archive does).
  cp "$work/layer.tar.gz" "$dir/$layer_hex/layer.tar"
  cp "$work/config.json" "$dir/$config_hex.json"
  printf '[{"Config":"%s.json","RepoTags":[%s],"Layers":["%s/layer.tar"]}]' \
    "$config_hex" "$(json_str "$tag")" "$layer_hex" >"$dir/manifest.json"
  printf '{%s:{%s:"%s"}}' "$(json_str "${tag%:*}")" "$(json_str "${tag##*:}")" "$layer_hex" >"$dir/repositories"
  det_tar -C "$dir" -cf "$work/image.tar" manifest.json repositories "$config_hex.json" "$layer_hex"
}

build_rootfs
build_layer
build_config
"write_$format"
# Rename into place so a reader never sees a half-written archive.
cp "$work/image.tar" "$out.tmp.$$"
mv "$out.tmp.$$" "$out"
printf 'build-test-image: wrote %s (%s, %s, image id sha256:%s)\n' "$out" "$format" "$tag" "$config_hex" >&2
