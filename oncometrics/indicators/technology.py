"""Technology mix of inventions over the 35 WIPO fields, and its shift.

The WIPO IPC–technology concordance (Schmoch 2008, updated; bundled as
``oncometrics/data/reference/wipo_ipc_technology_concordance.csv``) lists IPC
patterns such as ``A61B%`` (a whole subclass) or ``A61K  31%`` (subclass
``A61K``, main group 31, padded to four characters).  A pattern with a main
group matches that main group *exactly*: ``A61K   8%`` covers ``A61K8/02``
but not ``A61K80/00`` (a plain SQL ``LIKE`` on unpadded codes would get this
wrong).  A family's fields come from its IPC codes (CPC codes when the family
has no IPC code); its weight is split equally among its distinct fields.

Field RTA within the domain: ``RTA(a, f) = (I(a, f) / I(world, f)) /
(I(a) / I(world))`` on the domain's fractional counts of one period.
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
        ``(country, field_nr, field_name, sector, i_frac, share, rta)``; one
        row per country and field with inventions; ``share`` is the field's
        part of the country's mix (the shares of a country add up to 1).
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
        rta=(t.i_frac / field_world) / (country_total / world),
    )
    names = concordance_table.select("field_nr", "field_name", "sector").distinct()
    t = t.join(names, "field_nr")
    return t.select(
        "country", "field_nr", "field_name", "sector", "i_frac", "share", "rta"
    )


def technology_shift(mix: ir.Table, first: str, second: str) -> ir.Table:
    """Change of each field's share (percentage points) and RTA between periods.

    `mix` is :func:`technology_mix` with a ``period`` column; one row per
    country and field present in either period: ``(country, field_nr,
    field_name, sector, period_1, period_2, share_1, share_2, shift_pp, rta_1,
    rta_2, rta_change)``.  A field absent from a period has share and RTA 0
    there.
    """
    key = ["country", "field_nr", "field_name", "sector"]
    a = mix.filter(mix.period == first).select(*key, share_1=mix.share, rta_1=mix.rta)
    b = mix.filter(mix.period == second).select(*key, share_2=mix.share, rta_2=mix.rta)
    j = a.outer_join(b, key)
    t = j.select(
        **{k: ibis.coalesce(j[k], j[f"{k}_right"]) for k in key},
        share_1=j.share_1.fill_null(0.0), share_2=j.share_2.fill_null(0.0),
        rta_1=j.rta_1.fill_null(0.0), rta_2=j.rta_2.fill_null(0.0),
    )  # fmt: skip
    return t.mutate(
        period_1=ibis.literal(first), period_2=ibis.literal(second),
        shift_pp=(t.share_2 - t.share_1) * 100.0, rta_change=t.rta_2 - t.rta_1,
    ).select(*key, "period_1", "period_2", "share_1", "share_2", "shift_pp", "rta_1",
             "rta_2", "rta_change")  # fmt: skip
