"""Technology mix of inventions over the 35 WIPO fields, and its shift.

The WIPO IPC–technology concordance (Schmoch 2008, updated; bundled as
``oncometrics/data/reference/wipo_ipc_technology_concordance.csv``) lists IPC
patterns such as ``A61B%`` (a whole subclass) or ``A61K  31%`` (subclass
``A61K``, main group 31, padded to four characters).  A pattern with a main
group matches that main group *exactly*: ``A61K   8%`` covers ``A61K8/02``
but not ``A61K80/00`` (a plain SQL ``LIKE`` on unpadded codes would get this
wrong).  A family's fields come from its IPC codes (CPC codes when the family
has no IPC code); its weight is split equally among its distinct fields.

Field specialisation within the domain: ``FS(a, f) = (I(a, f) / I(world,
f)) / (I(a) / I(world))`` on the domain's fractional counts of one period.
It is *not* the RTA of contract section 5 (whose denominator is the actor's
inventions in all fields of technology): it compares a country's cancer
technology mix with the world's cancer mix, hence its own name.
"""

from __future__ import annotations

import csv
from functools import lru_cache
from importlib import resources
from typing import TYPE_CHECKING

import ibis
import pyarrow as pa

from oncometrics.indicators.families import keep

if TYPE_CHECKING:
    import ibis.expr.types as ir

CONCORDANCE = "wipo_ipc_technology_concordance.csv"


def parse_pattern(pattern: str) -> tuple[str, str | None]:
    """``"A61K  31%"`` -> ``("A61K", "31")``; ``"A61B%"`` -> ``("A61B", None)``."""
    p = pattern.strip().rstrip("%")
    sub, group = p[:4].upper(), p[4:].strip()
    return sub, (str(int(group)) if group else None)


