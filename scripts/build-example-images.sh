#!/usr/bin/env bash
# Builds the images the examples under examples/ use, from Debian packages, without a container
# engine or a registry:
#
#   build-example-images.sh OUTDIR
#
#   OUTDIR/busybox.tar  peapod/busybox:latest  busybox-static (scripts/build-test-image.sh)
#   OUTDIR/nginx.tar    peapod/nginx:example   Debian's nginx binary and its shared libraries on the
#                                              busybox image; Cmd nginx -g "daemon off;", a main config
#                                              that includes /etc/nginx/conf.d/*.conf (mount a
#                                              ConfigMap there), logs to stdout/stderr, temp files in /tmp
#   OUTDIR/git.tar      peapod/git:example     Debian's git on the busybox image
#
# The .deb files are fetched with `apt-get download` into PEAPOD_DEB_CACHE (default
# .peapod/debs in the clone) once and unpacked with dpkg-deb -x (nothing is installed on the host);
# the shared libraries come from this host, as `ldd` finds them. Images are rebuilt only when
# missing or older than this script. Load them with `peapod image load OUTDIR/*.tar`.
set -euo pipefail
export LC_ALL=C

here=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
root=${here%/scripts}
die() { printf 'build-example-images: %s\n' "$*" >&2; exit 1; }
(($# == 1)) || die "usage: build-example-images.sh OUTDIR"
out=$1
mkdir -p "$out"
cache=${PEAPOD_DEB_CACHE:-$root/.peapod/debs}
mkdir -p "$cache"

fresh() { [[ -f $1 && $1 -nt ${BASH_SOURCE[0]} && $1 -nt $here/build-test-image.sh ]]; }

# Unpacks the named Debian packages (current candidate version) into $2 and prints nothing.
unpack() {
  local dir=$1; shift
  local pkg deb
  for pkg in "$@"; do
    deb=$(find "$cache" -maxdepth 1 -name "${pkg}_*.deb" -print -quit)
    if [[ -z $deb ]]; then
      (cd "$cache" && apt-get download "$pkg" >/dev/null 2>&1) \
        || die "failed to download the Debian package $pkg (apt-get download $pkg): is a Debian mirror reachable?"
      deb=$(find "$cache" -maxdepth 1 -name "${pkg}_*.deb" -print -quit)
      [[ -n $deb ]] || die "apt-get download $pkg left no .deb in $cache"
    fi
    dpkg-deb -x "$deb" "$dir"
  done
}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

if ! fresh "$out/busybox.tar"; then
  bash "$here/build-test-image.sh" "$out/busybox.tar"
fi

if ! fresh "$out/nginx.tar"; then
  unpack "$work/nginx" nginx nginx-common
  cat >"$work/nginx.conf" <<'CONF'
# peapod/nginx:example: the site configuration comes from /etc/nginx/conf.d/*.conf (a ConfigMap).
worker_processes 1;
pid /tmp/nginx.pid;
error_log stderr notice;
events { worker_connections 256; }
http {
    include /etc/nginx/mime.types;
    access_log /dev/stdout;
    client_body_temp_path /tmp/nginx-body;
    proxy_temp_path /tmp/nginx-proxy;
    fastcgi_temp_path /tmp/nginx-fastcgi;
    uwsgi_temp_path /tmp/nginx-uwsgi;
    scgi_temp_path /tmp/nginx-scgi;
    include /etc/nginx/conf.d/*.conf;
}
CONF
  printf '%s\n' 'root:x:0:' 'nobody:x:65534:' 'nogroup:x:65534:' >"$work/group"
  bash "$here/build-test-image.sh" "$out/nginx.tar" --tag peapod/nginx:example \
    --binary "$work/nginx/usr/sbin/nginx:/usr/sbin/nginx" \
    --file "$work/nginx/etc/nginx/mime.types:/etc/nginx/mime.types" \
    --file "$work/nginx.conf:/etc/nginx/nginx.conf" \
    --file "$work/group:/etc/group" \
    --mkdir /etc/nginx/conf.d --mkdir /var/lib/nginx --mkdir /var/log/nginx --mkdir /run \
    --cmd nginx --cmd -g --cmd 'daemon off;'
fi

if ! fresh "$out/git.tar"; then
  unpack "$work/git" git
  bash "$here/build-test-image.sh" "$out/git.tar" --tag peapod/git:example \
    --binary "$work/git/usr/bin/git:/usr/bin/git" \
    --binary "$work/git/usr/lib/git-core/git:/usr/lib/git-core/git-upload-pack" \
    --mkdir /usr/share/git-core/templates --env GIT_CONFIG_NOSYSTEM=1 --env HOME=/tmp
fi
