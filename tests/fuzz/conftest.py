"""The fuzz suite: seeded, bounded tests of hostile input (see ``_scale.py``).

Makes ``import _scale`` work in the suite's modules (pytest runs them with
``--import-mode=importlib``, which puts no test folder on ``sys.path``).
"""

from __future__ import annotations

import sys
from pathlib import Path

_HERE = str(Path(__file__).resolve().parent)
if _HERE not in sys.path:
    sys.path.insert(0, _HERE)
