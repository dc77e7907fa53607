#!/usr/bin/env bash
# The sdrnet virtual SoapySDR device (driver=sdrnet, phy/soapy_module): SoapySDR
# finds it, `sdrnet devices` lists it, and two processes exchange frames
# through it with the same code real dongles use (phy/radio_soapy.c).
# Skipped (passes) when the build has no SoapySDR or no module.
. "$(dirname "$0")/lib.sh"

# The virtual device runs in real time. 1 MS/s: the OFDM receiver decodes
# far faster than that on one core (see README, Speed), even under the
# sanitizers on a CI machine that runs other tests beside this one.
rate=1e6
export SDRNET_LINK_RATE=1000000
: "${SDRNET_BUILD_DIR:?build directory}"

module_dir=$SDRNET_BUILD_DIR/phy/soapy_module
link=$SDRNET_BUILD_DIR/tests/tools/sdrnet_soapy_link
if [ ! -f "$module_dir/libsdrnetSupport.so" ] || [ ! -x "$link" ] || ! command -v SoapySDRUtil >/dev/null; then
    echo "skip: built without SoapySDR, its module or SoapySDRUtil"
    exit 0
fi
export SOAPY_SDR_PLUGIN_PATH=$module_dir
# a medium of our own: parallel runs must not hear each other
medium=test$$x$RANDOM
export TMPDIR=$TMP

timeout 20 SoapySDRUtil --find=driver=sdrnet >"$TMP/find.txt" 2>&1
check "SoapySDRUtil --find=driver=sdrnet lists the module" grep -q "driver = sdrnet" "$TMP/find.txt"

# `sdrnet devices` once the CLI has it; until then the same code through the tool
if timeout 20 "$SDRNET" devices >"$TMP/devices.txt" 2>&1; then :; else
    timeout 20 "$link" devices >"$TMP/devices.txt" 2>&1
fi
check "sdrnet devices shows the virtual device" grep -q "driver sdrnet" "$TMP/devices.txt"
check "with its frequency range" grep -q "frequency    1-6000 MHz" "$TMP/devices.txt"

# Two processes: rx first (it prints "ready" once it is on the medium), then tx.
exchange() { # exchange NAME RX_EXTRA TX_EXTRA
    local name=$1 rx_args="driver=sdrnet,medium=$medium$2" tx_args="driver=sdrnet,medium=$medium$3"
    rm -f "$TMP/$name.rx"
    timeout 20 "$link" rx "soapy:$rx_args" 20 10 >"$TMP/$name.rx" 2>&1 &
    local rx_pid=$!
    for _ in $(seq 100); do
        grep -q ready "$TMP/$name.rx" 2>/dev/null && break
        sleep 0.1
    done
    local t0=$SECONDS
    timeout 20 "$link" tx "soapy:$tx_args" 20 >"$TMP/$name.tx" 2>&1
    local tx_rc=$?
    wait $rx_pid
    local rx_rc=$? dt=$((SECONDS - t0))
    local got
    got=$(sed -n 's/^decoded \([0-9]*\) of 20.*/\1/p' "$TMP/$name.rx")
    echo "     $name: decoded ${got:-0} of 20 in ${dt}s; $(grep '^rx:' "$TMP/$name.rx")"
    check "$name: both processes ran" test "$tx_rc" -eq 0 -a "$rx_rc" -eq 0
    check "$name: >= 19 of 20 frames decoded bit-exact" test "${got:-0}" -ge 19
    check "$name: within 10 s" test "$dt" -le 10
    if [ "${got:-0}" -lt 19 ]; then cat "$TMP/$name.rx" "$TMP/$name.tx"; fi
}
exchange "plain" "" ""
# a frequency offset and more noise, and the half-duplex turnaround on tx
exchange "cfo+noise+half-duplex" ",cfo_hz=300,noise_db=-30" ",half_duplex=1"
grep -q "CFO +3[0-9][0-9] Hz" "$TMP/cfo+noise+half-duplex.rx"
check "the receiver measures the medium's 300 Hz offset" test $? -eq 0

# The same through the CLI: `sdrnet rx` and `sdrnet tx` on the virtual device.
cli_medium=${medium}cli
members=$TMP/sdrnet-soapy-$(id -u)/$cli_medium
t0=$SECONDS
timeout 20 "$SDRNET" rx --radio "soapy:driver=sdrnet,medium=$cli_medium" --samplerate "$rate" \
    --json --duration 6 >"$TMP/cli.rx.json" 2>"$TMP/cli.rx.err" &
rx_pid=$!
# the receiver is on the medium once its socket is there; then give its
# stream a moment to start
for _ in $(seq 100); do
    [ -n "$(ls -A "$members" 2>/dev/null)" ] && break
    sleep 0.1
done
sleep 0.5
# 100 frames of 1500 bytes back to back (about 1.1 s of air at 1 MS/s):
# the receiver must keep up in real time and separate bursts that touch
timeout 20 "$SDRNET" tx --radio "soapy:driver=sdrnet,medium=$cli_medium" --samplerate "$rate" \
    --count 100 --size 1500 --rate qam16-1/2 >"$TMP/cli.tx" 2>&1
tx_rc=$?
wait $rx_pid
rx_rc=$?
dt=$((SECONDS - t0))
check "CLI: sdrnet tx and sdrnet rx --duration both exit 0" test "$tx_rc" -eq 0 -a "$rx_rc" -eq 0
check "CLI: sdrnet rx decodes >= 98 of the 100 back-to-back frames, no overflow" python3 - "$TMP/cli.rx.json" <<'PY'
import json, sys
rx = json.load(open(sys.argv[1]))
assert rx["frames_ok"] >= 98 and rx["overflows"] == 0, {k: v for k, v in rx.items() if k != "frames"}
assert all(f["bytes"] == 1518 and f["rate"] == "qam16-1/2" for f in rx["frames"] if f["crc_ok"]), rx["frames"][:3]
PY
check "CLI: within 20 s" test "$dt" -le 20
echo "     CLI: $(grep -o '"frames_ok": [0-9]*' "$TMP/cli.rx.json") in ${dt}s"
if [ "$rx_rc" -ne 0 ] || [ "$tx_rc" -ne 0 ]; then cat "$TMP/cli.rx.err" "$TMP/cli.tx"; fi

check "members leave no socket behind" test -z "$(ls -A "$TMP/sdrnet-soapy-$(id -u)/$medium" 2>/dev/null)" \
    -a -z "$(ls -A "$members" 2>/dev/null)"

# per-element gains: a name the device does not have is refused, naming the ones it has
timeout 20 "$SDRNET" rx --radio "soapy:driver=sdrnet,medium=${medium}g" --gain NOPE=3 \
    --duration 1 >"$TMP/gain.txt" 2>&1
rc=$?
check "an unknown gain element is an error listing the device's" \
    test $rc -eq 2 -a -n "$(grep "has no gain element 'NOPE' (it has: VIRT)" "$TMP/gain.txt")"

# no such device: an error naming the args, fast, never a hang
t0=$SECONDS
timeout 20 "$link" rx "soapy:driver=sdrnet_none" 1 1 >"$TMP/none.txt" 2>&1
rc=$?
check "a missing device is an error naming the args" test $rc -eq 1 -a -n "$(grep driver=sdrnet_none "$TMP/none.txt")"
check "and it is quick" test $((SECONDS - t0)) -le 5
done_checks
