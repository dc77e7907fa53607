#!/usr/bin/env bash
# Smoke test of `sdrnet bench --quick --json`: every benchmark runs and
# prints its figures with the reference beside them. Figures are not judged
# here (a busy CI machine would make that flaky); the README quotes full runs.
set -u
"$SDRNET" bench --quick --json >"$1" || { echo "FAIL sdrnet bench exited $?"; exit 1; }
python3 - "$1" <<'PY'
import json, sys
b = json.load(open(sys.argv[1]))
rx = b["rx_msps"]
for who in ("sdrnet", "liquid_flexframesync"):
    for load in ("idle", "busy"):
        assert rx[who][load] > 0, (who, load)
f = b["rx_frames"]
assert f["sdrnet_ok"] == f["sent"] == f["liquid_ok"], f
assert f["sdrnet_false_on_noise"] == 0, f
assert b["pkt_ns"]["pool_alloc_push_free"] > 0 and b["pkt_ns"]["malloc_free_reference"] > 0
assert b["run_hello"]["x_real_time"] > 0
r = b["route"]
assert r["routes"] == 10000 and r["lookups_per_s"] > r["reference_linear_lookups_per_s"] > 0, r
assert r["bytes_per_route"] > 0
print("1 passed, 0 failed")
PY
