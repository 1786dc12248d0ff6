"""The compact decisions file (``dapolicy assess --compact``): written, and read back whole.

A compact file holds, one JSON record a line:

- first, the header ``{"dapolicy_compact_decisions":1}``;
- ``{"define_source":N,"source":"..."}``: source number ``N`` (0, 1, 2 ... in order),
  written once, before the first decision that cites it;
- ``{"define_plugins":[...],"policy_fingerprint":"...","policy_version":"..."}``: the
  plug-in list of that policy, written once, before the first decision made by it;
- each decision, in the full form's bytes except that every reason's ``source`` is the
  number of its definition, and ``plugins`` is left out when it is the defined list for
  the decision's ``policy_fingerprint`` and ``policy_version`` (a decision whose list is
  not that one keeps its own).

:class:`Expander` gives back the full form of every decision byte for byte, so ``verify``
compares a compact file as it compares a full one. The rewriting is done on the text
:func:`dapolicy.serialization.to_json` writes, where the member ``"source":`` occurs only
as a reason's source (a decision has no mapping keyed by input, and inside a JSON string
every quotation mark is escaped) and the last three members are always
``policy_fingerprint``, ``plugins``, ``policy_version``.
"""

from __future__ import annotations

import json
import re
from typing import Any

__all__ = ["HEADER", "CompactFormError", "Compactor", "Expander", "LineError"]

#: The first line of a compact file.
HEADER = '{"dapolicy_compact_decisions":1}'
_HEADER_KEY = '{"dapolicy_compact_decisions":'
_SOURCE_KEY = '"source":"'
_REFERENCE_KEY = '"source":'
_PLUGINS_KEY = ',"plugins":['
_VERSION_KEY = ',"policy_version":"'
_FINGERPRINT_KEY = ',"policy_fingerprint":"'
_DEFINE_SOURCE = '{"define_source":'
_DEFINE_PLUGINS = '{"define_plugins":'
#: A reason whose source is a number: the mark of a compact decision.
_COMPACT_MARK = re.compile(r'"source":\d')


class CompactFormError(ValueError):
    """A file that cannot be read as decisions at all (a compact file cut from its header)."""


class LineError(ValueError):
    """One line of a compact file that cannot be expanded; its message says why."""


def _string_end(text: str, start: int) -> int:
    """The index of the quotation mark that closes the JSON string begun before ``start``."""
    end = text.index('"', start)
    while True:
        backslashes = 0
        while end - 1 - backslashes >= 0 and text[end - 1 - backslashes] == "\\":
            backslashes += 1
        if backslashes % 2 == 0:
            return end
        end = text.index('"', end + 1)


class Compactor:
    """Turns full-form decision lines into the lines of a compact file, in order."""

    def __init__(self) -> None:
        """A new file: nothing defined yet (write :data:`HEADER` first)."""
        self._sources: dict[str, int] = {}
        self._plugins: dict[tuple[str, str], str] = {}

    def lines(self, full: str) -> list[str]:
        """The definitions ``full`` needs that are not yet written, then its compact line."""
        written: list[str] = []
        sources = self._sources
        parts = full.split(_SOURCE_KEY)
        for index in range(1, len(parts)):
            part = parts[index]
            end = part.find('"')
            if end > 0 and part[end - 1] == "\\":  # an escaped quotation mark: look on
                end = _string_end(part, 0)
            source = part[:end]
            number = sources.get(source)
            if number is None:
                number = sources[source] = len(sources)
                written.append(f'{_DEFINE_SOURCE}{number},"source":"{source}"}}')
            parts[index] = f"{number}{part[end + 1 :]}"
        line = _REFERENCE_KEY.join(parts)
        cut = self._without_plugins(line, written)
        written.append(cut)
        return written

    def _without_plugins(self, line: str, written: list[str]) -> str:
        plugins = line.rfind(_PLUGINS_KEY)
        version = line.rfind(_VERSION_KEY)
        fingerprint = line.rfind(_FINGERPRINT_KEY, 0, plugins)
        if min(plugins, version, fingerprint) < 0 or not fingerprint < plugins < version:
            return line  # not the shape to_json writes: kept whole
        listed = line[plugins + len(_PLUGINS_KEY) - 1 : version]
        key = (line[fingerprint + len(_FINGERPRINT_KEY) : plugins - 1], line[version:-1])
        known = self._plugins.get(key)
        if known is None:
            known = self._plugins[key] = listed
            written.append(f"{_DEFINE_PLUGINS}{listed}{line[fingerprint:plugins]}{line[version:]}")
        if known != listed:
            return line
        return line[:plugins] + line[version:]


