"""The ``dapolicy`` script: the command if the ``cli`` extra is installed, else what to do."""

from __future__ import annotations

import sys


def main() -> None:
    """Run the command, or say how to install it.

    A Ctrl-C while the command is still being imported (the first half second) exits
    130 with a sentence, not a traceback: nothing has been read or written by then.
    """
    try:
        _run()
    except KeyboardInterrupt:
        print("dapolicy: interrupted; nothing was written", file=sys.stderr)
        sys.exit(130)


def _run() -> None:
    try:
        from dapolicy.cli import main as command
    except ModuleNotFoundError as exc:  # pragma: no cover - needs an install without click
        if exc.name != "click":
            raise
        print(
            'dapolicy: the command needs the "cli" extra: pip install "dapolicy[cli]"',
            file=sys.stderr,
        )
        sys.exit(2)
    command()
