/* Fuzz target: the flowgraph loader on arbitrary bytes. It must refuse or
 * accept without crashing, leaking or hanging, and a refusal must come with
 * a one-line message. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "apps/flowgraph.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char err[256];
    sn_flowgraph *fg = sn_flowgraph_parse((const char *)data, size, "fuzz.yaml", err,
                                          sizeof err);
    if (!fg && (err[0] == '\0' || strchr(err, '\n')))
        abort();
    sn_flowgraph_free(fg);
    return 0;
}
