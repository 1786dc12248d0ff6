"""Every output of a batch, made with or without the speed-ups, to compare byte for byte.

``DAPOLICY_PURE_PYTHON`` is read once, when dapolicy is imported, so the two sides run
in different processes: :func:`outputs` runs ``dapolicy synth``, ``assess`` and
``audit`` in this process (through click's runner, so one process does all three), and
``python _identical.py CASES OUT [--jobs N] [--synth COUNT SEED FILE]`` does the same
in a fresh process, with whatever switch its environment gives. :func:`hostile_lines`
are the lines a fast path is most likely to read differently from its pure-Python
twin; :func:`with_hostile` mixes them into a file of valid cases.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

__all__ = [
    "VALID",
    "hostile_lines",
    "in_other_mode",
    "other_mode",
    "outputs",
    "synth",
    "with_hostile",
]

_PLACEHOLDER = "\x00here\x00"


def _put(line: str, path: tuple[Any, ...], text: str) -> str:
    """``line`` with the value at ``path`` replaced by the JSON text ``text``."""
    record = json.loads(line)
    target = record
    for part in path[:-1]:
        target = target[part]
    target[path[-1]] = _PLACEHOLDER
    return json.dumps(record, ensure_ascii=False, separators=(",", ":")).replace(
        json.dumps(_PLACEHOLDER), text
    )


def hostile_lines(valid: str) -> dict[str, bytes]:
    """Hostile variants of ``valid`` (a case with at least one child), by name."""
    age = ("incident", "children", 0, "age")
    name = ("incident", "victim", "name")
    victim = ("incident", "victim", "id")
    reported = ("incident", "reported_at")
    when = json.loads(valid)["incident"]["reported_at"]
    utc = datetime.fromisoformat(when).astimezone(UTC)
    text: dict[str, str] = {
        "empty": "",
        "blank": " \t ",
        "not JSON": "not json",
        "cut short": valid[: len(valid) // 2],
        "an array": "[]",
        "null": "null",
        "a number": "42",
        "a string": '"text"',
        "key given twice": valid.replace('{"incident":', '{"incident":{},"incident":', 1),
        "key given twice, once escaped": '{"\\u0069ncident":{},' + valid[1:],
        "trailing garbage": valid + " x",
        "a second object": valid + "{}",
        "trailing whitespace": valid + " \t",
        "CRLF": valid + "\r",
        "byte-order mark": "\ufeff" + valid,
        "spaced": json.dumps(json.loads(valid), ensure_ascii=False),
        "ASCII-escaped": json.dumps(json.loads(valid), ensure_ascii=True),
        "nested 1000 deep": "[" * 1000 + "]" * 1000,
        "nested 65 deep": _put(valid, name, "[" * 65 + "]" * 65),
        "nested 60 deep": _put(valid, name, "[" * 60 + "]" * 60),
        "2**63": _put(valid, age, str(2**63)),
        "2**64": _put(valid, age, str(2**64)),
        "-2**63 - 1": _put(valid, age, str(-(2**63) - 1)),
        "5000 digits": _put(valid, age, "1" * 5000),
        "NaN": _put(valid, age, "NaN"),
        "Infinity": _put(valid, age, "Infinity"),
        "-Infinity": _put(valid, age, "-Infinity"),
        "1e400": _put(valid, age, "1e400"),
        "-0.0": _put(valid, age, "-0.0"),
        "5.0": _put(valid, age, "5.0"),
        "1E1": _put(valid, age, "1E1"),
        "leading zero": _put(valid, age, "01"),
        "plus sign": _put(valid, age, "+1"),
        "true for a number": _put(valid, age, "true"),
        "lone high surrogate": _put(valid, name, '"\\ud800"'),
        "lone low surrogate": _put(valid, name, '"\\udfff x"'),
        "surrogate pair": _put(valid, name, '"\\ud83d\\ude00"'),
        "NUL": _put(valid, name, '"a\\u0000b"'),
        "control character": _put(valid, name, '"a\x01b"'),
        "escaped solidus": _put(valid, name, '"a\\/b"'),
        "non-ASCII": _put(valid, name, '"Zoë 李 😀"'),
        "long string": _put(valid, name, '"' + "é" * 9999 + '"'),
        "too long a string": _put(valid, name, '"' + "x" * 20000 + '"'),
        "escaped victim id": _put(valid, victim, '"V\\u0031-escaped"'),
        "victim id as a number": _put(valid, victim, "7"),
        "unknown key": _put(valid, ("incident", "victim", "naмe"), "1"),
        # The case's own report time, spelled otherwise (the same instant, or none).
        "naive date-time": _put(valid, reported, f'"{when[:19]}"'),
        "Z date-time": _put(valid, reported, f'"{utc:%Y-%m-%dT%H:%M:%S}Z"'),
        "fractional seconds": _put(valid, reported, f'"{when[:19]}.000000{when[19:]}"'),
        "leap second": _put(valid, reported, f'"{when[:17]}60{when[19:]}"'),
        "space for T": _put(valid, reported, f'"{when[:10]} {when[11:]}"'),
        "impossible date": _put(valid, reported, '"2013-02-29T10:00:00+00:00"'),
        "year 1": _put(valid, reported, '"0001-01-01T00:00:00+00:00"'),
        "wrong enum": _put(valid, ("incident", "relationship", "kind"), '"neighbour"'),
    }
    lines = {key: value.encode("utf-8", "surrogatepass") for key, value in text.items()}
    lines["not UTF-8"] = b"\xff\xfe" + valid.encode()
    lines["UTF-8 of a surrogate"] = valid.replace('"incident"', '"\udc80"', 1).encode(
        "utf-8", "surrogatepass"
    )
    return lines


def with_hostile(valid: list[bytes]) -> tuple[bytes, dict[int, str]]:
    """``valid`` lines with every :func:`hostile_lines` variant spread evenly among them.

    :return: the file's bytes, and the name of the variant on each hostile line (by
        line number, from 1).
    """
    base = next(line.decode() for line in valid if b'"children":[{' in line)
    hostile = list(hostile_lines(base).items())
    step = max(1, len(valid) // len(hostile))
    out: list[bytes] = []
    where: dict[int, str] = {}
    for number, line in enumerate(valid):
        out.append(line)
        while hostile and (number % step == 0 or number == len(valid) - 1):
            name, text = hostile.pop(0)
            out.append(text)
            where[len(out)] = name
            if number != len(valid) - 1:
                break
    return b"".join(line + b"\n" for line in out), where


#: The hostile variants that are valid cases (decided, not rejected).
VALID = frozenset(
    {
        "trailing whitespace", "CRLF", "byte-order mark", "spaced", "ASCII-escaped",
        "surrogate pair", "NUL", "escaped solidus", "non-ASCII", "long string",
        "escaped victim id", "Z date-time", "fractional seconds", "space for T",
    }
)  # fmt: skip


def _run(*args: str) -> str:
    """``dapolicy ARGS`` in this process: its standard output (exit 0, or 1 for rejects)."""
    from click.testing import CliRunner

    from dapolicy.cli import EXIT_OK, EXIT_REJECTS, cli

    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    if result.exit_code not in (EXIT_OK, EXIT_REJECTS):
        raise RuntimeError(f"dapolicy {args[0]} exited {result.exit_code}: {result.output}")
    return result.stdout


def synth(count: int, seed: int, out: Path) -> None:
    """``dapolicy synth COUNT --seed SEED -o OUT``, in this process."""
    _run("synth", str(count), "--seed", str(seed), "-o", str(out))


def outputs(cases: Path, out: Path, *, jobs: int = 1) -> list[Path]:
    """Assess (full and ``--compact``) and audit ``cases`` here; every file made, in ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    decisions, rejects, summary = out / "decisions.jsonl", out / "rejects.jsonl", out / "s.json"
    audit_json, audit_rejects = out / "audit.json", out / "audit.rejects.jsonl"
    _run(
        "assess", str(cases), "-o", str(decisions), "--rejects", str(rejects),
        "--summary-json", str(summary), "--allow-rejects", "--quiet", "--jobs", str(jobs),
    )  # fmt: skip
    compact = out / "compact.jsonl"
    _run(
        "assess", str(cases), "-o", str(compact), "--rejects", str(out / "compact.rejects.jsonl"),
        "--compact", "--allow-rejects", "--quiet", "--jobs", str(jobs),
    )  # fmt: skip
    report = _run("audit", str(cases), "--json", str(audit_json), "--rejects", str(audit_rejects))
    (out / "audit.txt").write_text(report, encoding="utf-8")
    return [decisions, rejects, summary, compact, audit_json, audit_rejects, out / "audit.txt"]


