"""Collaboration networks as VOSviewer map/network files and GraphML.

From a pair table (``country_partners``: co-publications, or
``coinvention_partners``: co-inventions) :func:`write_network` writes

* ``<name>_map.txt``: VOSviewer map file, tab-separated, one country per
  line (``id``, ``label``, ``weight<Links>``, ``weight<Total link strength>``,
  ``weight<Documents>``);
* ``<name>_network.txt``: VOSviewer network file, ``id1 id2 strength`` per
  pair (no header), each pair once;
* ``<name>.graphml``: the same graph for Gephi, Cytoscape or networkx
  (node attributes ``label`` and ``documents``, edge attribute ``weight``).

Only countries (ISO alpha-2 codes) are nodes; pairs with no co-occurrence are
left out.  Nothing is computed here: counts are the table's.
"""

from __future__ import annotations

from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

import pandas as pd

from oncometrics.report import i18n

#: Pair table -> (file name stem, pair count column, count of each country).
NETWORKS: dict[str, tuple[str, str, str]] = {
    "country_partners": ("copublication_network", "co_publications", "p_full_country"),
    "coinvention_partners": ("coinvention_network", "co_inventions", "i_full_country"),
}


def _pairs(df: pd.DataFrame, c: str) -> pd.DataFrame:
    """Columns a, b, w: each unordered country pair once, w > 0."""
    a, b = "country", "partner"
    if not {a, b, c} <= set(df.columns):
        return pd.DataFrame(columns=["a", "b", "w"])
    d = pd.DataFrame(
        {
            "a": df[a].astype(str),
            "b": df[b].astype(str),
            "w": pd.to_numeric(df[c], errors="coerce"),
        }
    )
    iso = d["a"].str.fullmatch(r"[A-Z]{2}") & d["b"].str.fullmatch(r"[A-Z]{2}")
    d = d[iso & (d["a"] != d["b"]) & (d["w"] > 0)]
    lo, hi = d[["a", "b"]].min(axis=1), d[["a", "b"]].max(axis=1)
    d = d.assign(a=lo, b=hi).drop_duplicates(["a", "b"])
    return d.sort_values(["a", "b"]).reset_index(drop=True)


def _nodes(df: pd.DataFrame, pairs: pd.DataFrame, size_col: str) -> pd.DataFrame:
    codes = sorted(set(pairs["a"]) | set(pairs["b"]))
    sizes: dict[str, float] = {}
    if size_col in df.columns:
        for code, n in zip(df["country"], df[size_col], strict=True):
            if pd.notna(n):
                sizes[str(code)] = float(n)
    links = pd.concat([pairs["a"], pairs["b"]]).value_counts()
    strength = (
        pd.concat([pairs.groupby("a")["w"].sum(), pairs.groupby("b")["w"].sum()])
        .groupby(level=0)
        .sum()
    )
    return pd.DataFrame(
        {
            "id": range(1, len(codes) + 1),
            "code": codes,
            "label": [i18n.country_name(c, "en").label for c in codes],
            "links": [int(links.get(c, 0)) for c in codes],
            "strength": [float(strength.get(c, 0.0)) for c in codes],
            "documents": [sizes.get(c, float("nan")) for c in codes],
        }
    )


def _num(x: float) -> str:
    return "" if pd.isna(x) else (str(int(x)) if float(x).is_integer() else f"{x:g}")


def write_network(
    df: pd.DataFrame, out_dir: Path, stem: str, count_col: str, size_col: str
) -> list[Path]:
    """The three files of one network; [] when the table has no pair."""
    pairs = _pairs(df, count_col)
    if pairs.empty:
        return []
    nodes = _nodes(df, pairs, size_col)
    ids = dict(zip(nodes["code"], nodes["id"], strict=True))
    out_dir.mkdir(parents=True, exist_ok=True)
    head = "id\tlabel\tweight<Links>\tweight<Total link strength>\tweight<Documents>"
    rows = [
        f"{r.id}\t{r.label} ({r.code})\t{r.links}\t{_num(r.strength)}\t{_num(r.documents)}"
        for r in nodes.itertuples()
    ]
    map_file = out_dir / f"{stem}_map.txt"
    map_file.write_text("\n".join([head, *rows]) + "\n", encoding="utf-8")
    net_file = out_dir / f"{stem}_network.txt"
    net_file.write_text(
        "".join(
            f"{ids[a]}\t{ids[b]}\t{_num(w)}\n" for a, b, w in pairs.itertuples(False)
        ),
        encoding="utf-8",
    )
    graph = out_dir / f"{stem}.graphml"
    graph.write_text(_graphml(nodes, pairs), encoding="utf-8")
    return [map_file, net_file, graph]


def _graphml(nodes: pd.DataFrame, pairs: pd.DataFrame) -> str:
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<graphml xmlns="http://graphml.graphdrawing.org/xmlns">',
        '<key id="label" for="node" attr.name="label" attr.type="string"/>',
        '<key id="documents" for="node" attr.name="documents" attr.type="double"/>',
        '<key id="weight" for="edge" attr.name="weight" attr.type="double"/>',
        '<graph id="G" edgedefault="undirected">',
    ]
    for r in nodes.itertuples():
        docs = (
            ""
            if pd.isna(r.documents)
            else f'<data key="documents">{r.documents:g}</data>'
        )
        lines.append(
            f'<node id={quoteattr(r.code)}><data key="label">{escape(r.label)}</data>'
            f"{docs}</node>"
        )
    for i, (a, b, w) in enumerate(pairs.itertuples(False)):
        lines.append(
            f'<edge id="e{i}" source={quoteattr(a)} target={quoteattr(b)}>'
            f'<data key="weight">{w:g}</data></edge>'
        )
    return "\n".join([*lines, "</graph>", "</graphml>"]) + "\n"


def write_networks(tables: dict[str, pd.DataFrame], out_dir: Path) -> list[Path]:
    """Every network the pair tables support, into `out_dir`."""
    written: list[Path] = []
    for table, (stem, count_col, size_col) in NETWORKS.items():
        df = tables.get(table)
        if df is not None and not df.empty:
            written += write_network(df, out_dir, stem, count_col, size_col)
    return written
