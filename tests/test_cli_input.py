"""CLI input handling: non-regular files, unreadable folders, --json, Ctrl-C."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from oncometrics.cli import main
from oncometrics.store import expand_paths

DATA = Path(__file__).parent / "data"
PAGE = DATA / "openalex/keypaper_results_page1.json"
ROOT = Path(__file__).parent.parent
CLI = (sys.executable, "-m", "oncometrics.cli")


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
        sys.exit(0)
    out, err = capsys.readouterr()
    return int(exit_info.value.code or 0), out, err


@pytest.mark.parametrize("kind", ["fifo", "device"])
def test_not_a_regular_file_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], kind: str
) -> None:
    if kind == "fifo":
        target = tmp_path / "pipe"
        os.mkfifo(target)  # reading it would wait for a writer for ever
    else:
        target = Path("/dev/zero")  # reading it would never end
    code, out, err = _run(
        ["ingest", "openalex", str(target), "--store", str(tmp_path / "st")], capsys
    )
    assert code == 1 and out == ""
    assert err == f"error: {target}: not a regular file (a device, FIFO or socket)\n"


def test_fifo_inside_a_folder_refused(tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.json").write_bytes(PAGE.read_bytes())
    os.mkfifo(tmp_path / "in" / "b.json")
    with pytest.raises(ValueError, match=r"b\.json: not a regular file"):
        expand_paths([tmp_path / "in"])


def test_unreadable_subfolder_is_an_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "in"
    (folder / "sub").mkdir(parents=True)
    (folder / "a.json").write_bytes(PAGE.read_bytes())
    (folder / "sub" / "b.json").write_bytes(PAGE.read_bytes())
    real_scandir = os.scandir

    def scandir(path: object = ".") -> object:  # as chmod 000 does (even for root)
        if Path(str(path)) == folder / "sub":
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)  # type: ignore[call-overload]

    monkeypatch.setattr(os, "scandir", scandir)
    code, out, err = _run(
        ["ingest", "openalex", str(folder), "--store", str(tmp_path / "st")], capsys
    )
    assert code == 1 and out == ""
    assert (
        err == f"error: {folder / 'sub'}: cannot read the folder (Permission denied)\n"
    )
    assert not (tmp_path / "st" / "works").exists()  # nothing ingested


def test_ingest_json_stdout_is_only_json(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = _run(
        ["ingest", "openalex", str(PAGE), "--store", str(tmp_path / "st"), "--json"],
        capsys,
    )
    assert code == 0
    doc = json.loads(out)  # the whole of stdout
    (f,) = doc["files"]
    assert (f["read"], f["stored"], f["rejected"]) == (2, 2, 0)
    assert "read 2 = stored 2 + duplicates 0 + rejected 0" in err


@pytest.mark.slow
def test_ctrl_c_says_interrupted_only(tmp_path: Path) -> None:
    """SIGINT to the whole process group, as a terminal's Ctrl-C, mid-ingest."""
    src = json.loads(
        (DATA / "openalex/snowball_citing_page.json").read_text(encoding="utf-8")
    )
    folder = tmp_path / "in"
    folder.mkdir()
    for i in range(30):  # distinct files (checksums), same works
        (folder / f"p{i:02d}.json").write_text(json.dumps(src) + " " * i)
    err_path, st = tmp_path / "stderr.txt", tmp_path / "st"
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    with open(err_path, "wb") as err_fh:
        proc = subprocess.Popen(
            [
                *CLI,
                "ingest",
                "openalex",
                str(folder),
                "--store",
                str(st),
                "--jobs",
                "2",
            ],
            stdout=subprocess.PIPE,
            stderr=err_fh,
            env=env,
            start_new_session=True,
        )
        deadline = time.monotonic() + 120
        staging = tmp_path / "st" / "_staging"  # files being parsed
        while not staging.exists() and proc.poll() is None:
            assert time.monotonic() < deadline, "ingest did not start"
            time.sleep(0.05)
        with contextlib.suppress(ProcessLookupError):  # ended already: skipped below
            os.killpg(proc.pid, signal.SIGINT)
        out, _ = proc.communicate(timeout=120)
    err = err_path.read_text()
    if proc.returncode == 0:
        pytest.skip("the ingest ended before the interrupt")  # a very fast machine
    assert proc.returncode in (130, -signal.SIGINT)
    assert out == b""
    assert "Traceback" not in err and "please report" not in err
    lines = [ln for ln in err.splitlines() if not ln.endswith(" + rejected 0")]
    assert lines == ["interrupted"], err[-2000:]


def test_in_process_interrupted_run_leaves_the_ctrl_c_handler(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """``main(argv)`` from Python: an interrupted run says "interrupted" and
    exits 130 but leaves the caller's SIGINT handler (else every program the
    caller starts later inherits an ignored Ctrl-C)."""
    from oncometrics import cli

    def interrupted(**kw: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(cli, "app", interrupted)
    # Python's own handler, whatever this process was started with (a shell
    # starts a background job with Ctrl-C ignored)
    original = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        with pytest.raises(SystemExit) as exit_:
            cli.main(["ingest", "openalex", "x"])
        assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
    finally:
        signal.signal(signal.SIGINT, original)
    assert exit_.value.code == 130
    assert "interrupted" in capsys.readouterr().err
