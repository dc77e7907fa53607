/* Fuzz target for net/udp_wire. The first 8 input bytes are the source and
 * destination addresses of the pseudo-header, the rest is the datagram.
 * Whatever parses is emitted again and must parse to the same fields. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "net/udp_wire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static uint8_t buf[65536];
    if (size < 8)
        return 0;
    sn_ip4 src = be32(data), dst = be32(data + 4);
    const uint8_t *d = data + 8;
    size_t n = size - 8;
    sn_udp_hdr h, h2;

    int rc = sn_udp_parse(d, n, src, dst, &h);
    if (rc < 0 || rc >= SN_UDP_RESULT_COUNT)
        abort();
    if (rc != SN_UDP_OK)
        return 0;
    if (h.len < SN_UDP_HDR_LEN || h.len > n)
        abort();

    sn_udp_hdr e = h;
    memset(buf, 0, SN_UDP_HDR_LEN);
    memcpy(buf + SN_UDP_HDR_LEN, d + SN_UDP_HDR_LEN, (size_t)h.len - SN_UDP_HDR_LEN);
    sn_udp_emit(buf, &e, src, dst);
    if (e.csum == 0)
        abort(); /* a computed 0 must go out as ffff */
    /* A received checksum that verified is the one emit computes (the
     * only other value that verifies is 0, which means "none"). */
    if (h.csum != 0 && e.csum != h.csum)
        abort();
    if (sn_udp_parse(buf, h.len, src, dst, &h2) != SN_UDP_OK)
        abort();
    if (h2.sport != h.sport || h2.dport != h.dport || h2.len != h.len || h2.csum != e.csum)
        abort();
    if (h.csum != 0 && memcmp(buf, d, h.len) != 0)
        abort();
    return 0;
}
