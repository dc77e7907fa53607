#include "core/err.h"

const char *sn_strerror(int err)
{
    switch (err) {
    case SN_OK: return "success";
    case SN_ERR_NOMEM: return "out of memory";
    case SN_ERR_INVAL: return "invalid argument";
    case SN_ERR_TRUNC: return "truncated input";
    case SN_ERR_PARSE: return "malformed input";
    case SN_ERR_NOBUFS: return "no buffer space";
    case SN_ERR_IO: return "input/output error";
    case SN_ERR_NOENT: return "no such entry";
    case SN_ERR_EXIST: return "already exists";
    case SN_ERR_AGAIN: return "try again later";
    case SN_ERR_UNSUPP: return "not supported";
    case SN_ERR_RANGE: return "value out of range";
    default: return "unknown error";
    }
}
