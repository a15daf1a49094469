#!/bin/sh
# ADD of a plugin built from the starter project against the reference plugins' ADD, interleaved:
# see bench/starter-add.py (--help). Root; needs both distributions built and python3.
exec python3 "$(dirname "$0")/starter-add.py" "$@"
