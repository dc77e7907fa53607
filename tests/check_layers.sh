#!/bin/sh
# The arrows point down only: apps -> net -> mac -> phy -> core.
# A file in a layer may include headers of its own layer and of layers below.
top=${1:-.}
rank() { case $1 in core) echo 0;; phy) echo 1;; mac) echo 2;; net) echo 3;; apps) echo 4;; *) echo 9;; esac; }
bad=0
for layer in core phy mac net apps; do
  r=$(rank $layer)
  for f in "$top/$layer"/*.[ch]; do
    [ -e "$f" ] || continue
    for inc in $(sed -n 's/^#include "\([a-z]*\)\/.*/\1/p' "$f"); do
      ir=$(rank "$inc")
      if [ "$ir" -gt "$r" ]; then
        echo "$f includes $inc/ (layer $inc is above $layer)"; bad=1
      fi
    done
  done
done
[ $bad -eq 0 ] && echo "layers: every include points down"
exit $bad
