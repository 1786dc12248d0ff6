"""Sphinx configuration for dapolicy's documentation (MyST markdown, furo theme).

Build: ``sphinx-build -W --keep-going -b html docs docs/_build/html`` (``nox -s docs``).
No extension here fetches anything over the network.
"""

from __future__ import annotations

import enum
from typing import Any

from sphinx.application import Sphinx

import dapolicy

project = "dapolicy"
author = "dapolicy maintainers"
copyright = "dapolicy maintainers"
release = dapolicy.__version__
version = ".".join(release.split(".")[:2])

extensions = [
    "myst_parser",
    "sphinx.ext.autodoc",
]

source_suffix = {".md": "markdown"}
root_doc = "index"
exclude_patterns = ["_build"]
nitpicky = False

myst_enable_extensions = ["colon_fence", "deflist"]
myst_heading_anchors = 3

autodoc_member_order = "bysource"
autodoc_typehints = "signature"

html_theme = "furo"
html_title = f"dapolicy {release}"


def _include_enum_members(
    app: Sphinx, what: str, name: str, obj: Any, skip: bool, options: Any
) -> bool:
    """List every enum member in the API reference, documented or not.

    Other undocumented members stay out: the fields of an attrs class are already
    described by the ``:param:`` lines of its docstring.
    """
    del app, what, name, options
    if isinstance(obj, enum.Enum):
        return False
    return skip


def setup(app: Sphinx) -> None:
    app.connect("autodoc-skip-member", _include_enum_members)
