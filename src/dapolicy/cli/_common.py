"""What every sub-command shares: options, exit codes, failures, policy and history."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import click

from dapolicy.errors import DapolicyError, HistoryError, ValidationError
from dapolicy.history import InMemoryHistory, MutableHistory
from dapolicy.policy import Policy
from dapolicy.settings import Settings, load_settings

EXIT_OK, EXIT_REJECTS, EXIT_USAGE = 0, 1, 2
#: Stopped by the user's Ctrl-C (128 + SIGINT, as shells report it).
EXIT_INTERRUPTED = 130


class _Failure(click.ClickException):
    """A problem that stops the command before it does anything: exit status 2."""

    exit_code = EXIT_USAGE


#: Standard input as a file name, for a reader that wants a path (``--policy -``).
_STDIN = Path("/dev/stdin")


def _load_settings(path: Path) -> Settings:
    if path == Path("-"):
        if not _STDIN.exists():  # pragma: no cover - a system without /dev/stdin
            raise _Failure("--policy - (standard input) is not supported here: name a file")
        path = _STDIN
    try:
        return load_settings(path)
    except OSError as exc:
        raise _Failure(
            f"cannot read policy file {path}: {exc.strerror or type(exc).__name__}"
        ) from None
    except ValidationError as exc:
        # The header without the file's name (a SettingsError's own): it is named here.
        raise _Failure(f"policy file {path}: {ValidationError.__str__(exc)}") from None


def _load_policy(path: Path | None, settings: Settings | None = None) -> Policy:
    """The policy of ``path`` (or of ``settings`` already read, or the defaults)."""
    if settings is None and path is not None:
        settings = _load_settings(path)
    try:
        return Policy(settings)
    except ValidationError as exc:
        raise _Failure(f"policy file {path}: {ValidationError.__str__(exc)}") from None
    except DapolicyError as exc:
        raise _Failure(f"cannot build the policy: {exc}") from None


def _holds_something(path: Path) -> bool:
    """False only for an SQLite database with nothing in it: what a killed creation leaves.

    ``--new-history`` first makes an empty file, switches it to WAL (which writes the
    database header), then creates the schema in one transaction; a run killed between
    the two (``kill -9``) leaves a database that holds nothing, which ``--history``
    alone refuses as empty. ``--new-history`` may make it the new history, as it may a
    0-byte file. Anything that cannot be read as such an empty database holds something.
    """
    import sqlite3

    uri = f"{path.absolute().as_uri()}?mode=ro"
    try:
        connection = sqlite3.connect(uri, uri=True)
    except sqlite3.Error:
        return True
    try:
        (count,) = connection.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlite3.Error:
        return True
    finally:
        connection.close()
    return bool(count)


@contextmanager
def _history(
    path: Path | None, *, write: bool = True, create: bool = False
) -> Iterator[MutableHistory]:
    """The ``--history`` file, checked whole before anything else is opened.

    ``write``: for the whole run, with every other writer kept out (the sidecar lock);
    else read-only (``explain``: the file is never written). ``create``: a new history
    where there is no file (``--new-history``); an existing one is refused then.
    """
    if path is None:
        yield InMemoryHistory()
        return
    if path == Path("-"):
        raise _Failure("--history must name a file: a history cannot be a stream")
    from dapolicy.sqlite_history import SCHEMA_VERSION, SQLiteHistory

    shown = repr(str(path))
    try:
        size: int | None = path.stat().st_size
    except FileNotFoundError:
        size = None
    except OSError as exc:
        raise _Failure(f"history file {shown} cannot be read ({exc.strerror})") from None
    if create and size and _holds_something(path):
        raise _Failure(
            f"history file {shown} already exists: --new-history only creates a new one; "
            "leave it out to use this history"
        )
    if not create and not size:
        state = "does not exist" if size is None else "is empty (it holds no history)"
        how = "run `dapolicy assess` with --history and --new-history to create one"
        raise _Failure(f"history file {shown} {state}: {how}" + ("" if write else " first"))
    try:
        if write:
            history = SQLiteHistory(path, mode="rwc" if create else "rw", exclusive=True)
        else:
            history = SQLiteHistory(path, mode="ro")
    except HistoryError as exc:
        raise _Failure(str(exc)) from None
    with history:
        if history.backup is not None:
            _err(
                f"history file {shown} was upgraded to schema version {SCHEMA_VERSION}; the "
                f"file as it was is kept in {str(history.backup)!r}"
            )
        yield history


#: A file argument or option (not a directory), as a Path; ``-`` is a standard stream.
FILE = click.Path(path_type=Path, dir_okay=False, allow_dash=True)

#: The longest input line read, by default: 1 MiB.
MAX_LINE_BYTES = 1 << 20

policy_option = click.option(
    "--policy", "policy_path", type=FILE, help="The force's policy file (TOML)."
)


_F = TypeVar("_F", bound=Callable[..., Any])


def history_option(text: str) -> Callable[[_F], _F]:
    """The ``--history`` option, with this command's help text."""
    return click.option("--history", "history_path", type=FILE, help=text)


max_line_bytes_option = click.option(
    "--max-line-bytes",
    type=click.IntRange(min=1),
    default=MAX_LINE_BYTES,
    show_default=True,
    help="A longer input line is rejected without being read whole.",
)

redact_rejects_option = click.option(
    "--redact-rejects",
    is_flag=True,
    help="Rejects hold line numbers, errors and record ids only, never the record.",
)


def _err(text: str) -> None:
    click.echo(text, err=True)
