"""The project's checks. ``nox`` runs them all; ``nox -s tests`` one of them.

Tool versions come from the dependency groups and extras in ``pyproject.toml``, so this
file holds no version numbers of its own.
"""

from __future__ import annotations

import nox

nox.needs_version = ">=2024.4.15"
nox.options.default_venv_backend = "uv|virtualenv"
nox.options.sessions = ["tests", "lint", "typecheck", "docs"]  # not bench, kit-strength
nox.options.error_on_missing_interpreters = True

PYPROJECT = nox.project.load_toml("pyproject.toml")


@nox.session
def tests(session: nox.Session) -> None:
    """The test suite against the installed package, with branch coverage (>= 95 %).

    The tests run on every core (pytest-xdist); ``worksteal`` lets an idle worker take
    tests queued behind a long one. ``nox -s tests -- -n 0`` runs them in one process.

    Two passes. The first runs every test but those marked ``kit_run`` under coverage.
    The second runs the ``kit_run`` tests (the conformance kit over hundreds of cases,
    on each built-in and on an installed force plug-in) without it: under coverage they
    were about half the suite's time, the tracer more than doubles theirs, and the
    first pass alone meets the floor (docs/testing.md). Arguments go to both passes; a pass that
    selects no test is not a failure (the coverage report still judges the first).
    """
    session.install(".[test,cli]", *nox.project.dependency_groups(PYPROJECT, "dask"))
    session.run("coverage", "erase")
    spread = ["-n", "auto", "--dist", "worksteal"]
    nothing_selected = 5  # pytest's exit status when arguments select no test
    session.run(
        "coverage",
        "run",
        "-m",
        "pytest",
        *spread,
        "-m",
        "not kit_run",
        *session.posargs,
        success_codes=[0, nothing_selected],
    )
    session.run("coverage", "combine", "--quiet")
    session.run("coverage", "report")
    session.run(
        "pytest", *spread, "-m", "kit_run", *session.posargs, success_codes=[0, nothing_selected]
    )


@nox.session(default=False)
def fuzz(session: nox.Session) -> None:
    """The fuzz suite (``tests/fuzz``) at twenty times its size, with the ``ci`` profile.

    Plain ``nox`` runs the same tests once over, as part of ``tests``. Every fuzz test
    is seeded, so a run finds the same examples each time; ``DAPOLICY_FUZZ_SCALE``
    sets how many (see ``tests/fuzz/_scale.py``). Arguments go to pytest.
    """
    session.install(".[test,cli]")
    session.run(
        "pytest",
        "-p",
        "no:cacheprovider",
        "tests/fuzz",
        *session.posargs,
        env={"DAPOLICY_FUZZ_SCALE": "20", "HYPOTHESIS_PROFILE": "ci"},
    )


@nox.session
def lint(session: nox.Session) -> None:
    """ruff: lint rules and formatting."""
    session.install(*nox.project.dependency_groups(PYPROJECT, "lint"))
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")


@nox.session
def typecheck(session: nox.Session) -> None:
    """mypy --strict on the package."""
    session.install(".[test,cli]", *nox.project.dependency_groups(PYPROJECT, "typecheck"))
    session.run("mypy")


@nox.session
def docs(session: nox.Session) -> None:
    """Sphinx (MyST, furo) with warnings as errors, then the docs' examples as doctests."""
    session.install(".[docs,test,cli]")
    session.run("sphinx-build", "-W", "--keep-going", "-b", "html", "docs", "docs/_build/html")
    session.run("pytest", "-p", "no:cacheprovider", "docs")


@nox.session(name="kit-strength", default=False)
def kit_strength(session: nox.Session) -> None:
    """The conformance kit measured by mutation: killed / total, and which check killed each.

    Not part of plain ``nox`` (it runs the kit against every mutant in ``tests/mutants``:
    minutes, not seconds). Fails when fewer than 95 % are killed, or when the unmutated
    built-ins raise a false alarm. Arguments after ``--`` go to the script, e.g.
    ``-- --quick`` or ``-- --examples 300 --thorough``.
    """
    session.install(".[test]")
    session.run("python", "tests/mutants/strength.py", *session.posargs)


@nox.session(default=False)
def bench(session: nox.Session) -> None:
    """Every ratio of issue 12, min and median of interleaved rounds, and the 1.5 M projection.

    Not part of plain ``nox`` (timings are not tests): a few minutes at the sizes of
    ``docs/performance.md``. Arguments after ``--`` go to ``benchmarks/run.py``:
    ``-- --quick`` (small sizes, about a minute), ``-- --pure`` (with
    ``DAPOLICY_PURE_PYTHON=1``), ``-- --only bench_engine.py``.
    """
    session.install(".[cli]", *nox.project.dependency_groups(PYPROJECT, "bench"))
    session.run("python", "benchmarks/run.py", *session.posargs)
