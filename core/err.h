/* core/err: error codes shared by every layer.
 *
 * Every function that can fail returns an int: SN_OK (0) on success or one of
 * the negative codes below. Functions returning pointers return NULL on
 * failure and, where the reason matters, report it through an `int *err`.
 */
#ifndef SN_CORE_ERR_H
#define SN_CORE_ERR_H

enum sn_err {
    SN_OK = 0,
    SN_ERR_NOMEM = -1,   /* an allocation failed */
    SN_ERR_INVAL = -2,   /* an argument is out of range or NULL */
    SN_ERR_TRUNC = -3,   /* input shorter than its header says */
    SN_ERR_PARSE = -4,   /* input is malformed (bad field, bad checksum) */
    SN_ERR_NOBUFS = -5,  /* no headroom/tailroom or pool exhausted */
    SN_ERR_IO = -6,      /* a file or device operation failed (see errno) */
    SN_ERR_NOENT = -7,   /* no such entry (route, socket, file, key) */
    SN_ERR_EXIST = -8,   /* entry already exists (port bound, name taken) */
    SN_ERR_AGAIN = -9,   /* not possible now, retry later (ARP pending) */
    SN_ERR_UNSUPP = -10, /* valid but not implemented by this build */
    SN_ERR_RANGE = -11,  /* a value exceeds a configured bound */
};

/* Short human-readable text for an error code; never NULL. */
const char *sn_strerror(int err);

#endif
