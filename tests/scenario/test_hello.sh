#!/usr/bin/env bash
# Scenario S1: "Hello" from A to B over one radio link at 20 dB SNR.
# Asserts the story from the pcaps, the SigMF recording and the JSON summary.
. "$(dirname "$0")/lib.sh"

out=$TMP/run1
"$SDRNET" run hello --out "$out" --seed 1 --json >"$TMP/summary.json" 2>"$TMP/stderr"
check "sdrnet run hello exits 0" test $? -eq 0

# --- what the apps saw (JSON summary) ---
py() { python3 - "$TMP/summary.json" "$@"; }
check "B received exactly 'Hello' from 192.168.1.10:5000 on port 5000" py <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
b = next(n for n in s["nodes"] if n["name"] == "B")
r = b["apps"][0]["received"]
assert len(r) == 1, r
m = r[0]
assert m["text"] == "Hello" and m["from"] == "192.168.1.10" and m["sport"] == 5000 and m["dport"] == 5000, m
assert m["bits"] == "01001000 01100101 01101100 01101100 01101111", m["bits"]
a = next(n for n in s["nodes"] if n["name"] == "A")
assert a["apps"][0]["sent"][0]["bits"] == m["bits"]
PY
check "per node and layer counters, drops by reason, in the summary" py <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
for n in s["nodes"]:
    for l in ("net", "transport"):
        assert "drops" in n["layers"][l], (n["name"], l)
    for i in n["interfaces"]:
        for l in ("phy", "mac", "arp"):
            assert "drops" in i["layers"][l], (n["name"], i["name"], l)
a = next(n for n in s["nodes"] if n["name"] == "A")
b = next(n for n in s["nodes"] if n["name"] == "B")
# A: ARP request (+ gratuitous announcement) and the datagram go out; B's phy decodes them all
assert a["interfaces"][0]["layers"]["phy"]["tx_frames"] >= 2
assert b["interfaces"][0]["layers"]["phy"]["rx_frames"] >= 2
assert b["layers"]["transport"]["rx_datagrams"] == 1
assert a["layers"]["transport"]["tx_datagrams"] == 1
assert sum(b["interfaces"][0]["layers"]["phy"]["drops"].values()) == 0
PY

# --- every layer's capture holds the datagram with "Hello" as payload ---
hello='udp.srcport == 5000 && udp.dstport == 5000 && frame contains "Hello" && ip.src == 192.168.1.10 && ip.dst == 192.168.1.20'
for node in A B; do
    for f in "$out/$node.rf0.phy.pcap" "$out/$node.rf0.mac.pcap" "$out/$node.rf0.net.pcap" \
             "$out/$node.transport.pcap"; do
        check "$(basename "$f") holds the UDP datagram 'Hello'" test "$(count "$f" "$hello")" -eq 1
        check "$(basename "$f") has no malformed packet" test "$(malformed "$f")" -eq 0
        check "$(basename "$f") has no bad checksum" test "$(tshark -n -r "$f" \
            -o ip.check_checksum:TRUE -o udp.check_checksum:TRUE \
            -Y 'ip.checksum.status == "Bad" || udp.checksum.status == "Bad"' 2>/dev/null | wc -l)" -eq 0
    done
done
check "A's phy pcap is exported-PDU (252) naming rftap" test \
    "$(capinfos -T -m -E "$out/A.rf0.phy.pcap" 2>/dev/null | tail -1 | cut -d, -f2)" = "wireshark-upper-pdu"
check "A's mac pcap is Ethernet" test \
    "$(capinfos -T -m -E "$out/A.rf0.mac.pcap" 2>/dev/null | tail -1 | cut -d, -f2)" = "ether"
check "A's net pcap is raw IPv4" test \
    "$(capinfos -T -m -E "$out/A.rf0.net.pcap" 2>/dev/null | tail -1 | cut -d, -f2)" = "rawip4"
check "B's phy pcap shows rftap.snr for the Hello frame, near 20 dB" python3 - "$out/B.rf0.phy.pcap" <<'PY'
import subprocess, sys
o = subprocess.run(["tshark", "-n", "-r", sys.argv[1], "-Y", 'frame contains "Hello"',
                    "-T", "fields", "-e", "rftap.snr"], capture_output=True, text=True).stdout.split()
assert len(o) == 1, o
assert 14 < float(o[0]) < 26, o
PY
check "B's phy pcap shows the frame's frequency (433.92 MHz)" test "$(count "$out/B.rf0.phy.pcap" \
    'rftap.freq == 433920000')" -ge 2
check "ARP went over the air: request and reply in both phy pcaps" test \
    "$(count "$out/B.rf0.phy.pcap" 'arp.opcode == 1 && arp.dst.proto_ipv4 == 192.168.1.20')" -ge 1 -a \
    "$(count "$out/A.rf0.phy.pcap" 'arp.opcode == 2 && arp.src.proto_ipv4 == 192.168.1.20')" -ge 1

