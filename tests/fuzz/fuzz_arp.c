/* Fuzz target for net/arp_wire: whatever parses is emitted again and must
 * reproduce the 28 bytes exactly (every bit is a field or a constant). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "net/arp_wire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t buf[SN_ARP_LEN];
    sn_arp_pkt a, b;

    int rc = sn_arp_parse(data, size, &a);
    if (rc < 0 || rc >= SN_ARP_RESULT_COUNT)
        abort();
    if (rc != SN_ARP_OK)
        return 0;
    if (a.op != SN_ARP_OP_REQUEST && a.op != SN_ARP_OP_REPLY)
        abort();
    sn_arp_emit(buf, &a);
    if (memcmp(buf, data, SN_ARP_LEN) != 0)
        abort();
    if (sn_arp_parse(buf, sizeof buf, &b) != SN_ARP_OK || b.op != a.op ||
        !sn_mac_equal(&a.sha, &b.sha) || !sn_mac_equal(&a.tha, &b.tha) ||
        a.spa != b.spa || a.tpa != b.tpa)
        abort();
    return 0;
}
