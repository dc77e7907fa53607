/* Fuzz target: the SigMF meta parser (JSON from memory). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "phy/sigmf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    sn_sigmf_meta m;
    char err[256];
    err[0] = 0;
    int rc = sn_sigmf_meta_parse((const char *)data, size, "fuzz.sigmf-meta", &m, err,
                                 sizeof err);
    if (strnlen(err, sizeof err) == sizeof err)
        abort(); /* the message must stay NUL-terminated */
    if (rc == SN_OK && !(m.sample_rate > 0))
        abort();
    if (rc != SN_OK && err[0] == 0)
        abort(); /* every failure says why */
    return 0;
}
