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
check "C's MAC accepted A's ARP broadcast for B" test \
    "$(count "$out/C.rf0.mac.pcap" 'eth.dst == ff:ff:ff:ff:ff:ff && arp.opcode == 1 && arp.src.proto_ipv4 == 192.168.1.10 && arp.dst.proto_ipv4 == 192.168.1.20')" -eq 1
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
# the radio MAC: each unicast frame was acknowledged by its addressee (B's
# ARP reply by A, A's datagram by B), never by C
csma = {x: n[x]["interfaces"][0]["layers"]["csma"] for x in "ABC"}
assert csma["C"]["tx_acks"] == 0, csma["C"]
assert csma["B"]["tx_acks"] == 1 and csma["A"]["tx_acks"] == 1, csma
assert csma["A"]["tx_acked"] == 1 and csma["B"]["tx_acked"] == 1, csma
assert all(c["drops"]["retry_limit"] == 0 and c["drops"]["duplicate"] == 0 for c in csma.values()), csma
# C's radio heard: the start-up ARP announcements of A and B (2), A's
# request, B's reply, A's datagram, and the 2 ACKs (header-only bursts,
# counted as PHY frames but in no pcap)
assert n["C"]["interfaces"][0]["layers"]["phy"]["rx_frames"] == 7, n["C"]["interfaces"][0]["layers"]["phy"]
assert n["C"]["layers"]["net"]["rx_packets"] == 0
assert n["C"]["apps"][0]["received"] == []
r = n["B"]["apps"][0]["received"]
assert len(r) == 1 and r[0]["text"] == "Hello", r
PY

# --- RFC 5227: an interface coming up announces its address twice, 2 s apart ---
sed 's/^duration: 1.0/duration: 5.0/' "$SDRNET_SOURCE_DIR/flowgraphs/hub.yaml" >"$TMP/hub5.yaml"
"$SDRNET" run "$TMP/hub5.yaml" --out "$TMP/hub5" --seed 1 --quiet >/dev/null 2>&1
check "5 s run exits 0" test $? -eq 0
ann='eth.src == aa:bb:cc:dd:ee:f1 && eth.dst == ff:ff:ff:ff:ff:ff && arp.opcode == 1 && arp.src.proto_ipv4 == 192.168.1.10 && arp.dst.proto_ipv4 == 192.168.1.10 && arp.dst.hw_mac == 00:00:00:00:00:00'
check "A's MAC capture holds 2 announcements" test "$(count "$TMP/hub5/A.rf0.mac.pcap" "$ann")" -eq 2
check "...2 s apart (within the time CSMA/CA waits for the medium)" python3 - \
    "$(tshark -n -r "$TMP/hub5/A.rf0.mac.pcap" -Y "$ann" -T fields -e frame.time_relative 2>/dev/null | tr '\n' ' ')" <<'PY'
import sys
t = [float(x) for x in sys.argv[1].split()]
assert len(t) == 2 and abs((t[1] - t[0]) - 2.0) < 0.05, t
PY
check "B's radio heard both (B.rf0.phy.pcap)" test "$(count "$TMP/hub5/B.rf0.phy.pcap" "$ann")" -eq 2
done_checks
