#include "apps/json_out.h"

#include <stdlib.h>

int sn_json_print(FILE *out, json_t *root, int precision)
{
    if (!root)
        return -1;
    size_t flags = JSON_INDENT(2) | JSON_PRESERVE_ORDER;
    if (precision > 0)
        flags |= JSON_REAL_PRECISION(precision);
    char *s = json_dumps(root, flags);
    json_decref(root);
    if (!s)
        return -1;
    int rc = fprintf(out, "%s\n", s) < 0 ? -1 : 0;
    free(s);
    return rc;
}
