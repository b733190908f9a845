"""A small indicators folder for the web tests (values chosen by hand)."""

from __future__ import annotations

import contextlib
import json
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from tests.outputs_fixtures import write_published as _write

HASH = "abc123def456"


def make_store(root: Path) -> Path:
    """STORE/indicators with three tables and domain.json; returns STORE."""
    ind = root / "indicators"
    ind.mkdir(parents=True)
    countries = ["US", "CN", "GB", "DE", "FR", "IT", "JP", "ES", "CH", "NL"]
    p_frac = [400.0, 300.0, 120.0, 110.0, 90.0, 60.0, 55.0, 40.0, 30.0, 25.0]
    total = sum(p_frac)
    pubs = pd.DataFrame(
        {
            "country": countries,
            "p_full": [int(p * 1.3) for p in p_frac],
            "p_frac": p_frac,
            "share_frac": [p / total for p in p_frac],
            "rank_p_frac": list(range(1, 11)),
            "mncs": [1.2, 0.8, 1.5, 1.3, 1.25, 1.1, 0.9, 1.0, 1.6, 1.4],
            "pp_top1": [
                0.012,
                0.006,
                0.02,
                0.015,
                0.018,
                0.01,
                0.007,
                0.009,
                0.025,
                0.019,
            ],
            "pp_top10": [0.12, 0.07, 0.15, 0.13, 0.14, 0.1, 0.08, 0.09, 0.17, 0.15],
            "ai": [1.1, 0.9, 1.2, 1.0, 0.95, 1.05, 0.8, 1.0, 1.3, 1.1],
            "rsi": [0.05, -0.05, 0.09, 0.0, -0.03, 0.02, -0.11, 0.0, 0.13, 0.05],
            "intl_collab_rate": [0.3, 0.2, 0.6, 0.55, 0.58, 0.5, 0.3, 0.45, 0.8, 0.7],
            "mncs_lo": [1.1, 0.7, 1.3, 1.1, 1.05, 0.9, 0.7, 0.8, 1.2, 1.1],
            "mncs_hi": [1.3, 0.9, 1.7, 1.5, 1.45, 1.3, 1.1, 1.2, 2.0, 1.7],
            "pp_top10_lo": [0.1, 0.06, 0.12, 0.1, 0.11, 0.07, 0.05, 0.06, 0.12, 0.11],
            "pp_top10_hi": [0.14, 0.08, 0.18, 0.16, 0.17, 0.13, 0.11, 0.12, 0.22, 0.19],
            "domain_hash": HASH,
        }
    )
    _write(pubs, ind / "publications_by_country.parquet")
    years = pd.DataFrame(
        {
            "country": ["FR", "FR", "US", "US"],
            "publication_year": [2019, 2020, 2019, 2020],
            "p_frac": [40.0, 50.0, 190.0, 210.0],
            "domain_hash": HASH,
        }
    )
    _write(years, ind / "publications_by_country_year.parquet")
    trials = pd.DataFrame(
        {
            "country": ["US", "FR"],
            "trials": [10, 3],
            "early_phase_trials": [4, 2],
            "share": [10 / 13, 3 / 13],
            "rank": [1, 2],
            "industry_share": [0.5, None],
            "multinational_rate": [0.2, 0.67],
            "domain_hash": HASH,
        }
    )
    _write(trials, ind / "trials_by_country.parquet")
    phases = pd.DataFrame(
        {
            "phase": ["PHASE1", "PHASE2", "PHASE3"],
            "early_phase": [True, False, False],
            "trials": [6, 4, 3],
            "share": [6 / 13, 4 / 13, 3 / 13],
        }
    )
    _write(phases, ind / "trials_by_phase.parquet")
    pd.DataFrame(
        {
            "institution_id": ["I1294671590", "I27837315"],
            "institution_name": ["Inserm", "University of Michigan"],
            "p_frac": [12.5, 30.0],
            "domain_hash": HASH,
        }
    ).pipe(_write, ind / "publications_by_institution.parquet")
    (root / "portfolio").mkdir()
    pd.DataFrame(
        {"unit_code": ["U1016", "U1138"], "p_full": [7, 3], "p_frac": [4.5, 2.0]}
    ).pipe(_write, root / "portfolio" / "units.parquet")
    (ind / "domain.json").write_text(json.dumps({"name": "cancer", "hash": HASH}))
    (root / "manifest.json").write_text(json.dumps({"version": 1, "files": {}}))
    return root


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def server_on(app: Any) -> Iterator[str]:
    """`app` served by uvicorn on a free loopback port, in a thread."""
    import uvicorn

    port = _free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="error")
    srv = uvicorn.Server(config)
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    for _ in range(100):
        if srv.started:
            break
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        srv.should_exit = True
        thread.join(5)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    from oncometrics.web.app import create_app

    with server_on(create_app(make_store(tmp_path_factory.mktemp("e2e")))) as url:
        yield url
