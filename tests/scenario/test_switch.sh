#!/usr/bin/env bash
# Scenario S3: a learning switch. Once it has learned, A's frame to B goes
# out of port 2 only, and C's radio hears nothing of it; the table reads
# F1 -> port 1, F2 -> port 2, F3 -> port 3.
. "$(dirname "$0")/lib.sh"

out=$TMP/sw
"$SDRNET" run switch --out "$out" --seed 1 --json >"$TMP/s.json" 2>"$TMP/err"
check "sdrnet run switch exits 0" test $? -eq 0

hello='eth.src == aa:bb:cc:dd:ee:f1 && eth.dst == aa:bb:cc:dd:ee:f2 && udp && frame contains "Hello"'
arp_q='eth.dst == ff:ff:ff:ff:ff:ff && arp.opcode == 1 && arp.src.proto_ipv4 == 192.168.1.10 && arp.dst.proto_ipv4 == 192.168.1.20'
check "before learning: A's ARP broadcast is flooded out of port 3 (SW.p3.mac.pcap)" \
    test "$(count "$out/SW.p3.mac.pcap" "$arp_q")" -eq 1
check "...and C's radio hears it" test "$(count "$out/C.rf0.phy.pcap" "$arp_q")" -eq 1
reply='arp.opcode == 2 && eth.src == aa:bb:cc:dd:ee:f2 && eth.dst == aa:bb:cc:dd:ee:f1'
check "B's ARP reply to A leaves by port 1 only" test \
    "$(count "$out/SW.p1.mac.pcap" "$reply")" -eq 1 -a "$(count "$out/SW.p3.mac.pcap" "$reply")" -eq 0
check "after learning: A's Hello to B leaves by port 2 (SW.p2.mac.pcap)" \
    test "$(count "$out/SW.p2.mac.pcap" "$hello")" -eq 1
check "...and not by port 3" test "$(count "$out/SW.p3.mac.pcap" "$hello")" -eq 0
check "C's radio hears nothing addressed to B, at all" \
    test "$(count "$out/C.rf0.phy.pcap" 'eth.dst == aa:bb:cc:dd:ee:f2')" -eq 0
check "B got Hello, A got C's message" python3 - "$TMP/s.json" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
n = {x["name"]: x for x in s["nodes"]}
rb = n["B"]["apps"][0]["received"]
ra = [m for a in n["A"]["apps"] for m in a["received"]]
assert [m["text"] for m in rb] == ["Hello"], rb
assert [m["text"] for m in ra] == ["Hi A"], ra
PY
check "the switch's table reads F1 -> 1, F2 -> 2, F3 -> 3 (--json)" python3 - "$TMP/s.json" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
sw = next(x for x in s["nodes"] if x["name"] == "SW")
t = {e["mac"]: e["port"] for e in sw["bridge"]["table"]}
assert t == {"aa:bb:cc:dd:ee:f1": 1, "aa:bb:cc:dd:ee:f2": 2, "aa:bb:cc:dd:ee:f3": 3}, t
assert sw["bridge"]["mode"] == "switch" and sw["bridge"]["ageing_s"] == 300
b = sw["layers"]["bridge"]
assert b["flooded"] >= 2 and b["forwarded"] >= 3, b
PY
"$SDRNET" run switch --out "$TMP/sw-text" --seed 1 >"$TMP/text" 2>/dev/null
check "the text output prints the table" grep -q "aa:bb:cc:dd:ee:f3 -> port 3" "$TMP/text"
for f in "$out"/*.pcap; do
    check "$(basename "$f"): no malformed packet" test "$(malformed "$f")" -eq 0
done
done_checks
