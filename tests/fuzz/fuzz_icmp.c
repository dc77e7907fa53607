/* Fuzz target for net/icmp_wire: the message parser on the whole input,
 * the error-quote parser on the input and on the body of any message that
 * parses. Whatever parses is emitted again and must give the same bytes
 * (for the types whose rest-of-header emit rewrites, the same fields). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "net/icmp_wire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_quote(const uint8_t *b, size_t n)
{
    sn_icmp_quote q;
    int rc = sn_icmp_quote_parse(b, n, &q);
    if (rc < 0 || rc >= SN_ICMP_QUOTE_RESULT_COUNT)
        abort();
    if (rc != SN_ICMP_QUOTE_OK)
        return;
    if (q.ip.hdr_len < 20 || q.ip.hdr_len > 60 || q.data != b + q.ip.hdr_len ||
        q.data_len < 8 || q.ip.hdr_len + q.data_len != n || q.ip.total_len < q.ip.hdr_len + 8)
        abort();
    /* the ports are the first data bytes, read inside the buffer */
    if (q.sport != (uint16_t)(q.data[0] << 8 | q.data[1]) ||
        q.dport != (uint16_t)(q.data[2] << 8 | q.data[3]))
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static uint8_t buf[65536];
    if (size > sizeof buf)
        return 0;
    check_quote(data, size);
    sn_icmp_hdr h, h2;
    int rc = sn_icmp_parse(data, size, &h);
    if (rc < 0 || rc >= SN_ICMP_RESULT_COUNT)
        abort();
    if (rc != SN_ICMP_OK)
        return 0;
    if (size < SN_ICMP_HDR_LEN)
        abort();
    check_quote(data + SN_ICMP_HDR_LEN, size - SN_ICMP_HDR_LEN);

    memcpy(buf, data, size);
    sn_icmp_hdr e = h;
    if (sn_icmp_emit(buf, size, &e) != SN_ICMP_HDR_LEN)
        abort();
    if (sn_icmp_parse(buf, size, &h2) != SN_ICMP_OK)
        abort();
    if (h2.type != h.type || h2.code != h.code || memcmp(buf + 8, data + 8, size - 8) != 0)
        abort();
    switch (h.type) {
    case SN_ICMP_ECHO_REPLY:
    case SN_ICMP_ECHO_REQUEST:
        if (h2.id != h.id || h2.seq != h.seq || h2.rest != h.rest)
            abort();
        break;
    case SN_ICMP_DEST_UNREACH:
        if (h2.next_hop_mtu != h.next_hop_mtu)
            abort();
        break;
    case SN_ICMP_PARAM_PROBLEM:
        if (h2.pointer != h.pointer)
            abort();
        break;
    default:
        if (h2.rest != h.rest)
            abort();
        break;
    }
    /* same rest-of-header, same bytes: the checksum is the one received
     * (0x0000 and 0xffff both verify; emit computes one of them) */
    if (h2.rest == h.rest && memcmp(buf + 4, data + 4, 4) == 0 && h.csum != e.csum &&
        !((h.csum == 0 && e.csum == 0xffff) || (h.csum == 0xffff && e.csum == 0)))
        abort();
    return 0;
}