@lru_cache(maxsize=1)
def concordance() -> pa.Table:
    """The bundled concordance: ``(field_nr, sector, field_name, subclass, main_group)``.

    ``main_group`` is ``""`` for a pattern covering a whole subclass (not
    null: nulls do not survive the trip of an in-memory table to every engine).
    """
    ref = resources.files("oncometrics.data.reference") / CONCORDANCE
    rows: dict[str, list[object]] = {
        k: [] for k in ("field_nr", "sector", "field_name", "subclass", "main_group")
    }
    with ref.open(encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            sub, group = parse_pattern(r["ipc"])
            for k, v in (
                ("field_nr", int(r["field_nr"])),
                ("sector", r["sector"]),
                ("field_name", r["field_name"]),
                ("subclass", sub),
                ("main_group", group or ""),
            ):
                rows[k].append(v)
    return pa.table(
        rows,
        schema=pa.schema(
            [
                ("field_nr", pa.int32()),
                ("sector", pa.string()),
                ("field_name", pa.string()),
                ("subclass", pa.string()),
                ("main_group", pa.string()),
            ]
        ),
    )


def code_fields(codes: ir.Table, concordance_table: ir.Table) -> ir.Table:
    """``(family_id, field_nr)`` for codes ``(family_id, code)`` (distinct)."""
    c = codes.mutate(
        subclass=codes.code.substr(0, 4),
        group=codes.code.re_extract(r"^[A-HY][0-9][0-9][A-Z]([0-9]+)", 1),
    )
    j = c.join(concordance_table, c.subclass == concordance_table.subclass)
    j = j.filter((j.main_group == "") | (j.main_group == j.group))
    return j.select("family_id", "field_nr").distinct()


def family_fields(
    families: ir.Table, patent_classes: ir.Table, concordance_table: ir.Table
) -> ir.Table:
    """``(family_id, field_nr, share)``: each family's split over WIPO fields.

    IPC codes are used when the family has any, else its CPC codes; the
    shares of a family with at least one mapped code add up to 1.
    """
    pc = keep(patent_classes, families, "family_id")
    has_ipc = pc.filter(pc.scheme == "ipc").select("family_id").distinct()
    ipc = pc.filter(pc.scheme == "ipc")
    cpc = keep(pc.filter(pc.scheme == "cpc"), has_ipc, "family_id", anti=True)
    codes = ipc.select("family_id", "code").union(cpc.select("family_id", "code"))
    ff = code_fields(codes, concordance_table)
    n = ff.group_by("family_id").aggregate(n_fields=ff.field_nr.count())
    ff = ff.join(n, "family_id")
    return ff.select("family_id", "field_nr", share=1.0 / ff.n_fields.cast("float64"))


def technology_mix(
    weights: ir.Table, fields: ir.Table, concordance_table: ir.Table
) -> ir.Table:
    """Fractional inventions per country and WIPO field, with shares and RTA.

    Parameters
    ----------
    weights
        ``(work_id, actor, weight)`` of the families of one period.
    fields
        ``(family_id, field_nr, share)`` from :func:`family_fields`.

    Returns
    -------
    ir.Table
        ``(country, field_nr, field_name, sector, i_frac, share,
        field_specialisation)``; one row per country and field with
        inventions; ``share`` is the field's part of the country's mix (the
        shares of a country add up to 1).
    """
    j = weights.join(fields, weights.work_id == fields.family_id)
    t = j.group_by(country=j.actor, field_nr=j.field_nr).aggregate(
        i_frac=(j.weight * j.share).sum()
    )
    country_total = t.i_frac.sum().over(group_by="country")
    field_world = t.i_frac.sum().over(group_by="field_nr")
    world = t.i_frac.sum().over()
    t = t.mutate(
        share=t.i_frac / country_total,
        field_specialisation=(t.i_frac / field_world) / (country_total / world),
    )
    names = concordance_table.select("field_nr", "field_name", "sector").distinct()
    t = t.join(names, "field_nr")
    return t.select(
        "country", "field_nr", "field_name", "sector", "i_frac", "share",
        "field_specialisation",
    )  # fmt: skip


def technology_shift(mix: ir.Table, first: str, second: str) -> ir.Table:
    """Change of each field's share (percentage points) and specialisation.

    `mix` is :func:`technology_mix` with a ``period`` column; one row per
    country and field present in either period: ``(country, field_nr,
    field_name, sector, status, period_1, period_2, share_1, share_2,
    shift_pp, fs_1, fs_2, fs_change)``.  ``status`` is ``both`` for a
    country with inventions in both periods, ``new`` / ``gone`` for a country
    absent from the first / second one: an absent country has no share and
    no specialisation there (null, contract section 5), so no change either.
    A field a present country has no invention in has share 0 and FS 0.
    """
    key = ["country", "field_nr", "field_name", "sector"]
    m1, m2 = mix.filter(mix.period == first), mix.filter(mix.period == second)
    a = m1.select(*key, share_1=m1.share, fs_1=m1.field_specialisation)
    b = m2.select(*key, share_2=m2.share, fs_2=m2.field_specialisation)
    j = a.outer_join(b, key)
    t = j.select(
        **{k: ibis.coalesce(j[k], j[f"{k}_right"]) for k in key},
        share_1=j.share_1, share_2=j.share_2, fs_1=j.fs_1, fs_2=j.fs_2,
    )  # fmt: skip
    p1 = m1.select("country").distinct().mutate(in_1=ibis.literal(True))
    p2 = m2.select("country").distinct().mutate(in_2=ibis.literal(True))
    t = t.view().left_join(p1.view(), "country").select(*t.columns, "in_1")
    t = t.view().left_join(p2.view(), "country").select(*t.columns, "in_2")
    in1, in2 = t.in_1.fill_null(False), t.in_2.fill_null(False)
    status = ibis.cases((in1 & in2, "both"), (in2, "new"), else_="gone")

    def val(col: ir.FloatingColumn, present: ir.BooleanValue) -> ir.FloatingValue:
        return ibis.ifelse(present, col.fill_null(0.0), ibis.null("float64"))

    t = t.mutate(
        status=status,
        share_1=val(t.share_1, in1), share_2=val(t.share_2, in2),
        fs_1=val(t.fs_1, in1), fs_2=val(t.fs_2, in2),
    )  # fmt: skip
    return t.mutate(
        period_1=ibis.literal(first), period_2=ibis.literal(second),
        shift_pp=(t.share_2 - t.share_1) * 100.0, fs_change=t.fs_2 - t.fs_1,
    ).select(*key, "status", "period_1", "period_2", "share_1", "share_2",
             "shift_pp", "fs_1", "fs_2", "fs_change")  # fmt: skip


def mixes(
    spans: list[tuple[str, ir.Table, ir.Table]], patent_classes: ir.Table
) -> ir.Table:
    """Technology mix of each (period label, families, weights), stacked."""
    conc = ibis.memtable(concordance())
    out: ir.Table | None = None
    for name, fams, weights in spans:
        ff = family_fields(fams, patent_classes, conc)
        mix = technology_mix(weights, ff, conc).mutate(period=ibis.literal(name))
        out = mix if out is None else out.union(mix)
    assert out is not None
    return out


def shift_periods(
    period: tuple[int, int] | None,
    periods: tuple[tuple[int, int], tuple[int, int]] | None,
    first_truncated_year: int | None = None,
) -> tuple[tuple[int, int], tuple[int, int]] | None:
    """The two periods of the technology shift, or None.

    `periods` when given (as the user set them, truncated or not); else the
    two halves of `period` once the years from `first_truncated_year` on
    (inside the publication lag of the ingested sources) are left out:
    ``2014-2023`` -> ``2014-2018``, ``2019-2023``; with 2021 truncated ->
    ``2014-2016``, ``2017-2020``.
    """
    if periods:
        return periods
    if period is None:
        return None
    lo, hi = period
    if first_truncated_year is not None:
        hi = min(hi, first_truncated_year - 1)
    if hi <= lo:
        return None
    mid = lo + (hi - lo + 1) // 2 - 1
    return (lo, mid), (mid + 1, hi)