def _mode() -> str:
    from dapolicy import _speedups

    return "fast" if _speedups.FAST else "pure"


def other_mode() -> tuple[dict[str, str], str]:
    """The environment for a process with the switch the other way, and its mode's name."""
    env = {k: v for k, v in os.environ.items() if k != "DAPOLICY_PURE_PYTHON"}
    if _mode() == "fast":
        return {**env, "DAPOLICY_PURE_PYTHON": "1"}, "pure"
    return env, "fast"


def in_other_mode(cases: Path, out: Path, *options: str) -> None:
    """:func:`outputs` (and ``--synth``) in a subprocess with the switch the other way."""
    env, mode = other_mode()
    child = subprocess.run(
        [sys.executable, __file__, str(cases), str(out), *options],
        env=env,
        capture_output=True,
        text=True,
        timeout=1800,
        check=False,
    )
    if child.returncode != 0 or child.stdout.split() != [mode]:
        raise RuntimeError(f"the {mode} run failed: {child.stdout[-500:]}{child.stderr[-3000:]}")


def main(argv: list[str]) -> None:
    """``CASES OUT [--jobs N] [--synth COUNT SEED FILE]``: print this process's mode."""
    cases, out, options = Path(argv[0]), Path(argv[1]), argv[2:]
    jobs = 1
    while options:
        if options[0] == "--jobs":
            jobs, options = int(options[1]), options[2:]
        elif options[0] == "--synth":
            synth(int(options[1]), int(options[2]), Path(options[3]))
            options = options[4:]
        else:
            raise SystemExit(f"unknown option {options[0]}")
    outputs(cases, out, jobs=jobs)
    print(_mode())


if __name__ == "__main__":
    main(sys.argv[1:])
