#!/usr/bin/env bash
# The file radio end to end: `sdrnet tx` records numbered frames, `sdrnet rx`
# decodes them bit for bit from the SigMF recording and from a raw ci16 copy;
# broken recordings are refused with the file named; `sniff` writes captures
# that tshark opens cleanly.
. "$(dirname "$0")/lib.sh"

# --- tx into a new SigMF recording ---
"$SDRNET" tx --radio "file:$TMP/t.sigmf-meta" --count 20 --size 300 --json >"$TMP/tx.json" 2>"$TMP/tx.err"
check "sdrnet tx --count 20 --size 300 exits 0" test $? -eq 0
check "tx wrote t.sigmf-meta and t.sigmf-data" test -s "$TMP/t.sigmf-meta" -a -s "$TMP/t.sigmf-data"
check "tx JSON: 20 frames of 318 bytes, one annotation per burst in the recording" \
    python3 - "$TMP/tx.json" "$TMP/t.sigmf-meta" <<'PY'
import json, sys
tx = json.load(open(sys.argv[1]))
assert tx["frames_sent"] == 20 and len(tx["frames"]) == 20, tx["frames_sent"]
assert [f["seq"] for f in tx["frames"]] == list(range(20))
assert all(f["bytes"] == 318 and f["data_bytes"] == 294 for f in tx["frames"])
m = json.load(open(sys.argv[2]))
assert m["global"]["core:datatype"] == "cf32_le"
an = m["annotations"]
assert [a["core:label"] for a in an] == ["burst %d" % (i + 1) for i in range(20)], an
assert [a["core:sample_count"] for a in an] == [f["samples"] for f in tx["frames"]]
PY

# Payload check: ethertype 0x88b5, seq (4 bytes BE), len (2 bytes BE), data
# byte i = (seq + i) mod 256; every frame once, in order.
cat >"$TMP/payloads.py" <<'PY'
import sys
count, size = int(sys.argv[1]), int(sys.argv[2])
rows = [bytes.fromhex(l.strip().replace(":", "")) for l in sys.stdin if l.strip()]
assert len(rows) == count, (len(rows), count)
for seq, p in enumerate(rows):
    n = size - 6
    want = seq.to_bytes(4, "big") + n.to_bytes(2, "big") + bytes((seq + i) & 0xff for i in range(n))
    assert p == want, (seq, p[:16].hex(), want[:16].hex())
PY
payloads_ok() { # payloads_ok PCAP COUNT SIZE
    tshark -n -r "$1" -Y 'eth.type == 0x88b5' -T fields -e data.data 2>/dev/null |
        python3 "$TMP/payloads.py" "$2" "$3"
}

rx_ok() { # rx_ok JSON COUNT
    python3 - "$1" "$2" <<'PY'
import json, sys
rx = json.load(open(sys.argv[1]))
n = int(sys.argv[2])
assert rx["frames_ok"] == n and rx["frames_bad"] == 0, (rx["frames_ok"], rx["frames_bad"])
assert all(f["crc_ok"] and f["bytes"] == 318 for f in rx["frames"])
assert all(f["summary"] == "ethertype 0x88b5, 300 bytes" for f in rx["frames"]), rx["frames"][0]
PY
}

"$SDRNET" rx --radio "file:$TMP/t" --json --out "$TMP/rx" >"$TMP/rx.json" 2>"$TMP/rx.err"
check "sdrnet rx on the tx recording exits 0" test $? -eq 0
check "rx: frames_ok 20, frames_bad 0" rx_ok "$TMP/rx.json" 20
check "rx.mac.pcap: 20 payloads bit-exact, in order" payloads_ok "$TMP/rx/rx.mac.pcap" 20 300
check "rx.mac.pcap has no malformed packet" test "$(malformed "$TMP/rx/rx.mac.pcap")" -eq 0

# --- the same samples as a raw ci16 file (int16 LE, x * 32768), converted
# with python's array module (numpy may be absent) ---
python3 - "$TMP/t.sigmf-data" "$TMP/t.ci16" <<'PY'
import array, sys
f = array.array("f")
f.frombytes(open(sys.argv[1], "rb").read())
if sys.byteorder != "little":
    f.byteswap()
h = array.array("h", (max(-32768, min(32767, round(x * 32768))) for x in f))
if sys.byteorder != "little":
    h.byteswap()
open(sys.argv[2], "wb").write(h.tobytes())
PY
check "conversion to ci16 done" test -s "$TMP/t.ci16"
"$SDRNET" rx --radio "file:$TMP/t.ci16" --json >"$TMP/rx16.json" 2>"$TMP/rx16.err"
check "rx of a raw file without --samplerate exits 2" test $? -eq 2
check "... saying to give --samplerate" grep -q "raw file: give --samplerate" "$TMP/rx16.err"
"$SDRNET" rx --radio "file:$TMP/t.ci16" --samplerate 1e6 --json --out "$TMP/rx16" \
    >"$TMP/rx16.json" 2>"$TMP/rx16.err"
