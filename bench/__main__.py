"""`python -m bench NAME [ARGS…]` runs bench/NAME.py (how `make bench BENCH=…` calls them)."""

import runpy
import sys

if len(sys.argv) < 2:
    sys.exit("usage: python -m bench NAME [ARGS…]  (a module of bench/, e.g. ack_load)")
name = sys.argv.pop(1)
sys.argv[0] = f"bench.{name}"
runpy.run_module(f"bench.{name}", run_name="__main__", alter_sys=True)
