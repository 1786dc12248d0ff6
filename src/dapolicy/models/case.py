"""A case: one incident with what arrived about it -- the unit of a batch run.

``dapolicy assess`` and ``dapolicy audit`` read one case per line. The form is absent
when none arrived (the inspected force lost 38 % of them); ``graded_at`` is when the
force itself recorded a grade, so the audit can measure its report-to-grade latency.
"""

from __future__ import annotations

from datetime import datetime

import attrs

from dapolicy.models._base import Checked, Problems, aware, fixed_offset_or_none, micros
from dapolicy.models.dara import DaraForm
from dapolicy.models.incident import Call, Incident
from dapolicy.models.risk import RiskForm, RiskGrade

__all__ = ["Case"]


@attrs.frozen
class Case(Checked):
    """One incident and what arrived about it.

    :param incident: the incident.
    :param form: its risk form, or ``None`` if none arrived.
    :param call: the call that led to it, if known.
    :param graded_at: when the force recorded a risk grade, if it did.
    :param recorded_grade: the grade the force recorded, if it did.
    :param dara: the officer's DARA form, if the force runs DARA (beside ``form``,
        which may then be a partner agency's DASH).
    """

    incident: Incident
    form: RiskForm | None = None
    call: Call | None = None
    graded_at: datetime | None = attrs.field(default=None, converter=fixed_offset_or_none)
    recorded_grade: RiskGrade | None = None
    dara: DaraForm | None = None

    def _problems(self) -> Problems:
        if self.form is not None and self.form.incident_id != self.incident.id:
            yield "form", "is for another incident (incident_id does not match)"
        if self.dara is not None and self.dara.incident_id != self.incident.id:
            yield "dara", "is for another incident (incident_id does not match)"
        if self.call is not None and self.incident.call_id not in (None, self.call.id):
            yield "call", "is not the incident's call (call_id does not match)"
        yield from aware("graded_at", self.graded_at, optional=True)
        if (
            isinstance(self.graded_at, datetime)
            and self.graded_at.utcoffset() is not None
            and micros(self.graded_at) < micros(self.incident.reported_at)
        ):
            yield "graded_at", "must not be before the incident was reported"
        if (self.graded_at is None) != (self.recorded_grade is None):
            yield "recorded_grade", "graded_at and recorded_grade go together"
