#!/usr/bin/env bash
# Scenario S2: three devices on a shared medium. Everyone hears A's frame to
# B; B's MAC accepts it, C's MAC drops it (not addressed to C).
. "$(dirname "$0")/lib.sh"

out=$TMP/hub
"$SDRNET" run hub --out "$out" --seed 1 --json >"$TMP/s.json" 2>"$TMP/err"
check "sdrnet run hub exits 0" test $? -eq 0

to_b='eth.src == aa:bb:cc:dd:ee:f1 && eth.dst == aa:bb:cc:dd:ee:f2 && udp && frame contains "Hello"'
check "C's radio heard A's frame to B (C.rf0.phy.pcap)" test "$(count "$out/C.rf0.phy.pcap" "$to_b")" -eq 1
check "C's PHY capture gives the frame's SNR" test \
    "$(tshark -n -r "$out/C.rf0.phy.pcap" -Y "$to_b" -T fields -e rftap.snr 2>/dev/null | grep -c .)" -eq 1
check "C's MAC did not pass it up (C.rf0.mac.pcap has no frame for B)" test \
    "$(count "$out/C.rf0.mac.pcap" 'eth.dst == aa:bb:cc:dd:ee:f2')" -eq 0
check "C's MAC accepted the ARP broadcast" test \
    "$(count "$out/C.rf0.mac.pcap" 'eth.dst == ff:ff:ff:ff:ff:ff && arp.opcode == 1')" -eq 1
check "B's MAC passed A's frame up (B.rf0.mac.pcap)" test "$(count "$out/B.rf0.mac.pcap" "$to_b")" -eq 1
for f in "$out"/*.pcap; do
    check "$(basename "$f"): no malformed packet" test "$(malformed "$f")" -eq 0
done
check "counters: C dropped the unicast frames as not for it; only B's app got Hello" \
    python3 - "$TMP/s.json" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
n = {x["name"]: x for x in s["nodes"]}
c_mac = n["C"]["interfaces"][0]["layers"]["mac"]
assert c_mac["drops"]["not_for_us"] == 2, c_mac   # the ARP reply to A and the datagram to B
assert n["C"]["interfaces"][0]["layers"]["phy"]["rx_frames"] == 3
assert n["C"]["layers"]["net"]["rx_packets"] == 0
assert n["C"]["apps"][0]["received"] == []
r = n["B"]["apps"][0]["received"]
assert len(r) == 1 and r[0]["text"] == "Hello", r
PY
done_checks
