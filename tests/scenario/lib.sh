# Helpers for scenario tests: run sdrnet, read captures back with tshark.
# Sourced by tests/scenario/test_*.sh; each check prints "ok"/"FAIL" and the
# script exits non-zero if any failed.
set -u
: "${SDRNET:?path to the sdrnet binary}"
: "${SDRNET_SOURCE_DIR:?path to the source tree}"
TMP=${SDRNET_TEST_TMP:-/tmp}/$(basename "$0" .sh).$$
mkdir -p "$TMP"
trap 'rm -rf "$TMP"' EXIT
failures=0
checks=0

ok() { checks=$((checks + 1)); echo "ok   $*"; }
fail() { checks=$((checks + 1)); failures=$((failures + 1)); echo "FAIL $*"; }
check() { # check "description" command...
    local what=$1
    shift
    if "$@"; then ok "$what"; else fail "$what"; fi
}

# Number of packets in pcap $1 matching display filter $2.
count() { tshark -n -r "$1" -Y "$2" 2>/dev/null | wc -l; }

# Malformed packets or dissector errors in a capture.
malformed() {
    tshark -n -r "$1" -Y '_ws.malformed || _ws.expert.severity == "Error"' 2>/dev/null | wc -l
}

done_checks() {
    echo "$((checks - failures)) passed, $failures failed"
    [ "$failures" -eq 0 ]
}
