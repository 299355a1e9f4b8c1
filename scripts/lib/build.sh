# shellcheck shell=bash
# The build that gets installed: release, with the Swift runtime and Foundation linked
# statically (no RUNPATH into the toolchain), so it runs on hosts without Swift.
# Sourced by scripts/demo, scripts/package and scripts/test; sets no shell options.
#
# build_release ROOT            incremental, in ROOT/.build (scripts/demo)
# build_release ROOT --clean    from scratch, in ROOT/.build-package (what scripts/package ships)
#
# Why a clean build for the package: an incremental build does not always rebuild the modules
# that depend on a struct that gained a stored property (swift-package-manager issue #10502), and
# here that has twice produced binaries that crash at once (the hook among them); a clean build
# never has. What is shipped, and what the tests install, is always built clean.

# Where build_release leaves kvmpolicy and kvmpolicy-hook: release_bin_dir ROOT [--clean].
release_bin_dir() {
    if [[ ${2:-} == --clean ]]; then
        printf '%s/.build-package/release\n' "$1"
    else
        printf '%s/.build/release\n' "$1"
    fi
}

# Build both products of the package at $1 (the repository root); progress on stderr.
build_release() {
    local root=$1 scratch=$1/.build product
    if [[ ${2:-} == --clean ]]; then
        scratch=$root/.build-package
        # The compiled modules go; the fetched dependencies stay.
        rm -rf "$scratch/x86_64-unknown-linux-gnu" "$scratch/aarch64-unknown-linux-gnu" "$scratch/release"
    fi
    # By product: a plain build would also build the test-support target, which needs Testing.
    for product in kvmpolicy kvmpolicy-hook; do
        swift build --package-path "$root" --scratch-path "$scratch" -c release --static-swift-stdlib --product "$product" >&2
    done
}
