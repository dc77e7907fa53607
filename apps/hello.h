/* apps/hello: the smallest application: send a text to a peer's UDP port at
 * a given time, and/or listen on a port and keep what arrives.
 * It is the app of scenario S1; it runs on the node's UDP sockets exactly as
 * any later app will. */
#ifndef SN_APPS_HELLO_H
#define SN_APPS_HELLO_H

#include <stddef.h>
#include <stdint.h>

#include "core/sched.h"
#include "net/udp.h"

#define SN_HELLO_TEXT_MAX 256
#define SN_HELLO_MAX_MSGS 32

typedef struct sn_hello_config {
    uint16_t listen_port;         /* 0: do not listen */
    int send;                     /* 1: send `text` at `at` */
    char text[SN_HELLO_TEXT_MAX];
    sn_ip4 to_addr;
    uint16_t to_port;
    uint16_t from_port;           /* 0: ephemeral */
    sn_time_t at;                 /* [ns] when to send */
} sn_hello_config;

typedef struct sn_hello_msg {
    int sent;                     /* 1: we sent it, 0: we received it */
    sn_time_t time;               /* [ns] */
    sn_ip4 src, dst;
    uint16_t sport, dport;
    uint8_t data[SN_HELLO_TEXT_MAX];
    size_t len;
    float snr_db;                 /* [dB] PHY SNR of the frame it came in (received) */
    int status;                   /* SN_OK or the send error */
} sn_hello_msg;

typedef struct sn_hello sn_hello;

/* Observer called for every message received, and for every message sent
 * just before it is handed to UDP (its status is filled in after). */
typedef void (*sn_hello_observer_fn)(void *user, const sn_hello_msg *m);

/* NULL on failure (port taken: *err = SN_ERR_EXIST, or allocation). */
sn_hello *sn_hello_create(const sn_hello_config *cfg, sn_sched *s, sn_udp *udp,
                          const char *owner, sn_hello_observer_fn obs, void *user, int *err);
void sn_hello_destroy(sn_hello *h); /* NULL-safe */

/* Messages sent and received, in order (at most SN_HELLO_MAX_MSGS kept;
 * further ones are counted in *dropped). */
size_t sn_hello_messages(const sn_hello *h, const sn_hello_msg **msgs, uint64_t *dropped);

#endif
