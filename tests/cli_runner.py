"""Run ``oncometrics`` in-process, as a test sees it: exit code, stdout, stderr."""

from __future__ import annotations

import pytest

from oncometrics.cli import main


def cli(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    """``main(args)``'s exit code and output; fails if a traceback was printed."""
    try:
        main(args)
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err
