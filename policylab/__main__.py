"""``python -m policylab`` and the installed ``policylab`` script (``policylab.__main__:run``).

Both run :func:`policylab.cli.run`. The command's imports (pandas, numpy, pyarrow and the
pipeline's modules, ~0.8 s) run with the cycle collector switched off: they make some 300k
objects and no garbage worth collecting, and CPython would otherwise run ~160 collections over
them (~0.1 s of every command's start). It is switched on again before the command runs, so the
build itself is collected as usual. Importing this module from Python code changes nothing else.
"""

import gc
import sys

gc.disable()
from policylab.cli import run  # noqa: E402  (the import the collector is off for)

gc.enable()

__all__ = ["run"]

if __name__ == "__main__":
    sys.exit(run())
