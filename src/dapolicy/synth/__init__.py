"""Synthetic domestic-abuse cases for demos, tests and benchmarks.

``synthesize(n, seed, profile)`` yields ``n`` valid :class:`~dapolicy.models.Case`
records (incident, call, DASH form or none, the force's grade and when it was
recorded), in the order the incidents happened (by ``occurred_at``, ties by victim),
over one year in Europe/London.

Exact, not approximate. Every count a profile fixes (crimes, each offence category,
arrests, each outcome, missing and late forms, repeat calls, incidents with children,
16- and 17-year-old victims...) is apportioned over ``n`` by the largest-remainder
method (:func:`plan_counts`; it depends on ``n`` and the profile only, never on the
seed), and the seed only decides *which* records get each attribute. So for the
``staffordshire-2013`` profile at its reference size (``n = 14,610``),
``dapolicy.audit`` gives back the inspection report's headline percentages exactly.

Deterministic. The same ``(n, seed, profile)`` gives the same records and so the same
bytes of :func:`dapolicy.serialization.to_json`: no clock is read, no global random
state is touched (each stage has its own :class:`random.Random`, seeded from a string),
nothing depends on set or dict iteration order.

Synthetic. Ids are pseudonymous (``V-000123``, ``SYN-INC-000123``); no name, address
or telephone number is generated. Dates of birth are generated because the
domestic-abuse definition needs ages.

Events. :func:`synthesize_events` follows the cases with order breaches, bail breaches,
partner agencies' reports of abuse and releases (shares that are assumptions), for the
repeat-MARAC and re-grading rules; :func:`synthesize` itself yields cases only.

Memory: the plan (a few small integers per record and per victim) is built up front so
that repeat victims and time order are right; the cases themselves are built one at a
time as they are yielded.

Profiles
--------
``staffordshire-2013`` takes its figures from HMIC's 2014 inspection of Staffordshire
Police, "Domestic abuse in Staffordshire" page (12 months to 31 August 2013):
domestic abuse is 5 % of calls for assistance and 10 % of recorded crime; 32 % of those
calls were from repeat victims; 36 of 269 assaults with intent, 2,084 of 6,884 assaults
with injury, 704 of 1,307 harassment offences and 156 of 1,246 sexual offences were
domestic abuse related, out of 5,844 domestic-abuse crimes; 64 arrests per 100 crimes;
26 % charged, 9 % cautioned, 1 % out-of-court disposal; 38 % of risk forms for
domestic-abuse crimes were not received by the MASH; grades were recorded by the MASH
the following day, up to 72 hours later over a weekend. Everything else is an
assumption, listed in :attr:`Profile.assumptions` and marked ``ASSUMPTION`` below.

``pilot-2024-25`` (1 September 2024 to 31 August 2025) exercises the 2026 policy's
rules: DAPN pilot areas and the first day of each pilot, child victims in their own
right (s.3), weapons, key DASH items not known, the last days of school terms and
stalking (:mod:`dapolicy.synth._rules_2026`). Its figures are round numbers, none a
real force's; every other profile leaves those fields at 0 and is built as before.
"""

from dapolicy.synth._build import CHECKLIST, NFA_RATIONALE, synthesize
from dapolicy.synth._counts import SynthCounts, apportion, plan_counts, totals_for
from dapolicy.synth._dara import DARA_RATIONALE
from dapolicy.synth._events import EVENT_SHARES, synthesize_events
from dapolicy.synth._profiles import PILOT_2024_25, PROFILES, STAFFORDSHIRE_2013, UNIFORM, Profile

__all__ = [
    "DARA_RATIONALE",
    "CHECKLIST",
    "EVENT_SHARES",
    "NFA_RATIONALE",
    "PILOT_2024_25",
    "PROFILES",
    "STAFFORDSHIRE_2013",
    "UNIFORM",
    "Profile",
    "SynthCounts",
    "apportion",
    "plan_counts",
    "synthesize",
    "synthesize_events",
    "totals_for",
]
