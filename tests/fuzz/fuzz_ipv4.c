/* Fuzz target for net/ipv4_wire: whatever parses is emitted again (options
 * dropped) with its payload and must parse to the same fields. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "net/ipv4_wire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static uint8_t buf[65536];
    sn_ipv4_hdr h, h2;

    int rc = sn_ipv4_parse(data, size, &h);
    if (rc < 0 || rc >= SN_IPV4_RESULT_COUNT)
        abort();
    if (rc != SN_IPV4_OK)
        return 0;
    if (h.hdr_len < 20 || h.hdr_len > 60 || h.hdr_len % 4 != 0 ||
        h.total_len < h.hdr_len || h.total_len > size || h.frag_off % 8 != 0)
        abort();

    /* Emit writes no options, so the datagram shrinks by their length. */
    size_t payload = (size_t)h.total_len - h.hdr_len;
    sn_ipv4_hdr e = h;
    e.total_len = (uint16_t)(SN_IPV4_HDR_MIN + payload);
    if (sn_ipv4_emit(buf, &e) != SN_IPV4_HDR_MIN || e.hdr_len != SN_IPV4_HDR_MIN)
        abort();
    memcpy(buf + SN_IPV4_HDR_MIN, data + h.hdr_len, payload);

    if (sn_ipv4_parse(buf, e.total_len, &h2) != SN_IPV4_OK)
        abort();
    if (h2.hdr_len != SN_IPV4_HDR_MIN || h2.total_len != e.total_len || h2.tos != h.tos ||
        h2.id != h.id || h2.df != h.df || h2.mf != h.mf || h2.frag_off != h.frag_off ||
        h2.ttl != h.ttl || h2.proto != h.proto || h2.src != h.src || h2.dst != h.dst ||
        h2.csum != e.csum)
        abort();
    /* Without options, the bytes come back as received apart from the
     * reserved flag (dropped) and the checksum (0 and ffff both verify). */
    if (h.hdr_len == SN_IPV4_HDR_MIN) {
        uint8_t a[20], b[20];
        memcpy(a, data, 20);
        memcpy(b, buf, 20);
        a[6] &= 0x7f;
        a[10] = a[11] = b[10] = b[11] = 0;
        if (memcmp(a, b, 20) != 0)
            abort();
    }
    return 0;
}
