"""The portfolio section of the HTML report (a pure function, no I/O)."""

from __future__ import annotations

import html
import math
from collections.abc import Mapping
from typing import Any

#: How the section shows each column: its header and its format.
SHOWN: dict[str, tuple[str, str]] = {
    "unit_code": ("Unit", "text"), "name": ("Name", "text"),
    "call": ("Call", "text"), "project_id": ("Project", "text"),
    "year": ("Year", "text"), "key": ("Centre / label", "text"),
    "city": ("City", "text"), "p_full": ("P", "int"),
    "p_frac": ("P (fractional)", "float1"), "n_projects": ("Projects", "int"),
    "share_of_org": ("Share of the organisation", "pct"),
    "mncs": ("MNCS", "interval:mncs"), "pp_top10": ("PP(top 10 %)", "interval:pp"),
    "intl_collab_rate": ("International co-publications", "pct"),
    "top_partner_countries": ("Top partner countries", "text"),
    "trials": ("Oncology trials", "int"),
    "early_phase_trials": ("Early-phase trials", "int"),
    "multinational_share": ("Multinational", "pct"),
    "industry_share": ("Industry-led", "pct"),
}  # fmt: skip


def _columns(*names: str, **headers: str) -> tuple[tuple[str, str, str], ...]:
    """(column, header, format) of each of `names`, as :data:`SHOWN` says
    (`headers`: a table's own header for a column)."""
    return tuple((n, headers.get(n, SHOWN[n][0]), SHOWN[n][1]) for n in names)


_IMPACT = ("mncs", "pp_top10")
#: (column, header, format) of the units table in the report.
UNIT_COLUMNS = _columns(
    "unit_code", "name", "p_full", "p_frac", "share_of_org", *_IMPACT,
    "intl_collab_rate", "top_partner_countries", p_full="P (full)",
)  # fmt: skip
PROJECT_COLUMNS = _columns(
    "call", "project_id", "unit_code", "p_full", *_IMPACT, "intl_collab_rate"
)
CENTRE_COLUMNS = _columns(
    "key", "name", "city", "trials", "early_phase_trials", "multinational_share",
    "industry_share",
)  # fmt: skip
CALL_COLUMNS = _columns("call", "year", "n_projects", "p_full", *_IMPACT)


def _records(table: Any) -> list[dict[str, Any]]:
    """Rows of a pyarrow Table, a pandas DataFrame or a list of dicts."""
    if table is None:
        return []
    if hasattr(table, "to_pylist"):
        return list(table.to_pylist())
    if hasattr(table, "to_dict"):
        return list(table.to_dict(orient="records"))
    return [dict(r) for r in table]


def _missing(v: Any) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v))


def _cell(row: dict[str, Any], col: str, fmt: str | None = None) -> str:
    """`row`'s `col` as text, in `fmt` (default: the column's, :data:`SHOWN`)."""
    fmt = fmt or SHOWN[col][1]
    v: Any = row.get(col)
    if _missing(v):
        return "–"
    if fmt == "int":
        return f"{int(v):,}"
    if fmt == "float1":
        return f"{float(v):,.1f}"
    if fmt == "pct":
        return f"{100 * float(v):.1f} %"
    if fmt.startswith("interval:"):
        lo, hi = (row.get(f"{col}_lo"), row.get(f"{col}_hi"))
        pct = fmt.endswith("pp")
        show = (
            (lambda x: f"{100 * float(x):.1f} %")
            if pct
            else (lambda x: f"{float(x):.2f}")
        )
        iv = "" if _missing(lo) or _missing(hi) else f" [{show(lo)}–{show(hi)}]"
        return show(v) + iv
    return html.escape(str(v))


def _table(
    rows: list[dict[str, Any]], columns: tuple[tuple[str, str, str], ...], caption: str
) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for _, h, _ in columns)
    body = "".join(
        "<tr>" + "".join(f"<td>{_cell(r, c, f)}</td>" for c, _, f in columns) + "</tr>"
        for r in rows
    )
    return (f'<table class="portfolio"><caption>{html.escape(caption)}</caption>'
            f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>")  # fmt: skip


def portfolio_section(tables: Mapping[str, Any], *, max_rows: int = 40) -> str:
    """HTML fragment of the portfolio: units, then funded projects and calls.

    Parameters
    ----------
    tables
        Output tables of :func:`oncometrics.portfolio.run_portfolio` by name
        (``units``, optional ``projects``, ``calls``,
        ``unmatched_affiliations``, ``centre_trials``), as pyarrow Tables,
        DataFrames or lists of dicts.
    max_rows
        Units and projects shown (largest P first).

    Returns
    -------
    str
        A ``<section id="portfolio">`` element (escaped, self-contained).
    """
    units = _records(tables.get("units"))
    org = [r for r in units if str(r.get("unit_code", "")).startswith("(")]
    units = sorted(
        (r for r in units if r not in org),
        key=lambda r: (-(r.get("p_frac") or 0), str(r.get("unit_code"))),
    )
    parts = ['<section id="portfolio"><h2>The organisation\'s units and projects</h2>']
    if not units and not org:
        parts = ['<section id="portfolio"><h2>The organisation\'s centres</h2>']
        parts += [_centres(tables), "</section>"]
        return "".join(parts)
    if org:
        o = org[0]
        parts.append(
            f"<p>The organisation's units signed {_cell(o, 'p_full')} "
            f"publications (fractional count {_cell(o, 'p_frac')}); "
            f"MNCS {_cell(o, 'mncs')}, "
            f"PP(top 10 %) {_cell(o, 'pp_top10')}.</p>"
        )
    parts.append(
        _table(
            units[:max_rows],
            UNIT_COLUMNS,
            "Units (fractional counting; 95 % stability intervals)",
        )
    )
    projects = _records(tables.get("projects"))
    if projects:
        projects.sort(key=lambda r: (-(r.get("p_full") or 0), str(r.get("project_id"))))
        parts.append(
            _table(
                projects[:max_rows],
                PROJECT_COLUMNS,
                "Funded projects (publications citing their award ids)",
            )
        )
        parts.append(_table(_records(tables.get("calls")), CALL_COLUMNS, "Calls"))
    unmatched = _records(tables.get("unmatched_affiliations"))
    if unmatched:
        parts.append(
            f"<p>{len(unmatched):,} affiliation strings name the "
            "organisation but no unit; they are listed in "
            "<code>unmatched_affiliations.csv</code> for curation.</p>"
        )
    parts += [_centres(tables), "</section>"]
    return "".join(parts)


def _centres(tables: Mapping[str, Any]) -> str:
    """The centres' trials (``portfolio --centres``): labels first, then centres."""
    rows = _records(tables.get("centre_trials"))
    if not rows:
        return ""
    labels = [r for r in rows if r.get("level") == "label"]
    centres = sorted((r for r in rows if r.get("level") == "centre"),
                     key=lambda r: (-(r.get("trials") or 0), str(r.get("key"))))  # fmt: skip
    intro = "".join(
        f"<p>Centres labelled {_cell(r, 'key')} ran {_cell(r, 'trials')} "
        f"oncology trials, {_cell(r, 'early_phase_trials')} of them early "
        f"phase; {_cell(r, 'multinational_share')} were multinational.</p>"
        for r in labels
    )
    caption = "Oncology trials with a site at the organisation's centres"
    return intro + _table(labels + centres, CENTRE_COLUMNS, caption)
