"""The checklists a policy knows, with their item ids and short paraphrases.

``dapolicy checklists`` prints them: every checklist the registered plug-ins
contribute (DASH 2009 police and partner-agency, S-DASH, DIAL as the force configured
it, the Lethality Screen, and a force's own), each item with the id a
:class:`~dapolicy.models.RiskForm` answers it by, its section and a short paraphrase.

Never the instrument's wording: it is copyright, and dapolicy ships paraphrases only. A
force that holds a licence may load its own wording into ``QuestionItem.text``; this
module leaves it out all the same, so that the listing can be shared.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from dapolicy.models import QuestionSet
from dapolicy.policy import Policy

__all__ = ["checklists", "checklists_data", "render_checklists"]


def checklists(policy: Policy) -> tuple[QuestionSet, ...]:
    """Every checklist ``policy``'s plug-ins contribute, by id."""
    return tuple(policy.question_sets[key] for key in sorted(policy.question_sets))


def checklists_data(sets: Iterable[QuestionSet]) -> list[dict[str, Any]]:
    """The checklists as JSON-ready data: ids, titles, sources, items; no wording."""
    return [
        {
            "id": qs.id,
            "title": qs.title,
            "source": qs.source,
            "items": [
                {"id": item.id, "section": item.section, "summary": item.summary}
                for item in qs.items
            ],
        }
        for qs in sets
    ]


def render_checklists(sets: Iterable[QuestionSet]) -> str:
    """The checklists as text: a heading per checklist, one line per item.

    ::

        dash-2009-police: DASH 2009 (police, 27 items, with S-DASH) [38 items]
          source: ...
          1   current situation        injury from the current incident
    """
    blocks = []
    for qs in sets:
        id_width = max(len(item.id) for item in qs.items)
        section_width = max(len(item.section or "") for item in qs.items)
        count = f"{len(qs.items)} item{'s' * (len(qs.items) != 1)}"
        lines = [f"{qs.id}: {qs.title} [{count}]"]
        if qs.source:
            lines.append(f"  source: {qs.source}")
        for item in qs.items:
            section = f"{item.section or '':<{section_width}}  " if section_width else ""
            lines.append(f"  {item.id:<{id_width}}  {section}{item.summary}".rstrip())
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks) + "\n" if blocks else "no checklists\n"
