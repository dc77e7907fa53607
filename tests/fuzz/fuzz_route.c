/* Fuzz target for net/route: the input is a program of add / delete /
 * lookup operations on a 16-route table, run side by side with a
 * brute-force linear reference; any disagreement aborts.
 *
 * Each operation starts with a byte `op`:
 *   op & 3        0, 1 add; 2 delete; 3 lookup
 *   op & 4        address from 2 bytes, clustered under 10.0.0.0/14 (so
 *                 prefixes overlap and share chunks); else 4 raw bytes
 *   op & 8        (add, delete) keep the host bits: must give SN_ERR_INVAL
 *                 when any are set
 * then the address bytes, then (add, delete) a length byte (% 33). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "net/route.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAXR 16

typedef struct ref_route {
    sn_ip4 prefix;
    int len;
    sn_ip4 next_hop;
} ref_route;

static ref_route ref[MAXR];
static size_t nref;

static int ref_find(sn_ip4 p, int len)
{
    for (size_t i = 0; i < nref; i++)
        if (ref[i].prefix == p && ref[i].len == len)
            return (int)i;
    return -1;
}

static const ref_route *ref_lookup(sn_ip4 a)
{
    const ref_route *best = NULL;
    for (size_t i = 0; i < nref; i++)
        if ((a & sn_ip4_mask(ref[i].len)) == ref[i].prefix && (!best || ref[i].len > best->len))
            best = &ref[i];
    return best;
}

static void check_lookup(const sn_route_table *t, sn_ip4 a)
{
    const sn_route *r = sn_route_lookup(t, a);
    const ref_route *w = ref_lookup(a);
    if (!r != !w)
        abort();
    if (r && (r->prefix != w->prefix || r->prefix_len != w->len || r->next_hop != w->next_hop))
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    sn_route_table *t = sn_route_create(MAXR);
    if (!t)
        return 0;
    nref = 0;
    size_t i = 0;
    uint32_t serial = 0;
    while (i < size) {
        uint8_t op = data[i++];
        size_t abytes = (op & 4) ? 2 : 4;
        if (size - i < abytes)
            break;
        sn_ip4 a;
        if (op & 4)
            a = 0x0A000000u | (sn_ip4)(data[i] & 3) << 16 | (sn_ip4)data[i + 1] << 8 | data[i];
        else
            a = (sn_ip4)data[i] << 24 | (sn_ip4)data[i + 1] << 16 | (sn_ip4)data[i + 2] << 8 |
                data[i + 3];
        i += abytes;
        int kind = op & 3;
        if (kind == 3) {
            check_lookup(t, a);
            continue;
        }
        if (i >= size)
            break;
        int len = data[i++] % 33;
        sn_ip4 p = (op & 8) ? a : (a & sn_ip4_mask(len));
        int host_bits = (p & ~sn_ip4_mask(len)) != 0;
        int j = ref_find(p, len);
        if (kind <= 1) {
            sn_ip4 nh = ++serial;
            int rc = sn_route_add(t, p, len, nh, 0, 0);
            int want = host_bits ? SN_ERR_INVAL
                       : j >= 0  ? SN_ERR_EXIST
                       : nref == MAXR ? SN_ERR_RANGE
                                      : SN_OK;
            if (rc == SN_ERR_NOMEM)
                continue; /* allowed; the table must be unchanged */
            if (rc != want)
                abort();
            if (rc == SN_OK)
                ref[nref++] = (ref_route){p, len, nh};
        } else {
            int rc = sn_route_del(t, p, len);
            int want = host_bits ? SN_ERR_INVAL : j < 0 ? SN_ERR_NOENT : SN_OK;
            if (rc != want)
                abort();
            if (rc == SN_OK)
                ref[j] = ref[--nref];
        }
        /* every operation is followed by lookups at the prefix's edges */
        sn_ip4 last = p | ~sn_ip4_mask(len);
        check_lookup(t, p);
        check_lookup(t, last);
        check_lookup(t, p - 1u);
        check_lookup(t, last + 1u);
        if (sn_route_count(t) != nref)
            abort();
    }

    /* the listing is the reference set, in order */
    sn_route list[MAXR];
    if (sn_route_list(t, list, MAXR) != nref)
        abort();
    for (size_t k = 0; k < nref; k++) {
        int j = ref_find(list[k].prefix, list[k].prefix_len);
        if (j < 0 || ref[j].next_hop != list[k].next_hop)
            abort();
        if (k > 0 && (list[k - 1].prefix > list[k].prefix ||
                      (list[k - 1].prefix == list[k].prefix &&
                       list[k - 1].prefix_len >= list[k].prefix_len)))
            abort();
    }
    /* emptying the table returns every chunk */
    for (size_t k = 0; k < nref; k++)
        if (sn_route_del(t, ref[k].prefix, ref[k].len) != SN_OK)
            abort();
    sn_stat st[8];
    size_t ns = sn_route_stats(t, st, 8);
    for (size_t k = 0; k < ns; k++)
        if (!strcmp(st[k].name, "chunks") && st[k].value != 0)
            abort();
    sn_route_destroy(t);
    return 0;
}
