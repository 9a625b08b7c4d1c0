#!/usr/bin/env python3
"""Entry point of the Makefile targets: `python3 tools/dev.py run|test|lint|pot|reset|stop|shell`.

Kept free of recent syntax so that an old interpreter reaches the version check and says so.
"""
import os
import sys

MIN_PYTHON = (3, 10)

if sys.version_info[:2] < MIN_PYTHON:
    sys.stderr.write(
        "error: Python %d.%d is too old: Odoo 19 needs Python 3.10 to 3.13 (set PYTHON=python3.11)\n"
        % sys.version_info[:2]
    )
    sys.exit(1)

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import bootstrap  # noqa: E402

if __name__ == "__main__":
    sys.exit(bootstrap.main(sys.argv[1:]))
