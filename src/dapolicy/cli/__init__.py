"""The ``dapolicy`` command: assess, explain, audit, verify and the rest.

Install with the ``cli`` extra (``pip install "dapolicy[cli]"``). Exit status, for
every sub-command:

- 0: done, and nothing was rejected;
- 1: done, but some records were rejected (``assess --allow-rejects`` makes this 0);
- 2: nothing done: bad arguments, an unreadable file, a bad policy file, a history
  file that is not a dapolicy history, an output that is an input or another output;
- 130: interrupted by the user (Ctrl-C): no output file written, the summary printed.

Every output file appears only when the run ends well (written to a temporary file
and renamed into place), created mode 0600.

Decisions and reports go to standard output or the named file; the summary, progress
and errors go to standard error. No personal data is printed to standard error.
"""

from __future__ import annotations

import contextlib
import errno
import os
import sys
from typing import Any

import click

from dapolicy import __version__
from dapolicy._script import interrupted_early
from dapolicy.cli._assess import assess
from dapolicy.cli._audit import audit
from dapolicy.cli._checklists import checklists
from dapolicy.cli._common import EXIT_INTERRUPTED, EXIT_OK, EXIT_REJECTS, EXIT_USAGE, _Failure
from dapolicy.cli._explain import explain, render_explanation
from dapolicy.cli._export import export
from dapolicy.cli._plugins import plugins
from dapolicy.cli._schema import schema
from dapolicy.cli._synth import synth
from dapolicy.cli._verify import verify
from dapolicy.policy import DEBUG_PLUGINS_ENV

__all__ = [
    "EXIT_INTERRUPTED",
    "EXIT_OK",
    "EXIT_REJECTS",
    "EXIT_USAGE",
    "cli",
    "main",
    "render_explanation",
]


class _Commands(click.Group):
    """The command group; a reader that goes away is said, not a silent exit 1.

    click turns a broken pipe into exit status 1 with nothing said, even outside its
    standalone mode, and 1 reads as "done, some records were rejected". Caught here,
    it is what any output that cannot be written is: exit 2, with a sentence.
    """

    def invoke(self, ctx: click.Context) -> Any:
        """Run the command, turning a broken standard output into a failure."""
        try:
            return super().invoke(ctx)
        except OSError as exc:
            if exc.errno != errno.EPIPE:
                raise
            # The reader went away (``dapolicy ... | head``): standard output is
            # pointed at /dev/null so that the interpreter's last flush does not
            # fail again.
            with contextlib.suppress(OSError, ValueError):
                os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            why = "cannot write standard output: Broken pipe (its reader went away)"
            raise _Failure(why) from None


@click.group(cls=_Commands, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "-V", "--version", prog_name="dapolicy")
@click.option(
    "--debug-plugins",
    is_flag=True,
    help=(
        "Print the traceback of every plug-in failure to standard error (as "
        f"{DEBUG_PLUGINS_ENV}=1 does). A traceback may show personal data; decisions "
        "are the same with or without it."
    ),
)
def cli(debug_plugins: bool) -> None:
    """Domestic-abuse policing policy as code: assess cases, explain, audit."""
    if debug_plugins:
        # Through the environment, so that worker processes (--jobs) debug too.
        os.environ[DEBUG_PLUGINS_ENV] = "1"


for _command in (assess, explain, plugins, synth, audit, checklists, export, schema, verify):
    cli.add_command(_command)


def main() -> None:
    """Entry point of the ``dapolicy`` script.

    click's own standalone mode turns a Ctrl-C that arrives before a command has taken
    charge of interrupts into "Aborted!" and exit 1; here it is exit 130 and a sentence,
    as for every other interrupt (the commands that write files handle their own).
    """
    try:
        code = cli.main(standalone_mode=False)
    except click.exceptions.Abort:
        interrupted_early()
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    # Every command returns None; a number is an exit status given by ``ctx.exit``.
    sys.exit(code if isinstance(code, int) else EXIT_OK)