class Expander:
    """Reads a decisions file line by line, full or compact, giving each decision in full.

    :param name: the file's name, for messages.
    """

    def __init__(self, name: str) -> None:
        """Nothing read yet: the first line says which form the file is in."""
        self.name = name
        self.compact: bool | None = None
        self._sources: list[str] = []
        self._plugins: dict[tuple[str, str], str] = {}

    def full(self, number: int, text: str) -> str | None:
        """The full form of line ``number`` (``text`` without its newline).

        ``None`` for the header and the definitions (they are not decisions).

        :raises CompactFormError: a compact line in a file without the header.
        :raises LineError: this line cannot be expanded (a definition it needs is
            missing, or the line is not one of the compact form's records).
        """
        if text.startswith(_HEADER_KEY):
            if text != HEADER:
                raise LineError("a compact header of a form this dapolicy does not read")
            self.compact = True
            self._sources, self._plugins = [], {}  # files joined end to end each start anew
            return None
        if self.compact is None:
            self.compact = False
        if not self.compact:
            if text.startswith((_DEFINE_SOURCE, _DEFINE_PLUGINS)) or _COMPACT_MARK.search(text):
                raise CompactFormError(
                    f"{self.name}: line {number} is in the compact form, but the file does "
                    f"not begin with the compact header {HEADER} (was it cut from its "
                    "first line?)"
                )
            return text
        if text.startswith(_DEFINE_SOURCE):
            self._define_source(text)
            return None
        if text.startswith(_DEFINE_PLUGINS):
            self._define_plugins(text)
            return None
        return self._plugins_back(self._sources_back(text))

    def _define_source(self, text: str) -> None:
        record = _record(text, {"define_source", "source"})
        number, source = record["define_source"], record["source"]
        if not isinstance(source, str) or type(number) is not int or number != len(self._sources):
            raise LineError(f"not the definition of source {len(self._sources)}, the next")
        self._sources.append(_encoded(source))

    def _define_plugins(self, text: str) -> None:
        record = _record(text, {"define_plugins", "policy_fingerprint", "policy_version"})
        fingerprint, version = record["policy_fingerprint"], record["policy_version"]
        if not (isinstance(fingerprint, str) and isinstance(version, str)):
            raise LineError("a plug-in list's policy fingerprint and version must be strings")
        listed = _encoded(record["define_plugins"])
        self._plugins[(_encoded(fingerprint)[1:-1], _VERSION_KEY + _encoded(version)[1:])] = listed

    def _sources_back(self, text: str) -> str:
        parts = text.split(_REFERENCE_KEY)
        for index in range(1, len(parts)):
            part = parts[index]
            digits = len(part) - len(part.lstrip("0123456789"))
            if digits == 0:
                raise LineError("a reason's source is not a defined source's number")
            number = int(part[:digits])
            if number >= len(self._sources):
                raise LineError(f"source {number} is cited before it is defined")
            parts[index] = self._sources[number] + part[digits:]
        return _REFERENCE_KEY.join(parts)

    def _plugins_back(self, line: str) -> str:
        version = line.rfind(_VERSION_KEY)
        if version < 1 or line[version - 1] != '"':
            return line  # it keeps its own plug-in list (or is not a decision at all)
        fingerprint = line.rfind(_FINGERPRINT_KEY, 0, version)
        if fingerprint < 0:
            return line
        key = (line[fingerprint + len(_FINGERPRINT_KEY) : version - 1], line[version:-1])
        listed = self._plugins.get(key)
        if listed is None:
            raise LineError("its policy's plug-in list is not defined before it")
        return f'{line[:version]},"plugins":{listed}{line[version:]}'


def _record(text: str, keys: set[str]) -> dict[str, Any]:
    try:
        record = json.loads(text)
    except ValueError:
        raise LineError("a definition that is not valid JSON") from None
    if not isinstance(record, dict) or set(record) != keys:
        raise LineError("a definition with other fields than the compact form's")
    return record


def _encoded(value: Any) -> str:
    """``value`` as ``to_json`` writes it."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
