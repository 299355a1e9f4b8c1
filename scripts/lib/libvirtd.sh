# shellcheck shell=bash
# Helpers to run a system libvirtd (QEMU driver) without systemd.
# Sourced by scripts/setup and scripts/restart-libvirtd; sets no shell options.
# Processes are only ever addressed by the pid in their pid file.

LIBVIRT_URI=${LIBVIRT_URI:-qemu:///system}
LIBVIRTD_PIDFILE=/run/libvirtd.pid
VIRTLOGD_PIDFILE=/run/virtlogd.pid
LIBVIRTD_LOG=/var/log/libvirt/libvirtd.log
# Warnings and errors go to the file above (libvirt levels: 1 debug .. 4 error).
LIBVIRTD_LOG_OUTPUTS=${LIBVIRTD_LOG_OUTPUTS:-3:file:${LIBVIRTD_LOG}}
LIBVIRTD_WAIT=${LIBVIRTD_WAIT:-30} # seconds to wait until it answers
# libvirtd gives its own shutdown up to 30 s before forcing it.
LIBVIRTD_STOP_WAIT=${LIBVIRTD_STOP_WAIT:-45}
# CPUs libvirtd runs on ("" = no pinning). On this sandbox the host CPUID that
# libvirt records differs between the 2 vCPUs, so an unpinned libvirtd finds
# its QEMU capabilities cache "outdated" on about half of its starts and
# re-probes QEMU for ~8 s. Guests still get all CPUs (libvirt resets affinity).
LIBVIRTD_CPUS=${LIBVIRTD_CPUS-0}

# Run a command with every signal unblocked and at its default disposition, and no descriptor
# open but 0, 1 and 2. A daemon inherits its starter's signal mask: started from a test runner
# that blocks SIGTERM in its threads, libvirtd would ignore SIGTERM and take the full stop
# timeout to die. It inherits open descriptors too: a flock held by whoever restarted it (the
# real-libvirtd lock) would stay held for the daemon's life. perl-base is essential.
lv_clean_signals() {
    env --default-signal perl -MPOSIX -e \
        'sigprocmask(SIG_SETMASK, POSIX::SigSet->new) or die "sigprocmask: $!"; POSIX::close($_) for 3 .. 1023; exec { $ARGV[0] } @ARGV or die "exec $ARGV[0]: $!"' \
        "$@"
}

lv_log() { printf '%s: %s\n' "${0##*/}" "$*" >&2; }

lv_die() {
    lv_log "error: $*"
    exit 1
}

# Print the pid from pid file $1 if that process is alive and is named $2.
lv_pid_from_file() {
    local file=$1 name=$2 pid comm
    [[ -r $file ]] || return 1
    read -r pid <"$file" || [[ -n ${pid:-} ]] || return 1
    [[ $pid =~ ^[0-9]+$ ]] || return 1
    # kill -0 fails with EPERM for non-root callers; /proc works for anyone.
    kill -0 "$pid" 2>/dev/null || [[ -d /proc/$pid ]] || return 1
    # Guard against a stale pid file whose pid was reused.
    read -r comm 2>/dev/null <"/proc/$pid/comm" || return 1
    [[ $comm == "$name" ]] || return 1
    printf '%s\n' "$pid"
}

libvirtd_pid() { lv_pid_from_file "$LIBVIRTD_PIDFILE" libvirtd; }
virtlogd_pid() { lv_pid_from_file "$VIRTLOGD_PIDFILE" virtlogd; }

# True if libvirtd answers on $LIBVIRT_URI.
libvirtd_answers() {
    timeout 10 virsh -q -c "$LIBVIRT_URI" uri >/dev/null 2>&1
}

# Show the end of the libvirtd log on stderr.
lv_log_tail() {
    [[ -r $LIBVIRTD_LOG ]] || return 0
    lv_log "last lines of $LIBVIRTD_LOG:"
    tail -n 15 "$LIBVIRTD_LOG" >&2 || true
}

start_virtlogd() {
    virtlogd_pid >/dev/null && return 0
    lv_log "starting virtlogd"
    mkdir -p /run/libvirt
    # Detach the daemon from our stdout/stderr: a caller reading them through a pipe
    # (a test, CI) would otherwise wait for the daemon to exit.
    lv_clean_signals virtlogd -d </dev/null >/dev/null 2>&1 || lv_die "virtlogd -d failed"
}

# Wait until libvirtd answers; fail early if its process is gone.
wait_libvirtd() {
    local i
    for ((i = 0; i < LIBVIRTD_WAIT * 5; i++)); do
        libvirtd_answers && return 0
        # -d forks, so give the pid file a moment to appear.
        if ((i >= 10)) && ! libvirtd_pid >/dev/null; then
            lv_log_tail
            lv_die "libvirtd exited during startup; see $LIBVIRTD_LOG"
        fi
        sleep 0.2
    done
    lv_log_tail
    lv_die "libvirtd did not answer on $LIBVIRT_URI within ${LIBVIRTD_WAIT}s; see $LIBVIRTD_LOG"
}

# Start virtlogd and libvirtd unless already running; wait until it answers.
start_libvirtd() {
    start_virtlogd
    if ! libvirtd_pid >/dev/null; then
        if libvirtd_answers; then
            # Some other libvirtd (not ours, no pid file) already serves the URI.
            return 0
        fi
        lv_log "starting libvirtd (log: $LIBVIRTD_LOG)"
        mkdir -p "${LIBVIRTD_LOG%/*}" /run/libvirt
        local pin=()
        if [[ -n $LIBVIRTD_CPUS ]] && command -v taskset >/dev/null; then
            pin=(taskset -c "$LIBVIRTD_CPUS")
        fi
        LIBVIRT_LOG_OUTPUTS=$LIBVIRTD_LOG_OUTPUTS lv_clean_signals "${pin[@]}" libvirtd -d </dev/null >>"$LIBVIRTD_LOG" 2>&1 ||
            lv_die "libvirtd -d failed; see $LIBVIRTD_LOG"
        wait_libvirtd
        # Warm the QEMU capabilities cache (~8 s when cold, instant after)
        # so the first guest start of a test run is not slow.
        timeout 120 virsh -q -c "$LIBVIRT_URI" capabilities >/dev/null 2>&1 ||
            lv_log "warning: virsh capabilities failed; see $LIBVIRTD_LOG"
        return 0
    fi
    wait_libvirtd
}

# Stop libvirtd by the pid in its pid file and wait until it is gone.
# Running guests keep running; libvirtd reconnects to them on start.
stop_libvirtd() {
    local pid i
    pid=$(libvirtd_pid) || return 0
    lv_log "stopping libvirtd (pid $pid)"
    kill -TERM "$pid" 2>/dev/null || return 0
    for ((i = 0; i < LIBVIRTD_STOP_WAIT * 10; i++)); do
        kill -0 "$pid" 2>/dev/null || return 0
        sleep 0.1
    done
    lv_log "libvirtd (pid $pid) ignored SIGTERM for ${LIBVIRTD_STOP_WAIT}s; sending SIGKILL"
    kill -KILL "$pid" 2>/dev/null || return 0
    for ((i = 0; i < 50; i++)); do
        kill -0 "$pid" 2>/dev/null || return 0
        sleep 0.1
    done
    lv_die "libvirtd (pid $pid) would not exit"
}

# Restart libvirtd (e.g. so it rescans /etc/libvirt/hooks) and wait until it answers.
restart_libvirtd() {
    stop_libvirtd
    start_libvirtd
}

# Destroy and undefine every leftover test guest (kvmpolicy-test-*, kvmpolicy-bench-*) on
# $LIBVIRT_URI. Never touches any other domain.
remove_test_guests() {
    local name
    libvirtd_answers || return 0
    while read -r name; do
        [[ $name =~ ^kvmpolicy-(test|bench)- ]] || continue
        lv_log "removing leftover test guest $name"
        virsh -q -c "$LIBVIRT_URI" destroy "$name" >/dev/null 2>&1 || true
        virsh -q -c "$LIBVIRT_URI" undefine "$name" >/dev/null 2>&1 || true
    done < <(virsh -q -c "$LIBVIRT_URI" list --all --name 2>/dev/null)
}

# Put the Swift toolchain on PATH where it is installed but not yet on PATH.
find_swift() {
    command -v swift >/dev/null && return 0
    local dir
    for dir in /opt/swift/usr/bin /usr/share/swift/usr/bin; do
        if [[ -x $dir/swift ]]; then
            PATH=$dir:$PATH
            export PATH
            return 0
        fi
    done
    lv_die "swift is not installed (expected on PATH or in /opt/swift/usr/bin)"
}
