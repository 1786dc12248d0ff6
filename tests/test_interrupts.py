"""A user's Ctrl-C stops a run; a plug-in's KeyboardInterrupt does not (dapolicy._interrupts)."""

from __future__ import annotations

import signal
import threading

import pytest

from dapolicy import _interrupts
from dapolicy._interrupts import interrupted, is_user_interrupt, user_interrupts


def _ctrl_c() -> KeyboardInterrupt:
    """What the user's Ctrl-C raises: SIGINT delivered to this process."""
    try:
        signal.raise_signal(signal.SIGINT)
    except KeyboardInterrupt as exc:
        return exc
    raise AssertionError("SIGINT did not raise KeyboardInterrupt")


def test_outside_the_block_every_keyboard_interrupt_is_the_users() -> None:
    # Library use, a REPL: nothing tells the two apart, so a Ctrl-C must always stop.
    assert is_user_interrupt(KeyboardInterrupt())
    assert not is_user_interrupt(SystemExit(0))
    assert not is_user_interrupt(GeneratorExit())
    assert not is_user_interrupt(ValueError())


def test_inside_the_block_a_plugins_keyboard_interrupt_is_not_the_users() -> None:
    with user_interrupts():
        assert not interrupted()
        assert not is_user_interrupt(KeyboardInterrupt())
        assert not is_user_interrupt(SystemExit("text"))


def test_a_real_sigint_inside_the_block_is_the_users() -> None:
    with user_interrupts():
        exc = _ctrl_c()
        assert interrupted()
        assert is_user_interrupt(exc)
        # From then on, any KeyboardInterrupt is: the run is stopping.
        assert is_user_interrupt(KeyboardInterrupt())
    with user_interrupts():  # a new run starts clean
        assert not interrupted()


def test_the_previous_handler_is_restored() -> None:
    before = signal.getsignal(signal.SIGINT)
    with user_interrupts():
        assert signal.getsignal(signal.SIGINT) is not before
    assert signal.getsignal(signal.SIGINT) is before
    with pytest.raises(RuntimeError), user_interrupts():
        raise RuntimeError
    assert signal.getsignal(signal.SIGINT) is before


def test_blocks_nest() -> None:
    before = signal.getsignal(signal.SIGINT)
    with user_interrupts():
        with user_interrupts():
            assert not is_user_interrupt(KeyboardInterrupt())
        # The outer block still holds.
        assert not is_user_interrupt(KeyboardInterrupt())
        assert _interrupts._installed == 1
    assert signal.getsignal(signal.SIGINT) is before
    assert _interrupts._installed == 0


def test_a_handler_replaced_inside_the_block_makes_every_interrupt_the_users() -> None:
    with user_interrupts():
        previous = signal.signal(signal.SIGINT, signal.default_int_handler)
        try:
            assert is_user_interrupt(KeyboardInterrupt())
        finally:
            signal.signal(signal.SIGINT, previous)


def test_outside_the_main_thread_the_block_changes_nothing() -> None:
    before = signal.getsignal(signal.SIGINT)
    seen: list[object] = []

    def run() -> None:
        with user_interrupts():
            seen.append(signal.getsignal(signal.SIGINT))
            seen.append(is_user_interrupt(KeyboardInterrupt()))

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    assert seen == [before, True]


def _exit_status(run: object) -> tuple[object, str]:
    """Call ``run`` and give the status it exits with and what it wrote to stderr."""
    import contextlib
    import io

    err = io.StringIO()
    with contextlib.redirect_stderr(err), pytest.raises(SystemExit) as exited:
        run()  # type: ignore[operator]
    return exited.value.code, err.getvalue()


def test_a_ctrl_c_click_caught_before_a_command_took_charge_exits_130(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # click turns the KeyboardInterrupt into Abort; standalone it would say "Aborted!"
    # and exit 1, which a scheduler reads as "done, with rejects".
    import click

    import dapolicy.cli as command

    def aborted(**_: object) -> None:
        raise click.exceptions.Abort

    monkeypatch.setattr(command.cli, "main", aborted)
    code, err = _exit_status(command.main)
    assert code == 130
    assert "nothing was written" in err
    assert "Aborted" not in err


def test_a_ctrl_c_during_import_exits_130_without_a_traceback(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from dapolicy import _script

    def importing() -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(_script, "_run", importing)
    code, err = _exit_status(_script.main)
    assert code == 130
    assert "Traceback" not in err


def test_the_script_keeps_every_commands_exit_status(tmp_path: object) -> None:
    # With click's standalone mode off, usage errors, ctx.exit codes and success must
    # still come out as before.
    from dapolicy import _script

    for argv, wanted in (
        (["dapolicy", "-V"], 0),
        (["dapolicy", "--no-such-option"], 2),
        (["dapolicy", "schema", "NoSuchType"], 2),
    ):
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr("sys.argv", argv)
            code, _ = _exit_status(_script.main)
        assert code == wanted, argv
