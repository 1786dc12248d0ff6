"""Records for the differential tests of the read path: fast against pure, same answers.

``CASES`` are valid cases (from ``synth``, plus two enriched by hand so every field of
every model is there: a professional judgement, an area, a family relationship, a
victim's name, date of birth and vulnerabilities), as dapolicy writes them; ``SPARSE``
the enriched two with fields left to their defaults. :func:`mutated` draws one of them
with one fault: a value replaced by a hostile one (``HOSTILE``), a cross-field invariant
broken (``BREAKS``), a key removed, added or given twice, the text laid out or escaped
differently, cut, or wrapped. :func:`outcome` is what reading gives: the object, its
JSON and the types it holds, or the error's type, paths and messages.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import attrs
from hypothesis import strategies as st

from dapolicy import Case, ValidationError, default_policy, from_json, to_json
from dapolicy import models as m
from dapolicy.synth import synthesize

__all__ = [
    "BREAKS",
    "CASES",
    "DECISIONS",
    "DECISION_BREAKS",
    "HOSTILE",
    "SPARSE",
    "compact",
    "mutated",
    "outcome",
    "texts",
]


def _enriched(text: str, number: int) -> str:
    record = json.loads(text)
    incident = record["incident"]
    incident["area"] = f"bcu-{number}"
    incident["weapon_present"] = True
    incident["relationship"] = {"kind": "family_member", "family": "sibling"}
    incident["victim"].update(
        name="Zed Example",
        date_of_birth="1980-02-29",
        address="1 Example Row",
        phone="07700 900123",
        vulnerabilities=["pregnant", "mental_health"],
    )
    incident["children"] = [
        {"id": f"C-{number}-1", "age": 0, "present": True},
        {"id": f"C-{number}-2", "age": 17, "usually_resident": True, "affected": True},
    ]
    incident["crime"] = {
        "id": f"CR-{number}",
        "offence": "common_assault",
        "outcome": "no_further_action",
        "outcome_rationale": "victim declined to support",
    }
    record["form"] = {
        "incident_id": incident["id"],
        "checklist": "dash-2009-police",
        "answers": {"1": "yes", "2": "no", "27": "declined", "Q4": "not_known"},
        "completed_by": "PC-1",
        "completed_at": incident["reported_at"],
        "professional_judgement": {
            "grade": "high",
            "rationale": "escalating",
            "refer_to_marac": True,
        },
    }
    if number == 2:
        record["dara"] = {
            "incident_id": incident["id"],
            "answers": {"d1": "often", "d2": "never", "d3": "not_known"},
            "completed_by": "PC-2",
            "completed_at": incident["reported_at"],
            "grade": "medium",
            "rationale": "frequent threats",
        }
    return json.dumps(record, ensure_ascii=False, separators=(",", ":"))


_SYNTH = [to_json(case) for case in synthesize(30, 11)]
#: The enriched cases as a force system might send them: fields left to their defaults.
SPARSE: list[str] = [_enriched(_SYNTH[0], 1), _enriched(_SYNTH[1], 2)]
#: Valid cases as dapolicy writes them (every field, compact), the enriched ones last.
CASES: list[str] = [*_SYNTH, *(to_json(from_json(Case, text)) for text in SPARSE)]


def _decision_text() -> str:
    when = datetime(2031, 3, 30, 0, 30, tzinfo=UTC)
    why = m.Reason("rule.one", "a source", "a reason")
    decision = m.Decision(
        incident_id="INC-1",
        victim_id="V1",
        grade=m.RiskGrade.HIGH,
        decided_at=when,
        domestic_abuse=m.DomesticAbuseVerdict.DOMESTIC_ABUSE,
        reasons=[why],
        findings=[m.Finding("dash", m.RiskGrade.HIGH, [why], score=14)],
        referrals=[m.Referral(m.Destination.MARAC, "V1", [why], ["dash"], when)],
        tasks=[m.Task("welfare check", "C1", when + timedelta(hours=2), [why])],
        allocation=m.Allocation(m.InvestigatorLevel.DETECTIVE, [why]),
        failures=[m.PluginFailure("local", "dapolicy_tasks", "ValueError")],
        needs_review=True,
        plugins=[m.PluginInfo("dash", "1.0")],
        policy_version="v-2031",
    )
    return to_json(decision)


#: Decisions as the policy writes them, of every case above, and one by hand with a
#: model of each kind a decision holds (a failure, an allocation, a policy version).
_POLICY = default_policy()
DECISIONS: list[str] = [
    *(to_json(_POLICY.assess_case(from_json(Case, line))) for line in CASES),
    _decision_text(),
]

#: Values put in place of any value of a valid case, as JSON text.
HOSTILE: list[str] = [
    "[" * 70 + "]" * 70,
    '{"a":' * 70 + "1" + "}" * 70,
    "1" * 5000,
    "18446744073709551616",
    "9223372036854775807",
    "-9223372036854775809",
    "123456789012345678901234567890",
    "-0",
    "0",
    "17",
    "18",
    "-1",
    "1.0",
    "0.5",
    "1e2",
    "1e400",
    "NaN",
    "Infinity",
    "true",
    "false",
    "null",
    "{}",
    "[]",
    "[null]",
    '["yes"]',
    '"yes"',
    '"YES"',
    '"physical"',
    '"family_member"',
    '"no_further_action"',
    '""',
    '"   "',
    '"\\t"',
    '"\\u2003"',
    '"\\u200b"',
    '"\\u0000"',
    '"\\ud800"',
    '"\\udc00x"',
    '"\\ud83d\\ude00"',
    '"caf\\u00e9"',
    '"a\\"b"',
    '"Jane Smith"',
    '"07700 900123"',
    '"bcu-9"',
    '"Bad Area!"',
    '"x' + "y" * 9999 + '"',
    '"x' + "y" * 10000 + '"',
    '"2024-03-31T01:30:00"',
    '"2024-03-31T01:30:00Z"',
    '"2024-03-31T01:30:00.123456+01:00"',
    '"2024-03-31T01:30:00+01:00:30"',
    '"2024-03-31 01:30:00+00:00"',
    '"2024-03-31T01:30+01:00"',
    '"2031-01-01T00:00:00+00:00"',
    '"1899-12-31T23:59:59+00:00"',
    '"1900-01-01T00:00:00+14:00"',
    '"2200-12-31T23:59:59-14:00"',
    '"0001-01-01T00:00:00+00:00"',
    '"9999-12-31T23:00:00-05:00"',
    '"2024-W01-1"',
    '"2024-01-01"',
    '"20240101"',
    '"1991-06-03"',
    '"2023-02-29"',
    '"0001-01-01"',
    "[" + ",".join(['"physical"'] * 1000) + "]",
    "[" + ",".join(['"physical"'] * 1001) + "]",
    "{" + ",".join(f'"{n}":"yes"' for n in range(1001)) + "}",
    '{"":"yes"}',
    '{" ":"yes"}',
    '{"1":"maybe"}',
    '{"1":null}',
    '{"id":"x","age":3}',
    '[{"id":"x","age":3},{"id":"x","age":4}]',
]

_PLACEHOLDER = "\x00hostile\x00"


def _paths(record: Any) -> list[tuple[Any, ...]]:
    """The path of every value in ``record``, the record itself first."""
    found: list[tuple[Any, ...]] = []
    waiting: list[tuple[tuple[Any, ...], Any]] = [((), record)]
    while waiting:
        path, value = waiting.pop()
        found.append(path)
        if isinstance(value, dict):
            waiting.extend(((*path, key), item) for key, item in value.items())
        elif isinstance(value, list):
            waiting.extend(((*path, index), item) for index, item in enumerate(value))
    return found


def _at(record: Any, path: tuple[Any, ...]) -> Any:
    for part in path:
        record = record[part]
    return record


def _set(record: Any, path: tuple[Any, ...], value: Any) -> Any:
    if not path:
        return value
    _at(record, path[:-1])[path[-1]] = value
    return record


def compact(record: Any) -> str:
    """``record`` as dapolicy writes JSON: compact, not ASCII-escaped."""
    return json.dumps(record, ensure_ascii=False, separators=(",", ":"))


def _swap_times(r: dict[str, Any]) -> None:
    i = r["incident"]
    i["reported_at"], i["occurred_at"] = i["occurred_at"], i["reported_at"]


def _same_people(r: dict[str, Any]) -> None:
    r["incident"]["suspect"]["id"] = r["incident"]["victim"]["id"]


def _child_twice(r: dict[str, Any]) -> None:
    child = {"id": "C-twice", "age": 5}
    r["incident"]["children"] = [child, dict(child, age=6)]


def _other_form(r: dict[str, Any]) -> None:
    if r["form"] is not None:
        r["form"]["incident_id"] = "SOMEWHERE-ELSE"


def _graded_only(r: dict[str, Any]) -> None:
    r["graded_at"], r["recorded_grade"] = r["incident"]["reported_at"], None


def _grade_only(r: dict[str, Any]) -> None:
    r["graded_at"], r["recorded_grade"] = None, "high"


def _graded_early(r: dict[str, Any]) -> None:
    r["graded_at"], r["recorded_grade"] = "1990-01-01T00:00:00+00:00", "high"


def _graded_later_offset(r: dict[str, Any]) -> None:
    # The same instant as the report written at another offset: not before it.
    r["graded_at"], r["recorded_grade"] = "2031-06-01T12:00:00+05:00", "medium"
    r["incident"]["reported_at"] = "2031-06-01T07:00:00Z"
    r["incident"]["occurred_at"] = "2031-06-01T06:59:59+00:00"
    r["call"] = None
    if r["form"] is not None:
        r["form"]["completed_at"] = r["incident"]["reported_at"]
        r["form"]["submitted_at"] = r["form"]["officer_off_duty_at"] = None


def _call_elsewhere(r: dict[str, Any]) -> None:
    if r["call"] is not None:
        r["call"]["id"] = "CALL-ELSEWHERE"


def _nfa(rationale: Any) -> Callable[[dict[str, Any]], None]:
    def breaks(r: dict[str, Any]) -> None:
        r["incident"]["crime"] = {
            "id": "CR-x",
            "offence": "harassment",
            "outcome": "no_further_action",
            "outcome_rationale": rationale,
        }

    return breaks


def _charged_blank(r: dict[str, Any]) -> None:
    r["incident"]["crime"] = {"id": "CR-y", "offence": "stalking", "outcome": "charge"}
    r["incident"]["crime"]["outcome_rationale"] = "  "


def _family(kind: str, family: Any) -> Callable[[dict[str, Any]], None]:
    def breaks(r: dict[str, Any]) -> None:
        r["incident"]["relationship"] = {"kind": kind, "family": family}

    return breaks


def _submitted_early(r: dict[str, Any]) -> None:
    if r["form"] is not None:
        r["form"]["submitted_at"] = "1950-01-01T00:00:00+00:00"


def _dara(change: dict[str, Any]) -> Callable[[dict[str, Any]], None]:
    def breaks(r: dict[str, Any]) -> None:
        r["dara"] = {
            "incident_id": r["incident"]["id"],
            "answers": {"d1": "once"},
            "completed_by": "PC-3",
            "completed_at": r["incident"]["reported_at"],
            **change,
        }

    return breaks


def _judgement(rationale: str) -> Callable[[dict[str, Any]], None]:
    def breaks(r: dict[str, Any]) -> None:
        if r["form"] is not None:
            r["form"]["professional_judgement"] = {"grade": "medium", "rationale": rationale}

    return breaks


#: Changes that break (or, for the last few, keep) a rule across fields.
BREAKS: dict[str, Callable[[dict[str, Any]], None]] = {
    "occurred after reported": _swap_times,
    "victim is suspect": _same_people,
    "a child twice": _child_twice,
    "form for another incident": _other_form,
    "graded_at without a grade": _graded_only,
    "grade without graded_at": _grade_only,
    "graded before reported": _graded_early,
    "call elsewhere": _call_elsewhere,
    "no further action, no rationale": _nfa(None),
    "no further action, blank rationale": _nfa(" \t"),
    "charge, blank rationale": _charged_blank,
    "family member without family": _family("family_member", None),
    "partner with family": _family("intimate_partner", "sibling"),
    "submitted before completed": _submitted_early,
    "blank judgement": _judgement("\u2003"),
    "DARA for another incident": _dara({"incident_id": "ELSEWHERE"}),
    "DARA submitted before completed": _dara({"submitted_at": "1950-01-01T00:00:00Z"}),
    "DARA answer blank item": _dara({"answers": {" ": "often"}}),
    "DARA answered 'yes'": _dara({"answers": {"d1": "yes"}}),
    "DARA without grade or rationale": _dara({}),
    # Valid, unusual: must be accepted by both.
    "graded at the report's instant, another offset": _graded_later_offset,
    "no further action with a rationale": _nfa("insufficient evidence"),
    "family member with family": _family("family_member", "cousin"),
    "judgement": _judgement("x"),
}


def _decision(path: tuple[Any, ...], value: Any) -> Callable[[dict[str, Any]], None]:
    def breaks(r: dict[str, Any]) -> None:
        try:
            target = _at(r, path[:-1])
            target[path[-1]]  # there to replace (a decision may have no task, no allocation)
        except (KeyError, IndexError, TypeError):
            return
        target[path[-1]] = value

    return breaks


def _unflagged(r: dict[str, Any]) -> None:
    r["review_reasons"], r["failures"], r["needs_review"] = [], [], True


def _skills_left_out(r: dict[str, Any]) -> None:
    if r.get("allocation") is not None:
        del r["allocation"]["skills"]


#: The rules across a decision's fields broken (or, for the last few, kept).
DECISION_BREAKS: dict[str, Callable[[dict[str, Any]], None]] = {
    "review without a reason": _unflagged,
    "flagged, no review": _decision(("needs_review",), False),
    "no reasons": _decision(("reasons",), []),
    "blank reason": _decision(("reasons", 0, "text"), "\u2003"),
    "unsafe policy version": _decision(("policy_version",), "v 1"),
    "decided in 2201": _decision(("decided_at",), "2201-01-01T00:00:00+00:00"),
    "naive due time": _decision(("tasks", 0, "due_by"), "2031-03-30T02:30:00"),
    "task without reasons": _decision(("tasks", 0, "reasons"), []),
    "negative score": _decision(("findings", 0, "score"), -1),
    "skills not the level's": _decision(("allocation", "skills"), ["detective"]),
    "blank plug-in version": _decision(("plugins", 0, "version"), " "),
    # Valid, unusual: must be accepted by both.
    "skills left to their default": _skills_left_out,
    "no policy version": _decision(("policy_version",), ""),
    "a task for no one in particular": _decision(("tasks", 0, "assignee"), None),
}

_KINDS = ["replace"] * 6 + ["break"] * 3 + ["remove", "add", "twice", "layout", "cut", "wrap"]


@st.composite
def mutated(
    draw: st.DrawFn,
    records: list[str] | None = None,
    breaks: dict[str, Callable[[dict[str, Any]], None]] = BREAKS,
) -> str | bytes:
    """A valid record with one fault (or one unusual, valid change) put anywhere in it.

    :param records: the valid records to start from (the cases, by default).
    :param breaks: the changes of a rule across fields that may be made.
    """
    record = json.loads(draw(st.sampled_from(CASES + SPARSE if records is None else records)))
    kind = draw(st.sampled_from(_KINDS))
    path = draw(st.sampled_from(_paths(record)))
    if kind == "replace":
        value = draw(st.sampled_from(HOSTILE))
        return compact(_set(record, path, _PLACEHOLDER)).replace(json.dumps(_PLACEHOLDER), value)
    if kind == "break":
        breaks[draw(st.sampled_from(sorted(breaks)))](record)
        return compact(record)
    if kind == "remove" and path:
        del _at(record, path[:-1])[path[-1]]
    elif kind == "add" and isinstance(_at(record, path), dict):
        key = draw(st.sampled_from(["unknown_key", "Jane Smith", "07700900123", "id"]))
        _at(record, path).setdefault(key, draw(st.sampled_from([None, 1, "x", []])))
    text = compact(record)
    if kind == "twice":
        key = draw(st.sampled_from(['"id":"again",', '"id" : "again" ,', '"Jane Smith":1,']))
        text = text.replace("{", "{" + key, 1 + draw(st.integers(0, 3)))
    elif kind == "layout":
        text = json.dumps(
            record,
            ensure_ascii=draw(st.booleans()),
            indent=draw(st.sampled_from([None, 1])),
            separators=draw(st.sampled_from([None, (",", ":"), (" , ", " : ")])),
        )
    elif kind == "cut":
        text = text[: draw(st.integers(0, len(text)))]
    elif kind == "wrap":
        text = draw(st.sampled_from(["\ufeff{}", "[{}]", "{}\r\n", "  {} ", "{}x"])).replace(
            "{}", text
        )
    return text.encode() if draw(st.booleans()) else text


def texts() -> st.SearchStrategy[str | bytes]:
    """Valid cases, mutated ones, and arbitrary text."""
    return st.one_of(
        st.sampled_from(CASES),
        mutated(),
        mutated(),
        mutated(),
        st.binary(max_size=80),
        st.text(max_size=40),
    )


def _types(value: Any) -> Any:
    """The type of ``value`` and of everything it holds, to compare two readings."""
    if attrs.has(type(value)):
        fields = attrs.fields(type(value))
        return (type(value), tuple(_types(getattr(value, f.name)) for f in fields))
    if isinstance(value, (tuple, frozenset, list)):
        return (type(value), tuple(sorted(map(repr, map(_types, value)))))
    if hasattr(value, "items"):
        return (type(value), tuple((type(k), _types(v)) for k, v in value.items()))
    tz = getattr(value, "tzinfo", None)
    return (type(value), type(tz), repr(tz)) if tz is not None else type(value)


def outcome(read: Callable[[], Any]) -> tuple[Any, ...]:
    """What ``read()`` gives: the object and its JSON and types, or the error in full."""
    try:
        built = read()
    except ValidationError as exc:
        errors = tuple((error.path, error.message) for error in exc.errors)
        return ("rejected", exc.type_name, errors, str(exc))
    return ("accepted", built, to_json(built), _types(built))
