"""``python -m dapolicy``: the ``dapolicy`` command, where the script is not on PATH."""

from __future__ import annotations

from dapolicy._script import main

if __name__ == "__main__":
    main()
