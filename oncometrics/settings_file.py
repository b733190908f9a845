"""``settings.toml``: the full resolved settings of an output folder.

Every output folder (``compute``'s indicators, the report) holds the values
of *every* setting it was made with — defaults, file, environment and flags
resolved — and their hash, so that ``--config FOLDER/settings.toml``
reproduces it exactly: no flag (``--period``, ``--periods``, ``--by``…) can
be dropped on the way.  The hash is a comment (a settings file holds only
settings); :func:`settings_hash` gives it.

>>> from oncometrics.config import load_config
>>> text = settings_toml(load_config(period="2016-2020"))
>>> 'period = "2016-2020"' in text and text.startswith("# oncometrics settings")
True
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from oncometrics.config import SETTINGS, Config

FILENAME = "settings.toml"


def _plain(value: Any) -> Any:
    return list(value) if isinstance(value, tuple) else value


def settings_hash(config: Config) -> str:
    """12 hex digits identifying the resolved values of every setting."""
    values = {s.name: _plain(config.values.get(s.name)) for s in SETTINGS}
    blob = json.dumps(values, sort_keys=True, default=str).encode()
    return hashlib.sha256(blob).hexdigest()[:12]


def _toml(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    return json.dumps(str(value), ensure_ascii=False)  # a TOML basic string


def settings_toml(config: Config) -> str:
    """Every setting's resolved value as TOML (unset ones as comments)."""
    lines = [
        "# oncometrics settings: every value this folder was made with.",
        f"# settings hash: {settings_hash(config)}",
        "# Reproduce with: oncometrics <command> --config <this file>",
    ]
    for s in SETTINGS:
        value = config.values.get(s.name)
        if value is None:
            lines.append(f"# {s.name}: not set ({s.help})")
        else:
            lines.append(f"{s.name} = {_toml(value)}")
    return "\n".join(lines) + "\n"


def write_settings(folder: Path, config: Config) -> Path:
    """Write ``FOLDER/settings.toml``; return its path."""
    path = Path(folder) / FILENAME
    path.write_text(settings_toml(config), encoding="utf-8")
    return path
