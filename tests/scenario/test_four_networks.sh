#!/usr/bin/env bash
# Scenario S4: four networks joined by routers. A1 -> B1 takes R1 -> R2;
# A1 -> C1 takes R1 -> CR -> R3. Per hop the IP addresses stay the same,
# the MAC addresses change and the TTL falls by one.
. "$(dirname "$0")/lib.sh"

out=$TMP/s4
"$SDRNET" run four-networks --out "$out" --seed 1 --json >"$TMP/s.json" 2>"$TMP/err"
check "sdrnet run four-networks exits 0" test $? -eq 0

check "A1's pings to B1 and C1 all come back" python3 - "$TMP/s.json" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
a1 = next(n for n in s["nodes"] if n["name"] == "A1")
pings = {p["to"]: p for p in a1["apps"] if p["type"] == "ping"}
for dst in ("192.168.2.10", "10.0.1.10"):
    assert pings[dst]["transmitted"] == 2 and pings[dst]["received"] == 2, pings[dst]
PY
check "traceroute: A1 -> B1 is R1, R2, B1; A1 -> C1 is R1, CR, R3, C1" python3 - "$TMP/s.json" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
a1 = next(n for n in s["nodes"] if n["name"] == "A1")
tr = {t["to"]: t for t in a1["apps"] if t["type"] == "traceroute"}
def path(t):
    assert t["reached"], t
    hops = []
    for h in t["hops"]:
        addrs = set(a for a in h["from"] if a)
        assert len(addrs) == 1, h          # every probe of a hop answered by the same router
        hops.append(addrs.pop())
    return hops
assert path(tr["192.168.2.10"]) == ["192.168.1.1", "10.255.12.2", "192.168.2.10"], tr["192.168.2.10"]
assert path(tr["10.0.1.10"]) == ["192.168.1.1", "10.255.1.254", "10.255.3.1", "10.0.1.10"], tr["10.0.1.10"]
PY
check "R1 holds only two static routes: 192.168.2.0/24 -> R2, 10.0.0.0/16 -> CR" \
    python3 - "$TMP/s.json" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
r1 = next(n for n in s["nodes"] if n["name"] == "R1")
static = sorted((r["prefix"], r["len"], r["via"]) for r in r1["routes"] if r["via"])
assert static == [("10.0.0.0", 16, "10.255.1.254"), ("192.168.2.0", 24, "10.255.12.2")], static
assert r1["forwarding"] is True
PY

# the echo requests of each ping, hop by hop: (net pcap, expected TTL)
req_b='icmp.type == 8 && ip.src == 192.168.1.10 && ip.dst == 192.168.2.10'
req_c='icmp.type == 8 && ip.src == 192.168.1.10 && ip.dst == 10.0.1.10'
ttls() { tshark -n -r "$1" -Y "$2" -T fields -e ip.ttl 2>/dev/null | sort -u | tr '\n' ' '; }
check "A1 -> B1: leaves A1 with TTL 64" test "$(ttls "$out/A1.rf0.net.pcap" "$req_b")" = "64 "
check "A1 -> B1: R1 sends it towards R2 with TTL 63" test "$(ttls "$out/R1.r2.net.pcap" "$req_b")" = "63 "
check "A1 -> B1: R2 delivers it on LAN B with TTL 62" test "$(ttls "$out/R2.lan.net.pcap" "$req_b")" = "62 "
check "A1 -> B1: B1 receives it with TTL 62" test "$(ttls "$out/B1.rf0.net.pcap" "$req_b")" = "62 "
check "A1 -> B1 never crosses the central router" test "$(count "$out/CR.r1.net.pcap" "$req_b")" -eq 0
check "A1 -> C1: R1 sends it to CR with TTL 63" test "$(ttls "$out/R1.cr.net.pcap" "$req_c")" = "63 "
check "A1 -> C1: CR sends it to R3 with TTL 62" test "$(ttls "$out/CR.r3.net.pcap" "$req_c")" = "62 "
check "A1 -> C1: R3 delivers it on LAN C with TTL 61" test "$(ttls "$out/R3.lan.net.pcap" "$req_c")" = "61 "
check "A1 -> C1 never crosses R2 or R4" test \
    "$(( $(count "$out/R2.r1.net.pcap" "$req_c") + $(count "$out/R4.cr.net.pcap" "$req_c") ))" -eq 0

# the MAC addresses change at every hop, the IP addresses never do
macs() { tshark -n -r "$1" -Y "$2" -T fields -e eth.src -e eth.dst -e ip.src -e ip.dst 2>/dev/null | sort -u; }
hops=("$out/A1.rf0.mac.pcap" "$out/R1.cr.mac.pcap" "$out/CR.r3.mac.pcap" "$out/R3.lan.mac.pcap")
srcs="" ; ips=""
for f in "${hops[@]}"; do
    l=$(macs "$f" "$req_c" | head -1)
    srcs+="$(echo "$l" | cut -f1,2)"$'\n'
    ips+="$(echo "$l" | cut -f3,4)"$'\n'
done
check "A1 -> C1: four hops, four different (source, destination) MAC pairs" \
    test "$(printf '%s' "$srcs" | sort -u | grep -c .)" -eq 4
check "A1 -> C1: the same IP source and destination on every hop" \
    test "$(printf '%s' "$ips" | sort -u | tr '\t' ' ')" = "192.168.1.10 10.0.1.10"

for f in "$out"/*.pcap; do
    n=$(tshark -n -r "$f" -o ip.check_checksum:TRUE -Y 'ip.checksum.status == "Bad" || icmp.checksum.status == "Bad" || _ws.malformed' 2>/dev/null | wc -l)
    [ "$n" -eq 0 ] || fail "$(basename "$f"): $n bad or malformed packets"
done
ok "no bad checksum or malformed packet in any of the $(ls "$out"/*.pcap | wc -l) captures"
done_checks
