"""Ingesting trials through the store: counts balance, rejects quarantined."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from oncometrics.store import Store

DATA = Path(__file__).parent / "data" / "trials"


def _rows(store: Store, table: str) -> list[dict[str, object]]:
    return [r for p in store.parts(table) for r in pq.read_table(p).to_pylist()]


def test_real_samples_ingest(tmp_path: Path) -> None:
    store = Store(tmp_path / "store")
    files = sorted(DATA.glob("*.json*"))
    summary = store.ingest("trials", files, log=lambda m: None)
    assert not summary.errors
    # 5 ctrdata + 1 NCI + 4 single studies; none repeated.
    assert (summary.total("read"), summary.total("stored")) == (10, 10)
    counts = store.counts()
    assert counts["trials"] == 10
    assert counts["trial_sites"] == 190 + 8 + 76 + 35 + 1 + 1030 + 105 + 1 + 1
    # A second copy of a study is a duplicate, not a second trial.
    again = tmp_path / "again.json"
    again.write_text((DATA / "NCT06171568.json").read_text() + "\n")
    res = store.ingest("trials", [again], log=lambda m: None)
    assert (res.total("read"), res.total("duplicates")) == (1, 1)
    assert store.counts()["trials"] == 10


def test_malformed_records_quarantined(tmp_path: Path) -> None:
    study = json.loads((DATA / "NCT00973089.json").read_text())
    f = tmp_path / "page.json"
    f.write_text(
        json.dumps(
            {
                "studies": [
                    study,
                    {"protocolSection": {}},
                    [1, 2],
                    {"protocolSection": {"identificationModule": {"nctId": "NCT1"}}},
                ]
            }
        )
    )
    store = Store(tmp_path / "store")
    messages: list[str] = []
    summary = store.ingest("trials", [f], log=messages.append)
    r = summary.files[0]
    assert (r.read, r.stored, r.duplicates, r.rejected) == (4, 1, 0, 3)
    assert r.balanced and r.error is None
    assert f"{f}: record 2: missing or invalid NCT id (None)" in messages
    assert any(m.startswith(f"{f}: record 3: not a study") for m in messages)
    q = next((tmp_path / "store" / "quarantine").glob("trials-*.jsonl"))
    lines = [json.loads(x) for x in q.read_text().splitlines()]
    assert [x["record_no"] for x in lines] == [2, 3, 4]
    assert all("\n" not in m for m in messages)


def test_wrong_format_and_empty_files(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"hello": "world"}')
    empty = tmp_path / "empty.json"
    empty.write_text('{"studies": []}')
    store = Store(tmp_path / "store")
    messages: list[str] = []
    summary = store.ingest("trials", [bad, empty], log=messages.append)
    assert [f.error is not None for f in summary.files] == [True, True]
    assert messages[0].startswith(f"{bad}: not ClinicalTrials.gov API v2 studies")
    assert messages[1] == f"{empty}: empty input, no records found"
    assert store.counts()["trials"] == 0


def test_real_samples_produce_trial_tables(tmp_path: Path) -> None:
    from oncometrics.config import load_config
    from oncometrics.pipeline import compute

    store = Store(tmp_path / "store")
    store.ingest("trials", sorted(DATA.glob("*.json*")), log=lambda m: None)
    written = compute(
        store.root, tmp_path / "out", config=load_config(), log=lambda m: None
    )
    for name in (
        "trials_by_country",
        "trials_by_country_year",
        "trials_by_phase",
        "trial_partners",
        "trials_by_sponsor",
        "trials_summary",
    ):
        assert name in written
    rows = pq.read_table(tmp_path / "out" / "trials_by_country.parquet").to_pylist()
    by = {r["country"]: r for r in rows}
    # 6 oncology trials (5 ctrdata + NCI's NCT05929768), all with a US site;
    # the 4 aact records are not about cancer.
    assert (by["US"]["trials"], by["US"]["rank"]) == (6, 1)
    # sites in 6 of the 6 trials: a share of 100 % of the trials (it was
    # 6 / 19 participations = 31.6 % before the share counted trials)
    assert by["US"]["share"] == pytest.approx(1.0)
    assert by["MX"]["share"] == pytest.approx(1 / 6)
    assert (by["MX"]["trials"], by["DK"]["industry_share"]) == (1, 1.0)
    (summary,) = pq.read_table(tmp_path / "out" / "trials_summary.parquet").to_pylist()
    assert (summary["trials"], summary["unassigned_trials"]) == (6, 0)