check "rx of the raw ci16 file exits 0" test $? -eq 0
check "raw ci16: frames_ok 20, frames_bad 0" rx_ok "$TMP/rx16.json" 20
check "raw ci16: 20 payloads bit-exact" payloads_ok "$TMP/rx16/rx.mac.pcap" 20 300

# --- tx straight into a raw cu8 file (RTL-SDR format) ---
"$SDRNET" tx --radio "file:$TMP/m.cu8" --samplerate 1e6 --message "$(printf 'radio %.0s' $(seq 30))" \
    --size 64 --modulation bpsk >"$TMP/txm.out" 2>&1
check "tx --message into a raw cu8 file exits 0" test $? -eq 0
"$SDRNET" rx --radio "file:$TMP/m.cu8" --samplerate 1e6 --out "$TMP/rxm" >"$TMP/rxm.out" 2>&1
check "rx of the cu8 file decodes the 4 frames of the message" \
    grep -q "4 frames ok, 0 with a bad CRC" "$TMP/rxm.out"
check "the message comes back whole" test "$(tshark -n -r "$TMP/rxm/rx.mac.pcap" -T fields \
    -e data.data 2>/dev/null | python3 -c '
import sys
print("".join(bytes.fromhex(l.strip())[6:6 + int(l.strip()[8:12], 16)].decode() for l in sys.stdin))')" \
    = "$(printf 'radio %.0s' $(seq 30))"

# --- broken recordings: exit 2 and the file named ---
head -c 1001 "$TMP/t.sigmf-data" >"$TMP/cut.sigmf-data"
cp "$TMP/t.sigmf-meta" "$TMP/cut.sigmf-meta"
"$SDRNET" rx --radio "file:$TMP/cut" >/dev/null 2>"$TMP/cut.err"
check "truncated recording: exit 2" test $? -eq 2
check "... naming cut.sigmf-data and its size" grep -q "cut.sigmf-data: size 1001 bytes" "$TMP/cut.err"
check "... on one line" test "$(wc -l <"$TMP/cut.err")" -eq 1
printf '{"global": {"core:datatype": "cf32_le"' >"$TMP/bad.sigmf-meta"
cp "$TMP/t.sigmf-data" "$TMP/bad.sigmf-data"
"$SDRNET" rx --radio "file:$TMP/bad.sigmf-meta" >/dev/null 2>"$TMP/bad.err"
check "corrupt meta: exit 2" test $? -eq 2
check "... naming bad.sigmf-meta" grep -q "bad.sigmf-meta: not valid JSON" "$TMP/bad.err"
head -c 1003 "$TMP/t.ci16" >"$TMP/cut.ci16"
"$SDRNET" rx --radio "file:$TMP/cut.ci16" --samplerate 1e6 >/dev/null 2>"$TMP/cut16.err"
check "truncated raw ci16: exit 2, file named" \
    grep -q "cut.ci16: size 1003 bytes is not a whole number of ci16_le samples (4 bytes each)" "$TMP/cut16.err"
"$SDRNET" rx --radio "file:$TMP/nothing-here" >/dev/null 2>"$TMP/none.err"
check "missing recording: exit 2" test $? -eq 2
check "... and nothing created" test ! -e "$TMP/nothing-here.sigmf-data"
"$SDRNET" tx --radio "file:$TMP/t" --count 1 >/dev/null 2>"$TMP/exists.err"
check "tx into an existing recording: exit 2" test $? -eq 2
"$SDRNET" rx --radio "file:$TMP/t" --samplerate nope >/dev/null 2>&1
check "bad flag value: exit 2" test $? -eq 2
"$SDRNET" tx --radio "file:$TMP/x" --size 3 >/dev/null 2>&1
check "tx --size 3: exit 2" test $? -eq 2
"$SDRNET" tx --radio "file:$TMP/x" --modulation fsk9 >/dev/null 2>&1
check "tx --modulation fsk9: exit 2" test $? -eq 2
"$SDRNET" rx --bogus >/dev/null 2>&1
check "rx --bogus: exit 2" test $? -eq 2

# --- sniff: one line per frame, captures tshark opens cleanly ---
"$SDRNET" sniff --radio "file:$TMP/t" --out "$TMP/sniff" >"$TMP/sniff.out" 2>"$TMP/sniff.err"
check "sniff exits 0" test $? -eq 0
check "sniff prints one line per frame" test "$(grep -c '^frame ' "$TMP/sniff.out")" -eq 20
for f in "$TMP/sniff/rx.phy.pcap" "$TMP/sniff/rx.mac.pcap"; do
    check "$(basename "$f") holds the 20 frames" test "$(count "$f" 'eth.type == 0x88b5')" -eq 20
    check "$(basename "$f") has no malformed packet" test "$(malformed "$f")" -eq 0
done
check "sniff's phy capture carries the RFtap SNR" test "$(count "$TMP/sniff/rx.phy.pcap" 'rftap.snr')" -eq 20
"$SDRNET" sniff --radio "file:$TMP/t" >/dev/null 2>&1
check "sniff without --out: exit 2" test $? -eq 2

done_checks
