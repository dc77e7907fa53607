/* Fuzz target for mac/frame: sn_eth_check and sn_eth_parse on arbitrary
 * bytes; whatever parses is emitted again and must parse to the same. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mac/frame.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* room for one byte over the largest frame */
#define MAX_FRAME (SN_ETH_HDR_LEN + SN_ETH_MTU + 1 + SN_ETH_FCS_LEN)

static int same_hdr(const sn_eth_hdr *a, const sn_eth_hdr *b)
{
    return sn_mac_equal(&a->dst, &b->dst) && sn_mac_equal(&a->src, &b->src) &&
           a->ethertype == b->ethertype;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static uint8_t buf[MAX_FRAME];
    sn_eth_hdr h, h2;

    /* The input as a frame with FCS. */
    int rc = sn_eth_check(data, size);
    if (rc < 0 || rc >= SN_ETH_RESULT_COUNT)
        abort();
    if (rc == SN_ETH_OK) {
        size_t n = size - SN_ETH_FCS_LEN;
        if (sn_eth_parse(data, n, &h) != SN_ETH_OK)
            abort();
        sn_eth_emit(buf, &h);
        memcpy(buf + SN_ETH_HDR_LEN, data + SN_ETH_HDR_LEN, n - SN_ETH_HDR_LEN);
        sn_eth_fcs_put(buf, n);
        /* A frame whose FCS verified is reproduced byte for byte. */
        if (memcmp(buf, data, size) != 0)
            abort();
    }

    /* The input as a frame without FCS. */
    rc = sn_eth_parse(data, size, &h);
    if (rc == SN_ETH_OK && size > SN_ETH_HDR_LEN + SN_ETH_MTU) {
        /* parse only reads the header; an oversize frame is refused by
         * sn_eth_check whatever its FCS. */
        sn_eth_emit(buf, &h);
        if (memcmp(buf, data, SN_ETH_HDR_LEN) != 0)
            abort();
        memcpy(buf + SN_ETH_HDR_LEN, data + SN_ETH_HDR_LEN, SN_ETH_MTU + 1);
        sn_eth_fcs_put(buf, SN_ETH_HDR_LEN + SN_ETH_MTU + 1);
        if (sn_eth_check(buf, SN_ETH_HDR_LEN + SN_ETH_MTU + 1 + SN_ETH_FCS_LEN) !=
            SN_ETH_OVERSIZE)
            abort();
    } else if (rc == SN_ETH_OK) {
        if (size < SN_ETH_HDR_LEN)
            abort();
        sn_eth_emit(buf, &h);
        if (memcmp(buf, data, SN_ETH_HDR_LEN) != 0)
            abort();
        memcpy(buf + SN_ETH_HDR_LEN, data + SN_ETH_HDR_LEN, size - SN_ETH_HDR_LEN);
        sn_eth_fcs_put(buf, size);
        if (sn_eth_check(buf, size + SN_ETH_FCS_LEN) != SN_ETH_OK)
            abort();
        if (sn_eth_parse(buf, size, &h2) != SN_ETH_OK || !same_hdr(&h, &h2))
            abort();
    } else if (rc != SN_ETH_RUNT || size >= SN_ETH_HDR_LEN) {
        abort();
    }
    return 0;
}
