#!/usr/bin/env bash
# `cmake --install` puts the library, headers, CLI, flowgraphs and sdrnet.pc
# where a user's program finds them through pkg-config.
. "$(dirname "$0")/lib.sh"
: "${SDRNET_BUILD_DIR:?build directory}"

prefix=$TMP/prefix
cmake --install "$SDRNET_BUILD_DIR" --prefix "$prefix" >"$TMP/install.log" 2>&1
check "cmake --install succeeds" test $? -eq 0
pcdir=$(dirname "$(find "$prefix" -name sdrnet.pc | head -1)")
check "sdrnet.pc installed" test -f "$pcdir/sdrnet.pc"
check "headers installed per layer" test -f "$prefix/include/sdrnet/core/pkt.h" -a \
    -f "$prefix/include/sdrnet/net/udp.h" -a -f "$prefix/include/sdrnet/phy/modem.h"
check "flowgraphs installed" test -f "$prefix/share/sdrnet/flowgraphs/hello.yaml"
cat >"$TMP/user.c" <<'C'
#include <stdio.h>
#include "core/pkt.h"
#include "net/ipv4_wire.h"
int main(void)
{
    sn_pktpool *p = sn_pktpool_create(4, 256);
    sn_pkt *k = sn_pkt_alloc_tx(p);
    char buf[16];
    sn_ip4 a;
    if (!k || sn_ip4_parse("192.168.1.10", &a) != 0)
        return 1;
    printf("%s %zu\n", sn_ip4_format(a, buf), sn_pkt_headroom(k));
    sn_pkt_free(k);
    sn_pktpool_destroy(p);
    return 0;
}
C
flags=$(PKG_CONFIG_PATH=$pcdir pkg-config --cflags --libs sdrnet)
# a sanitizer build of the library needs the sanitizer runtime at link time,
# as it would for any user linking against such a build
san=""
[ "${SDRNET_SANITIZE:-0}" = 1 ] && san="-fsanitize=address,undefined"
cc -std=c11 $san -o "$TMP/user" "$TMP/user.c" $flags >"$TMP/cc.log" 2>&1
check "a program builds against the installed library with pkg-config" test $? -eq 0
check "and runs" test "$("$TMP/user")" = "192.168.1.10 192"
check "installed sdrnet runs the default flowgraph" bash -c \
    "'$prefix/bin/sdrnet' run hello --out '$TMP/o' --quiet >/dev/null 2>&1"
done_checks
