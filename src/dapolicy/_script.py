"""The ``dapolicy`` script: the command if the ``cli`` extra is installed, else what to do."""

from __future__ import annotations

import sys
from typing import NoReturn


def main() -> None:
    """Run the command, or say how to install it.

    A Ctrl-C while the command is still being imported (the first half second) exits
    130 with a sentence, not a traceback: nothing has been read or written by then.
    """
    try:
        _run()
    except KeyboardInterrupt:
        interrupted_early()


def interrupted_early() -> NoReturn:
    """Say that a Ctrl-C came before any work began, and exit 130 (``EXIT_INTERRUPTED``).

    Here, not in :mod:`dapolicy.cli`, because it must work before the command is imported.
    """
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
