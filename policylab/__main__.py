"""``python -m policylab`` is the ``policylab`` command."""

import sys

from policylab.cli import main

sys.exit(main())
