/* phy/rate: the PHY's rate table (names and parameters), shared by the
 * modem, the MAC's rate control and the command line. */
#include <string.h>

#include "core/err.h"
#include "phy/modem.h"

static const struct {
    const char *name;
    const char *alias; /* bare modulation name meaning this rate, or NULL */
    unsigned bpp, num, den;
} rates[SN_RATE_COUNT] = {
    [SN_RATE_BPSK_12] = {"bpsk-1/2", "bpsk", 1, 1, 2},
    [SN_RATE_BPSK_34] = {"bpsk-3/4", NULL, 1, 3, 4},
    [SN_RATE_QPSK_12] = {"qpsk-1/2", "qpsk", 2, 1, 2},
    [SN_RATE_QPSK_34] = {"qpsk-3/4", NULL, 2, 3, 4},
    [SN_RATE_QAM16_12] = {"qam16-1/2", "qam16", 4, 1, 2},
    [SN_RATE_QAM16_34] = {"qam16-3/4", NULL, 4, 3, 4},
    [SN_RATE_QAM64_23] = {"qam64-2/3", "qam64", 6, 2, 3},
    [SN_RATE_QAM64_34] = {"qam64-3/4", NULL, 6, 3, 4},
};

static int valid(sn_phy_rate r) { return (unsigned)r < SN_RATE_COUNT; }

const char *sn_phy_rate_name(sn_phy_rate r) { return valid(r) ? rates[r].name : "?"; }

int sn_phy_rate_parse(const char *s, sn_phy_rate *out)
{
    if (!s || !out)
        return SN_ERR_INVAL;
    for (unsigned i = 0; i < SN_RATE_COUNT; i++)
        if (!strcmp(s, rates[i].name) || (rates[i].alias && !strcmp(s, rates[i].alias))) {
            *out = (sn_phy_rate)i;
            return SN_OK;
        }
    return SN_ERR_PARSE;
}

unsigned sn_phy_rate_bits_per_point(sn_phy_rate r) { return valid(r) ? rates[r].bpp : 0; }

void sn_phy_rate_code(sn_phy_rate r, unsigned *num, unsigned *den)
{
    if (num)
        *num = valid(r) ? rates[r].num : 0;
    if (den)
        *den = valid(r) ? rates[r].den : 1;
}
