"""Run a command in a subprocess and measure wall time, CPU time and memory.

Peak memory is measured two ways: the kernel's ``ru_maxrss`` of the child
(from ``wait4``; the largest single process of the tree, so it misses a JVM
running *next to* the Python driver), and the peak of the summed resident
set size of the whole process tree, sampled from ``/proc`` every 50 ms.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

PAGE = os.sysconf("SC_PAGE_SIZE")


@dataclass
class Run:
    """What one measured command did."""

    cmd: list[str]
    seconds: float
    cpu_seconds: float
    maxrss_mb: float
    tree_peak_mb: float
    returncode: int
    stdout: str
    stderr: str
    load: float = 0.0  # mean 1-minute load average of the machine during the run

    @property
    def peak_mb(self) -> float:
        """The larger of the two peak-memory measurements."""
        return max(self.maxrss_mb, self.tree_peak_mb)


def _children() -> dict[int, list[int]]:
    kids: dict[int, list[int]] = {}
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            stat = Path(f"/proc/{d}/stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rpartition(")")[2].split()[1])
        kids.setdefault(ppid, []).append(int(d))
    return kids


def _tree(pid: int) -> tuple[int, dict[int, float]]:
    """Summed RSS (bytes) of `pid` and its descendants, and each one's CPU s."""
    kids = _children()
    total, cpu, todo = 0, {}, [pid]
    tick = os.sysconf("SC_CLK_TCK")
    while todo:
        p = todo.pop()
        try:
            fields = Path(f"/proc/{p}/statm").read_text().split()
            stat = Path(f"/proc/{p}/stat").read_text().rpartition(")")[2].split()
            total += int(fields[1]) * PAGE
            cpu[p] = (int(stat[11]) + int(stat[12])) / tick
        except (OSError, IndexError, ValueError):
            pass
        todo.extend(kids.get(p, ()))
    return total, cpu


def measure(
    cmd: list[str],
    *,
    env: dict[str, str] | None = None,
    cwd: str | None = None,
    nice: int = 10,
    echo: bool = True,
    max_mb: float | None = None,
) -> Run:
    """Run `cmd` (niced), sampling its memory; return the measurements.

    With `max_mb`, the process group is killed when the tree's RSS exceeds
    it (the run then has return code -9).
    """
    t0 = time.perf_counter()
    full = ["nice", "-n", str(nice), *cmd] if nice else cmd
    out_path = Path(os.environ.get("TMPDIR", "/tmp")) / f"bench-{os.getpid()}.out"
    err_path = out_path.with_suffix(".err")
    with open(out_path, "w") as out, open(err_path, "w") as err:
        proc = subprocess.Popen(
            full,
            stdout=out,
            stderr=err,
            cwd=cwd,
            env={**os.environ, **(env or {})},
            start_new_session=True,
        )
        peak, ticks, cpu, loads = 0, 0, {}, []
        try:
            while True:
                pid, status, ru = os.wait4(proc.pid, os.WNOHANG)
                if pid:
                    break
                rss, now = _tree(proc.pid)
                peak = max(peak, rss)
                cpu.update(now)
                loads.append(os.getloadavg()[0])
                if max_mb and peak > max_mb * 2**20:
                    os.killpg(proc.pid, signal.SIGKILL)
                # sampling /proc costs: every 0.05 s at first, then every 0.25 s
                ticks += 1
                time.sleep(0.05 if ticks < 100 else 0.25)
        finally:  # a JVM left behind by the child (Spark) is ours to stop
            with contextlib.suppress(OSError):
                os.killpg(proc.pid, signal.SIGKILL)
    seconds = time.perf_counter() - t0
    stdout, stderr = out_path.read_text(), err_path.read_text()
    out_path.unlink()
    err_path.unlink()
    rc = os.waitstatus_to_exitcode(status)
    # CPU: the child's own (with the children it waited for), or the sum of
    # the last samples of every process in the tree if larger (a JVM).
    own = ru.ru_utime + ru.ru_stime
    run = Run(
        cmd,
        seconds,
        max(own, sum(cpu.values())),
        ru.ru_maxrss / 1024,
        peak / 2**20,
        rc,
        stdout,
        stderr,
        sum(loads) / len(loads) if loads else os.getloadavg()[0],
    )
    if echo:
        print(
            f"  {seconds:8.1f} s  cpu {run.cpu_seconds:8.1f} s  peak "
            f"{run.peak_mb:8.0f} MB  load {run.load:4.1f}  rc={rc}  {_short(cmd)}",
            file=sys.stderr,
            flush=True,
        )
    if rc != 0:
        print(stderr[-3000:], file=sys.stderr)
    return run


def _short(cmd: list[str]) -> str:
    text = " ".join(c if "\n" not in c else "<script>" for c in cmd)
    return text if len(text) < 160 else text[:157] + "..."


def machine() -> str:
    """One line describing the machine (CPU model, cores, RAM)."""
    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return f"{model}, {os.cpu_count()} cores, {mem:.0f} GiB RAM, Python {sys.version.split()[0]}"
