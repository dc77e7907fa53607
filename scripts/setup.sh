#!/usr/bin/env bash
# sdrnet set-up: install every dependency (Debian 12, as root, idempotent),
# build, and then either run the default flowgraph or the whole test suite.
#
#   scripts/setup.sh run    install, build, run flowgraphs/hello.yaml
#   scripts/setup.sh test   install, build, run every test (also under ASan+UBSan),
#                           then every fuzz target under libFuzzer
#   scripts/setup.sh deps   install only
set -euo pipefail

mode=${1:-run}
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
jobs=$(nproc 2>/dev/null || echo 2)

# Build and run-time dependencies (see README, "Dependencies", for why each).
build_pkgs=(build-essential cmake pkg-config libliquid-dev libfec-dev libpcap-dev
            libyaml-dev libjansson-dev zlib1g-dev libsoapysdr-dev soapysdr-tools)
# Test-only tools: tshark reads every capture back; scapy crafts packets;
# clang builds the libFuzzer targets; gnuplot draws plots.
test_pkgs=(tshark python3 python3-scapy clang libclang-rt-14-dev gnuplot-nox)

install_pkgs() {
    local missing=()
    for p in "$@"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
            missing+=("$p")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    echo "setup: installing ${missing[*]}"
    if [ "$(id -u)" -ne 0 ]; then
        echo "setup: need root to install packages (run as root or with sudo)" >&2
        exit 1
    fi
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

build() { # build DIR [cmake args...]
    local dir=$1
    shift
    cmake -S "$top" -B "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSDRNET_WERROR=ON "$@" >/dev/null
    cmake --build "$dir" -j"$jobs"
}

case "$mode" in
deps)
    install_pkgs "${build_pkgs[@]}" "${test_pkgs[@]}"
    ;;
run)
    install_pkgs "${build_pkgs[@]}"
    build build
    ./build/sdrnet run flowgraphs/hello.yaml --out sdrnet-out
    ;;
test)
    install_pkgs "${build_pkgs[@]}" "${test_pkgs[@]}"
    echo "== build (warnings are errors) and test"
    build build
    (cd build && ctest -j"$jobs" --output-on-failure)
    echo "== the same tests under AddressSanitizer + UndefinedBehaviorSanitizer"
    build build-asan -DSDRNET_SANITIZE=ON
    (cd build-asan && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
        ctest -j"$jobs" --output-on-failure)
    echo "== every parser under libFuzzer (clang, coverage-guided, ASan+UBSan), bounded runs"
    build build-fuzz -DCMAKE_C_COMPILER=clang -DSDRNET_FUZZ=ON -DSDRNET_SANITIZE=ON
    (cd build-fuzz && ctest -j"$jobs" --output-on-failure -R '^fuzz[.]')
    ;;
*)
    echo "usage: $0 run|test|deps" >&2
    exit 2
    ;;
esac
