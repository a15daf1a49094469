#!/bin/sh
# jcni against the Go reference plugins in one interleaved run: see bench/compare.py (--help) and
# docs/performance.md. Root; needs plugins-reference/target/cni (mvn -B package -DskipTests), the Go
# plugins in /usr/lib/cni (containernetworking-plugins), iproute2 and python3.
exec python3 "$(dirname "$0")/compare.py" "$@"
