"""The report: statements, charts, ``report.html`` and ``report.xlsx``.

* :mod:`~oncometrics.report.statements` – tables to headline sentences with
  their evidence (pure; English and French).
* :mod:`~oncometrics.report.charts` – tables to inline SVG charts (pure).
* :mod:`~oncometrics.report.build` – :func:`write_report`, the CLI's entry.
"""

from __future__ import annotations

from oncometrics.report.build import write_report
from oncometrics.report.statements import Context, Statement, build_statements

__all__ = ["Context", "Statement", "build_statements", "write_report"]
