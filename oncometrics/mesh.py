"""MeSH descriptor identifiers in one normal form (a dependency-free leaf).

ClinicalTrials.gov writes descriptor UIs with ten characters
(``D000003550``), MeSH itself with seven (``D003550``); the trial parser and
the trial domain both read them through :func:`norm_mesh_ui`.
"""

from __future__ import annotations

import re


def norm_mesh_ui(ui: str | None) -> str | None:
    """MeSH descriptor UI in short form: 'D000003550' -> 'D003550'.

    Examples
    --------
    >>> norm_mesh_ui(" d000003550"), norm_mesh_ui("C562841"), norm_mesh_ui("")
    ('D003550', 'C562841', None)
    """
    if not ui:
        return None
    ui = ui.strip().upper()
    m = re.fullmatch(r"D000(\d{6})", ui)
    return f"D{m.group(1)}" if m else ui
