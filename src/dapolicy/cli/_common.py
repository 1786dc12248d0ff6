"""What every sub-command shares: options, exit codes, failures, policy and history."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import IO, Any, TypeVar

import click

from dapolicy.errors import DapolicyError, HistoryError, ValidationError
from dapolicy.history import InMemoryHistory, MutableHistory
from dapolicy.policy import Policy

EXIT_OK, EXIT_REJECTS, EXIT_USAGE = 0, 1, 2


class _Failure(click.ClickException):
    """A problem that stops the command before it does anything: exit status 2."""

    exit_code = EXIT_USAGE


def _load_policy(path: Path | None) -> Policy:
    try:
        return Policy.from_toml(path) if path is not None else Policy()
    except OSError as exc:
        raise _Failure(
            f"cannot read policy file {path}: {exc.strerror or type(exc).__name__}"
        ) from None
    except ValidationError as exc:
        # The header without the file's name (a SettingsError's own): it is named here.
        raise _Failure(f"policy file {path}: {ValidationError.__str__(exc)}") from None
    except DapolicyError as exc:
        raise _Failure(f"cannot build the policy: {exc}") from None


@contextmanager
def _history(path: Path | None) -> Iterator[MutableHistory]:
    if path is None:
        yield InMemoryHistory()
        return
    from dapolicy.sqlite_history import SQLiteHistory

    try:
        history = SQLiteHistory(path)
    except HistoryError as exc:
        raise _Failure(str(exc)) from None
    with history:
        yield history


#: A file argument or option (not a directory), as a Path.
FILE = click.Path(path_type=Path, dir_okay=False)

policy_option = click.option(
    "--policy", "policy_path", type=FILE, help="The force's policy file (TOML)."
)


_F = TypeVar("_F", bound=Callable[..., Any])


def history_option(text: str) -> Callable[[_F], _F]:
    """The ``--history`` option, with this command's help text."""
    return click.option("--history", "history_path", type=FILE, help=text)


def _open_out(stack: ExitStack[bool | None], path: Path | None) -> IO[str]:
    if path is None:
        return sys.stdout
    try:
        handle: IO[str] = stack.enter_context(path.open("w", encoding="utf-8"))
    except OSError as exc:
        raise _Failure(f"cannot write {path}: {exc.strerror or type(exc).__name__}") from None
    return handle


def _err(text: str) -> None:
    click.echo(text, err=True)
