# SPDX-License-Identifier: Apache-2.0
# Shell helpers for the live snippets of Saker's rule tests (sourced by each test
# file's prelude; POSIX sh). Snippets run as root in their own scratch directory
# ($SAKER_TEST_DIR); nothing here changes the host outside that directory for
# longer than the snippet runs.

# named NAME [PROGRAM]: prints the path of a link called NAME to PROGRAM (default
# true). A process started through it is called NAME (the kernel names a process
# after the file it runs), which is how a test plays nginx, nmap or xmrig without
# installing them.
named() {
    skr_target=${2:-true}
    case $skr_target in
    /*) ;;
    *)
        skr_found=
        skr_ifs=$IFS
        IFS=:
        for d in $PATH; do
            if [ -z "$skr_found" ] && [ -x "$d/$skr_target" ]; then
                skr_found=$d/$skr_target
            fi
        done
        IFS=$skr_ifs
        [ -n "$skr_found" ] || return 92
        skr_target=$skr_found
        ;;
    esac
    mkdir -p "$SAKER_TEST_DIR/bin" || return 92
    ln -sf "$skr_target" "$SAKER_TEST_DIR/bin/$1" || return 92
    printf '%s\n' "$SAKER_TEST_DIR/bin/$1"
}

# sandbox DIR... -- COMMAND...: runs COMMAND in a private mount namespace where each
# DIR is an overlay whose writes land in the scratch directory. The rules see the
# real paths (/etc/passwd, /root/.ssh/...), the host's files never change.
sandbox() {
    skr_dirs=""
    while [ $# -gt 0 ] && [ "$1" != "--" ]; do
        skr_dirs="$skr_dirs $1"
        shift
    done
    shift
    SKR_DIRS=$skr_dirs unshare -m --propagation private /bin/sh -c '
        for d in $SKR_DIRS; do
            s="$SAKER_TEST_DIR/overlay$(printf %s "$d" | tr / _)"
            mkdir -p "$s/upper" "$s/work" || exit 90
            mount -t overlay overlay -o "lowerdir=$d,upperdir=$s/upper,workdir=$s/work" "$d" ||
                exit 90
        done
        exec "$@"' sh "$@"
}

# in_container COMMAND...: runs COMMAND in a cgroup whose path has Docker's shape
# (/docker/<64 hex>, the id derived from the case name), which the container plugin
# reads as a container. The cgroup is removed afterwards.
in_container() {
    skr_id=$(printf %s "$SAKER_TEST_CASE" | sha256sum | cut -c1-64)
    skr_base=
    for b in /sys/fs/cgroup/cpu /sys/fs/cgroup/cpu,cpuacct /sys/fs/cgroup; do
        if [ -e "$b/cgroup.procs" ]; then
            skr_base=$b
            break
        fi
    done
    [ -n "$skr_base" ] || return 91
    skr_made_parent=
    [ -d "$skr_base/docker" ] || skr_made_parent=1
    mkdir -p "$skr_base/docker/$skr_id" || return 91
    sh -c 'echo $$ > "$1/cgroup.procs" && shift && exec "$@"' sh "$skr_base/docker/$skr_id" "$@"
    skr_rc=$?
    rmdir "$skr_base/docker/$skr_id" 2>/dev/null
    [ -z "$skr_made_parent" ] || rmdir "$skr_base/docker" 2>/dev/null
    return $skr_rc
}

# wait_ns PID TYPE: waits until process PID is in a TYPE namespace (uts, net, ...)
# other than the caller's, i.e. until an "unshare ... &" started by the caller has
# made its namespace. Gives up (status 93) after a bounded number of looks.
wait_ns() {
    skr_mine=$(readlink "/proc/self/ns/$2")
    skr_i=0
    while [ "$(readlink "/proc/$1/ns/$2" 2>/dev/null)" = "$skr_mine" ]; do
        skr_i=$((skr_i + 1))
        [ $skr_i -lt 100000 ] || return 93
    done
}