# --- the SigMF recording of the channel ---
check "SigMF recording: core keys, cf32_le, data size matches, one annotation per burst" \
    python3 - "$out/air.sigmf-meta" "$out/air.sigmf-data" <<'PY'
import json, os, sys
m = json.load(open(sys.argv[1]))
g = m["global"]
assert g["core:datatype"] == "cf32_le" and g["core:sample_rate"] == 1e6 and "core:version" in g
assert os.path.getsize(sys.argv[2]) % 8 == 0
n = os.path.getsize(sys.argv[2]) // 8
ann = m["annotations"]
assert len(ann) >= 3, ann
assert any("Hello" in a.get("core:label", "") for a in ann), [a.get("core:label") for a in ann]
for a in ann:
    assert a["core:sample_start"] + a["core:sample_count"] <= n
assert m["captures"][0]["core:frequency"] == 433.92e6
PY

# --- the file channel: the recording decodes back to the same frames ---
"$SDRNET" rx --radio "file:$out/air" --json --out "$TMP/rx" >"$TMP/rx.json" 2>"$TMP/rx.err"
check "sdrnet rx on the recording exits 0" test $? -eq 0
check "sdrnet rx decodes every annotated burst of the recording, Hello included" \
    python3 - "$TMP/rx.json" "$out/air.sigmf-meta" <<'PY'
import json, sys
rx = json.load(open(sys.argv[1]))
meta = json.load(open(sys.argv[2]))
# an ACK is a header-only burst: both name it "ACK seq N (header only)"
# from the MAC control word in its PHY header
labels = [a["core:label"] for a in meta["annotations"]]
assert any(a["core:label"].startswith("ACK seq ") for a in meta["annotations"]), labels
assert rx["frames_bad"] == 0 and rx["frames_ok"] == len(labels), (rx["frames_ok"], labels)
assert [f["summary"] for f in rx["frames"]] == labels, ([f["summary"] for f in rx["frames"]], labels)
assert any('"Hello"' in f["summary"] for f in rx["frames"])
PY
# one annotation per decoded frame, exactly over the frame's samples
cat >"$TMP/frames_match.py" <<'PY'
import json, sys
rx = json.load(open(sys.argv[1]))
ann = json.load(open(sys.argv[2]))["annotations"]
frames = rx["frames"]
assert len(ann) == len(frames), (len(ann), len(frames))
for a, f in zip(ann, frames):
    assert a["core:label"] == f["summary"], (a["core:label"], f["summary"])
    assert a["core:sample_count"] == f["sample_count"], (a, f)
    # both are the modem's estimate of the first sample (within a sample or two)
    assert abs(a["core:sample_start"] - f["sample_start"]) <= 2, (a, f)
PY
check "each annotation spans exactly its frame (sample_count as sdrnet rx measures it), in order" \
    python3 "$TMP/frames_match.py" "$TMP/rx.json" "$out/air.sigmf-meta"
check "rx.phy.pcap and rx.mac.pcap hold the Hello datagram" test \
    "$(count "$TMP/rx/rx.phy.pcap" "$hello")" -eq 1 -a "$(count "$TMP/rx/rx.mac.pcap" "$hello")" -eq 1
cp "$out/air.sigmf-meta" "$TMP/cut.sigmf-meta"
head -c 1001 "$out/air.sigmf-data" >"$TMP/cut.sigmf-data"
"$SDRNET" rx --radio "file:$TMP/cut" >/dev/null 2>"$TMP/cut.err"
check "a truncated recording is refused with a clear error (exit 2)" bash -c \
    "test $? -eq 2 && grep -q 'cut' '$TMP/cut.err'"
echo '{"global": ' >"$TMP/bad.sigmf-meta"
cp "$out/air.sigmf-data" "$TMP/bad.sigmf-data"
"$SDRNET" rx --radio "file:$TMP/bad.sigmf-meta" >/dev/null 2>"$TMP/bad.err"
check "a meta file that is not JSON is refused (exit 2)" bash -c "test $? -eq 2 && test -s '$TMP/bad.err'"
"$SDRNET" rx --radio "file:$TMP/nothing-here" >/dev/null 2>"$TMP/none.err"
check "a missing recording is refused (exit 2)" bash -c "test $? -eq 2 && grep -q nothing-here '$TMP/none.err'"

# --- two frames back to back: one annotation each ---
# (without CSMA/CA: the PHY sends the second burst right after the first,
# where the radio MAC would wait for an ACK, DIFS and a backoff)
cat >"$TMP/b2b.yaml" <<'EOF'
name: back-to-back
seed: 1
duration: 0.1
phy: {modulation: qpsk, sample_rate: 1e6, frequency: 433.92e6}
mac: {csma: false, announce: false}
media:
  - {name: air, type: radio, snr_db: 20}
