# shellcheck shell=bash
# Shared by bench/run and bench/run-probes (sourced after $root, $work, $DATA_DIR, $java and
# $PEAPOD_JDK are set, with say/die defined; defines functions and nothing else).

# Builds the project through the launcher. The tree may be mid-edit (work goes on here): a failing
# build is tried again every 20 s for 10 minutes.
bench_build() {
  local attempt
  say "building the project (./peapod --version)"
  for ((attempt = 1; ; attempt++)); do
    ./peapod --version >&2 && break
    ((attempt < 30)) || die "failed to build the project"
    say "the project does not build right now; trying again in 20 s"
    sleep 20
  done
}

# Builds the project's busybox test image into $work/busybox-docker.tar; sets image and image_id.
bench_image() {
  image=$work/busybox-docker.tar
  bash scripts/build-test-image.sh "$image" --format docker 2>/dev/null || die "failed to build the test image"
  image_id=$(tar -xOf "$image" manifest.json | sed -n 's/.*"Config":"\([0-9a-f]*\)\.json".*/\1/p')
}

# Loads the test image (bench_image) into Peapod's store in $DATA_DIR unless it is there.
bench_load_peapod_image() {
  if ! ./peapod image ls -q --data-dir "$DATA_DIR" 2>/dev/null | grep -q "^${image_id:0:12}"; then
    say "loading the test image into Peapod's store ($DATA_DIR)"
    ./peapod image load --data-dir "$DATA_DIR" "$image" >&2 || die "failed to load the test image into Peapod"
  fi
}

# The harness runs on a copy of the built jars, so that a rebuild in the tree during the bench
# (other work goes on here) cannot change the engine under a running JVM.
# The copy is taken under the launcher's build lock, so never from a half-written build.
bench_compile() {
  rm -rf "${work:?}/lib" "${work:?}/classes"
  mkdir -p "$work/lib" "$root/.peapod"
  flock "$root/.peapod/build.lock" cp cli/target/lib/*.jar "$work/lib/" || die "failed to copy the built jars"
  "$PEAPOD_JDK/bin/javac" --release 25 -nowarn -XDsuppressNotes -cp "$work/lib/*" -d "$work/classes" \
    bench/src/dev/peapod/bench/*.java >"$work/javac.log" 2>&1 || { cat "$work/javac.log" >&2; die "failed to compile the harness"; }
}

# Sweeps Peapod containers, monitors and mounts a killed harness left under the run dir named in
# the file $1 (written by the harness) and under $DATA_DIR/pods. Processes are ended by pid, and
# only those of this bench (their arguments name our dirs).
bench_sweep_peapod() {
  local run_dir_file=$1 rd id pid
  [[ -f $run_dir_file ]] || return 0
  rd=$(<"$run_dir_file")
  [[ $rd == /run/peapod* ]] || return 0
  for id in $(crun --root "$rd/crun" list -q 2>/dev/null || true); do
    crun --root "$rd/crun" delete -f "$id" >/dev/null 2>&1 || true
  done
  for pid in $(ps -eo pid=,comm=,args= | awk -v d="$rd/" '$2 == "conmon" && index($0, d) {print $1}'); do
    kill -KILL "$pid" 2>/dev/null || true
  done
  awk -v a="$rd/" -v b="$DATA_DIR/pods/" 'index($5, a) == 1 || index($5, b) == 1 {print $5}' /proc/self/mountinfo \
    | sort -r | while read -r m; do umount -l "$m" 2>/dev/null || true; done
}

# Asks the harness ($harness_pid) to stop (it stops and removes what it started); kills it after 60 s.
bench_stop_harness() {
  [[ -n $harness_pid ]] && kill -0 "$harness_pid" 2>/dev/null || return 0
  say "stopping the harness (it stops and removes what it started)"
  kill -TERM "$harness_pid" 2>/dev/null || true
  local i
  for ((i = 0; i < 120; i++)); do kill -0 "$harness_pid" 2>/dev/null || return 0; sleep 0.5; done
  say "the harness did not stop within 60 s; killing it"
  kill -KILL "$harness_pid" 2>/dev/null || true
}
