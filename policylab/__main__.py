"""``python -m policylab`` is the ``policylab`` command."""

import sys

from policylab.cli import run

sys.exit(run())
