#!/usr/bin/env bash
# A broken flowgraph gets "FILE:LINE: what is wrong" and exit status 2,
# never a crash.
. "$(dirname "$0")/lib.sh"

try() { # try NAME EXPECTED_LINE PATTERN <<< yaml
    local f=$TMP/$1.yaml
    cat >"$f"
    "$SDRNET" run "$f" --out "$TMP/out-$1" >"$TMP/$1.out" 2>"$TMP/$1.err"
    local rc=$?
    if [ $rc -eq 2 ] && grep -q "^$f:$2: .*$3" "$TMP/$1.err"; then
        ok "$1: exit 2, '$(head -1 "$TMP/$1.err")'"
    else
        fail "$1: exit $rc, stderr: $(head -3 "$TMP/$1.err")"
    fi
}

try unknown_medium 6 "air2" <<'Y'
name: t
media:
  - {name: air, type: radio}
nodes:
  - name: A
    interfaces: [{name: rf0, medium: air2}]
Y
try bad_mac 5 "MAC" <<'Y'
name: t
media: [{name: air}]
nodes:
  - name: A
    interfaces: [{name: rf0, medium: air, mac: "AA:BB"}]
Y
try syntax 3 "" <<'Y'
name: t
media: [{name: air}
nodes: [
Y
try unknown_key 2 "snr" <<'Y'
name: t
media: [{name: air, snr: 3}]
Y
try bad_ip 5 "192.168.1.300" <<'Y'
name: t
media: [{name: air}]
nodes:
  - name: A
    interfaces: [{name: rf0, medium: air, ipv4: 192.168.1.300/24}]
Y
printf '\x00\xff\xfe garbage' > "$TMP/binary.yaml"
"$SDRNET" run "$TMP/binary.yaml" --out "$TMP/out-bin" >/dev/null 2>"$TMP/bin.err"
rc=$?
check "binary garbage: exit 2 with file:line" bash -c "test $rc -eq 2 && grep -q '^$TMP/binary.yaml:[0-9]*: ' '$TMP/bin.err'"
: >"$TMP/empty.yaml"
"$SDRNET" run "$TMP/empty.yaml" --out "$TMP/out-empty" >/dev/null 2>"$TMP/empty.err"
rc=$?
check "empty file: exit 2 with file:line" bash -c "test $rc -eq 2 && grep -q '^$TMP/empty.yaml:[0-9]*: ' '$TMP/empty.err'"

done_checks
