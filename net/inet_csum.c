/* net/inet_csum: RFC 1071 Internet checksum and RFC 1624 update. */
#include "net/inet_csum.h"

/* Fold a ones'-complement sum into 16 bits with end-around carry. */
static uint16_t fold16(uint64_t s)
{
    while (s >> 16)
        s = (s & 0xffff) + (s >> 16);
    return (uint16_t)s;
}

uint32_t sn_csum_add(uint32_t sum, const void *data, size_t len)
{
    const uint8_t *p = data;
    /* A 64-bit accumulator cannot overflow for any buffer that fits in
     * memory here (2^48 words); the result is folded back to 32 bits with
     * end-around carry, which preserves the sum modulo 0xffff (2^32 and
     * 2^16 are both 1 modulo 0xffff). */
    uint64_t s = sum;
    while (len >= 2) {
        s += (uint32_t)p[0] << 8 | p[1];
        p += 2;
        len -= 2;
    }
    if (len)
        s += (uint32_t)p[0] << 8; /* odd byte, padded with a zero */
    while (s >> 32)
        s = (s & 0xffffffffu) + (s >> 32);
    return (uint32_t)s;
}

uint16_t sn_csum_finish(uint32_t sum)
{
    return (uint16_t)~fold16(sum);
}

uint32_t sn_csum_pseudo(uint32_t src, uint32_t dst, uint8_t proto, uint16_t len)
{
    /* At most six 16-bit terms: cannot overflow 32 bits. */
    return (src >> 16) + (src & 0xffff) + (dst >> 16) + (dst & 0xffff) + proto + len;
}

uint16_t sn_csum_update16(uint16_t csum, uint16_t old, uint16_t new_)
{
    /* Eqn. 3 rather than eqn. 2: eqn. 2 can give 0xffff where a full
     * recomputation gives 0x0000 (RFC 1624 section 4). */
    uint32_t s = (uint32_t)(uint16_t)~csum + (uint16_t)~old + new_;
    return (uint16_t)~fold16(s);
}
