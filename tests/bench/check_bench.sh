#!/usr/bin/env bash
# Smoke test of `sdrnet bench --quick --json`: every benchmark runs and
# prints its figures with the reference beside them. Figures are not judged
# against their targets here (a busy CI machine would make that flaky, and
# --quick's PER figures are rough); the README quotes full runs. What is
# checked: the JSON's shape, and sanity a working receiver always meets.
set -u
# --plot (phy's figures) when gnuplot is there: scripts/setup.sh installs it
plotdir=""
plot=()
if command -v gnuplot >/dev/null 2>&1; then
    plotdir=$(mktemp -d)
    trap 'rm -rf "$plotdir"' EXIT
    plot=(--plot "$plotdir/figs")
fi
"$SDRNET" bench --quick --json "${plot[@]}" >"$1" || { echo "FAIL sdrnet bench exited $?"; exit 1; }
python3 - "$1" "$plotdir" <<'PY'
import json, math, os, sys
b = json.load(open(sys.argv[1]))
if sys.argv[2]:
    for png in ("per_vs_ebn0", "constellation_qam16", "constellation_qam64",
                "detection_vs_snr"):
        with open(os.path.join(sys.argv[2], "figs", png + ".png"), "rb") as f:
            assert f.read(8) == b"\x89PNG\r\n\x1a\n", png
RATES = ["bpsk-1/2", "bpsk-3/4", "qpsk-1/2", "qpsk-3/4",
         "qam16-1/2", "qam16-3/4", "qam64-2/3", "qam64-3/4"]

def num(x):
    return isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x)

# throughput: every receiver measured on noise and on frames
rx = b["rx_msps"]
for who in ("sdrnet", "liquid_flexframesync", "liquid_ofdmflexframesync"):
    for load in ("idle", "busy"):
        assert num(rx[who][load]) and rx[who][load] > 0, (who, load)
per_rate = rx["sdrnet"]["busy_per_rate"]
assert list(per_rate) == RATES, per_rate
assert all(num(v) and v > 0 for v in per_rate.values()), per_rate
assert abs(rx["sdrnet"]["busy"] - min(per_rate.values())) < 1e-9, rx["sdrnet"]
# at 30 dB every frame of the throughput runs must arrive
f = b["rx_frames"]
for who in ("sdrnet", "liquid_flexframesync", "liquid_ofdmflexframesync"):
    assert f[who]["sent"] > 0 and f[who]["ok"] == f[who]["sent"], (who, f[who])
    assert f[who]["false_on_idle"] >= 0, (who, f[who])

# PER: one entry per rate, in order; the perfect-sync reference is always
# found and rises from PER 10 % to 1 %; the modem's thresholds are numbers
# or null (not crossed in the search range), but the most robust rate must
# decode somewhere
rates = b["rates"]
assert [r["name"] for r in rates] == RATES, [r["name"] for r in rates]
for r in rates:
    for k in ("ebn0_db_at_per_1e-1", "ebn0_db_at_per_1e-2", "snr_db_at_per_1e-2"):
        assert r[k] is None or num(r[k]), (r["name"], k, r[k])
    lo, hi = r["reference_ebn0_db_at_per_1e-2"], r["reference_ebn0_db_at_per_1e-1"]
    assert num(lo) and num(hi) and lo > hi - 0.5, (r["name"], hi, lo)
    assert isinstance(r["frames"], int) and r["frames"] > 0, r["name"]
    if num(r["ebn0_db_at_per_1e-2"]):
        assert num(r["snr_db_at_per_1e-2"]), r["name"]
assert num(rates[0]["ebn0_db_at_per_1e-1"]), rates[0]
# the reference grows with the rate (bpsk-1/2 far below qam64-3/4)
assert rates[0]["reference_ebn0_db_at_per_1e-2"] + 3 < rates[-1]["reference_ebn0_db_at_per_1e-2"]

d = b["detection"]
assert d["snr_db_at_90pct"] is None or num(d["snr_db_at_90pct"]), d
assert d["noise_samples"] == 10**7 and isinstance(d["false_alarms"], int) and d["false_alarms"] >= 0, d
assert b["phy_bench"]["quick"] is True

assert b["pkt_ns"]["pool_alloc_push_free"] > 0 and b["pkt_ns"]["malloc_free_reference"] > 0
assert b["run_hello"]["x_real_time"] > 0
r = b["route"]
assert r["routes"] == 10000 and r["lookups_per_s"] > r["reference_linear_lookups_per_s"] > 0, r
assert r["bytes_per_route"] > 0
print("1 passed, 0 failed")
PY
