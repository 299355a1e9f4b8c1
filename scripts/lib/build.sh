# shellcheck shell=bash
# The build that gets installed: release, with the Swift runtime and Foundation linked
# statically (no RUNPATH into the toolchain), so it runs on hosts without Swift.
# Sourced by scripts/demo, scripts/package, scripts/test and scripts/bench; sets no shell options.

# Where build_release leaves kvmpolicy and kvmpolicy-hook.
release_bin_dir() { printf '%s/.build/release\n' "$1"; }

# Build both products of the package at $1 (the repository root); progress on stderr.
build_release() {
    local root=$1
    local product
    # By product: a plain build would also build the test-support target, which needs Testing.
    for product in kvmpolicy kvmpolicy-hook; do
        swift build --package-path "$root" -c release --static-swift-stdlib --product "$product" >&2
    done
}