nodes:
  - name: A
    interfaces:
      - {name: rf0, medium: air, mac: "AA:BB:CC:DD:EE:F1", ipv4: 192.168.1.10/24}
    apps:
      - hello: {send: One, to: "192.168.1.20:5000", from_port: 5001, at: 0.01}
      - hello: {send: Two, to: "192.168.1.20:5000", from_port: 5002, at: 0.0101}
  - name: B
    interfaces:
      - {name: rf0, medium: air, mac: "AA:BB:CC:DD:EE:F2", ipv4: 192.168.1.20/24}
    apps:
      - hello: {listen: 5000}
EOF
"$SDRNET" run "$TMP/b2b.yaml" --out "$TMP/b2b" --seed 1 --quiet >/dev/null 2>"$TMP/b2b.err"
check "back to back: sdrnet run exits 0" test $? -eq 0
"$SDRNET" rx --radio "file:$TMP/b2b/air" --json >"$TMP/b2b-rx.json" 2>/dev/null
check "back to back: sdrnet rx on the recording exits 0" test $? -eq 0
check "back to back: one annotation per frame, labels and lengths as sdrnet rx decodes them" \
    python3 "$TMP/frames_match.py" "$TMP/b2b-rx.json" "$TMP/b2b/air.sigmf-meta"
check "back to back: both datagrams annotated, the second right after the first" \
    python3 - "$TMP/b2b/air.sigmf-meta" <<'PY'
import json, sys
ann = json.load(open(sys.argv[1]))["annotations"]
one = [a for a in ann if '"One"' in a["core:label"]]
two = [a for a in ann if '"Two"' in a["core:label"]]
assert len(one) == 1 and len(two) == 1, [a["core:label"] for a in ann]
gap = two[0]["core:sample_start"] - (one[0]["core:sample_start"] + one[0]["core:sample_count"])
assert abs(gap) <= 2, gap
PY

# --- narrative output names the bits sent and received ---
"$SDRNET" run hello --out "$TMP/run-text" --seed 1 >"$TMP/text.out" 2>&1
check "text output shows the bits of Hello twice (sent, received)" test \
    "$(grep -c '01001000 01100101 01101100 01101100 01101111' "$TMP/text.out")" -eq 2
check "text output lists the files it wrote" grep -q "air.sigmf-data" "$TMP/text.out"

# --- a picture of the signal ---
"$SDRNET" run hello --out "$TMP/run-plot" --seed 1 --plot --quiet >/dev/null 2>&1
check "--plot draws the medium's bursts into a PNG" bash -c \
    "head -c 8 '$TMP/run-plot/air.png' | od -An -tx1 | grep -q '89 50 4e 47 0d 0a 1a 0a'"

# --- determinism: same seed, same bytes; another seed, other noise ---
"$SDRNET" run hello --out "$TMP/run2" --seed 1 --json >"$TMP/summary2.json" 2>/dev/null
same=1
for f in "$out"/*; do cmp -s "$f" "$TMP/run2/$(basename "$f")" || { same=0; echo "differs: $f"; }; done
check "same seed: every file byte-identical" test $same -eq 1
check "same seed: identical JSON summary (apart from paths)" test \
    "$(sed "s#$TMP/run2#OUT#g" "$TMP/summary2.json" | md5sum)" = "$(sed "s#$out#OUT#g" "$TMP/summary.json" | md5sum)"
"$SDRNET" run hello --out "$TMP/run3" --seed 2 --json >/dev/null 2>&1
check "another seed: different noise in the recording" bash -c "! cmp -s '$out/air.sigmf-data' '$TMP/run3/air.sigmf-data'"

# --- command line ---
(cd "$TMP" && "$SDRNET" run --out "$TMP/default" --quiet >/dev/null 2>&1)
check "sdrnet run with no flowgraph runs the default (S1)" test "$(count "$TMP/default/B.transport.pcap" "$hello")" -eq 1
check "sdrnet --help exits 0" "$SDRNET" --help
check "sdrnet run --help explains --seed and --json" bash -c "'$SDRNET' run --help | grep -q -- --seed && '$SDRNET' run --help | grep -q -- --json"
"$SDRNET" run --bogus >/dev/null 2>&1
check "unknown flag exits 2" test $? -eq 2
"$SDRNET" run "$TMP/does-not-exist.yaml" >/dev/null 2>"$TMP/err"
check "missing flowgraph exits 2 with its name" bash -c "test $? -eq 2 && grep -q does-not-exist '$TMP/err'"

done_checks
