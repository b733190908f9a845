"""oncometrics: an open, reproducible observatory of cancer research.

Publications (OpenAlex, PubMed…), inventions (patents) and clinical trials are
read into one Parquet store (:class:`Store`), the indicators of the contract
(``docs/methodology.md``) are computed on DuckDB or Spark, and published as
tables, an HTML report, a CLI and a web dashboard.
"""

from __future__ import annotations

from oncometrics.config import Config, load_config
from oncometrics.store import IngestSummary, Store

__all__ = ["Config", "IngestSummary", "Store", "load_config"]
__version__ = "0.1.0"
