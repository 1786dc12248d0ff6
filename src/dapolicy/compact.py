"""The compact decisions form of ``dapolicy assess --compact``, for programs.

A compact file is the full form of its decisions with each reason's source and each
policy's plug-in list written once, on a line of its own before the first decision that
needs it, instead of on every line; its first line is :data:`HEADER`. Nothing is lost:
:func:`full_lines` gives back every decision's full-form line, byte for byte, and
``dapolicy verify``, ``explain --decisions`` and ``export`` read both forms. The form is
described in the guide's JSON page ("The compact decisions form").
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from dapolicy._compact import HEADER, CompactFormError, Compactor, Expander, LineError

__all__ = ["HEADER", "CompactFormError", "LineError", "compact_lines", "full_lines"]


def compact_lines(decisions: Iterable[str]) -> Iterator[str]:
    """The lines of a compact file holding ``decisions`` (full-form lines, as ``to_json``).

    :param decisions: decisions as :func:`~dapolicy.serialization.to_json` writes them,
        without newlines.
    :return: the header, then each decision preceded by the definitions it is the first
        to need.
    """
    compactor = Compactor()
    yield HEADER
    for decision in decisions:
        yield from compactor.lines(decision)


def full_lines(lines: Iterable[str], name: str = "decisions") -> Iterator[str]:
    """The full form of every decision of a decisions file, full or compact.

    :param lines: the file's lines, without newlines.
    :param name: the file's name, for messages.
    :return: each decision's full-form line, in order (a compact file's header and
        definitions are not decisions, and are not given).
    :raises CompactFormError: a compact line in a file that does not begin with the header.
    :raises LineError: a line of a compact file that cannot be expanded; its message
        says why (the line is the last one read).
    """
    form = Expander(name)
    for number, line in enumerate(lines, start=1):
        full = form.full(number, line)
        if full is not None:
            yield full
