"""Desktop shell benchmarks: event-loop stalls under load, and start-up time.

Stalls: a real MainWindow (offscreen) runs a 10 ms heartbeat timer on the GUI thread while
the real default model loads and generates, and while the 619-page PDF is imported into an
unlocked matter, searched, and five of its pages are opened in the source pane. A gap
between heartbeats is how long the event loop could not run, which
is what a user feels as a frozen window. Start-up: a fresh process shows the real main
window (the model loading in the background); the figure is from just before the process
is started to the window's first paint, the median of several runs.
"""

from __future__ import annotations

import itertools
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from tests.shared_data import FILES

ROOT = Path(__file__).resolve().parents[2]
HEARTBEAT_MS = 10
P99_TARGET_MS = 50.0
MAX_TARGET_MS = 200.0
STARTUP_TARGET_S = 1.5
STARTUP_RUNS = 3
PASSPHRASE = "correct horse battery staple"
BIG_PDF = FILES / "edge" / "DA-619p.pdf"
QUESTION = (
    "Explain, in about 200 words, what a force majeure clause in a commercial lease does, "
    "which events it usually covers, and what a tenant should check before relying on it."
)

# The child process for the start-up figure: prints the wall-clock time of the window's
# first paint, then leaves at once (the model is still loading; that is the point).
STARTUP_CHILD = r"""
import os, sys, time
from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QApplication

app = QApplication(sys.argv)
app.setApplicationName("Chambers")
from app.gui.main_window import MainWindow

class FirstPaint(QObject):
    def eventFilter(self, obj, event):
        if event.type() == QEvent.Type.Paint:
            print(f"PAINTED {time.time():.6f}", flush=True)
            os._exit(0)
        return False

window = MainWindow(load_model=True)
spy = FirstPaint()
window.installEventFilter(spy)
window.show()
app.exec()
"""


@contextmanager
def _environment(**values: str) -> Iterator[None]:
    previous = {key: os.environ.get(key) for key in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, old in previous.items():
            if old is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = old


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def _stall_figures(label: str, gaps_ms: list[float]) -> list[dict[str, Any]]:
    p99, worst = _percentile(gaps_ms, 0.99), max(gaps_ms)
    return [
        {
            "name": f"event-loop gap p99, {label}",
            "value": p99,
            "unit": "ms",
            "target": f"< {P99_TARGET_MS:.0f}",
            "ok": p99 < P99_TARGET_MS,
        },
        {
            "name": f"event-loop gap max, {label}",
            "value": worst,
            "unit": "ms",
            "target": f"< {MAX_TARGET_MS:.0f}",
            "ok": worst < MAX_TARGET_MS,
        },
    ]


def _measure_stalls() -> list[dict[str, Any]]:
    from PySide6.QtCore import QEventLoop, Qt, QTimer
    from PySide6.QtWidgets import QApplication

    from app.cancel import CancelToken, Progress
    from app.engine.chat import Message
    from app.gui.jobs import Job
    from app.gui.main_window import MainWindow
    from app.matters import create_matter, open_matter

    app = QApplication.instance() or QApplication([])
    ticks: list[float] = []
    heartbeat = QTimer()
    heartbeat.setTimerType(Qt.TimerType.PreciseTimer)
    heartbeat.setInterval(HEARTBEAT_MS)
    heartbeat.timeout.connect(lambda: ticks.append(time.perf_counter()))

    def wait_until(done: Callable[[], bool], timeout_s: float) -> None:
        """Run the event loop (heartbeat included) until ``done()`` or the deadline."""
        loop = QEventLoop()
        poll = QTimer()
        poll.setInterval(5)
        deadline = time.monotonic() + timeout_s
        poll.timeout.connect(lambda: (done() or time.monotonic() > deadline) and loop.quit())
        poll.start()
        loop.exec()
        poll.stop()
        if not done():
            raise TimeoutError(f"gave up after {timeout_s:.0f} s")

    def measured(
        start: Callable[[], None], done: Callable[[], bool], timeout_s: float
    ) -> list[float]:
        ticks.clear()
        ticks.append(time.perf_counter())
        heartbeat.start()
        start()
        wait_until(done, timeout_s)
        heartbeat.stop()
        ticks.append(time.perf_counter())
        return [(b - a) * 1000 for a, b in itertools.pairwise(ticks)]

    figures: list[dict[str, Any]] = []
    window = MainWindow(load_model=False)
    window.show()
    app.processEvents()
    try:
        # (a) the real default model: loading, then a ~200-token answer.
        failures: list[str] = []
        window.engine.load_failed.connect(lambda msg, hint: failures.append(f"{msg} {hint}"))
        gaps = measured(
            lambda: window.engine.load(),
            lambda: window.engine.model is not None or bool(failures),
            300,
        )
        if failures:
            raise RuntimeError(f"model did not load: {failures[0]}")
        figures += _stall_figures("loading the model", gaps)

        # The path every task takes: a job on the window's runner calls the engine and
        # hands its pieces to the GUI thread as partial results (MainWindow.run_task).
        pieces: list[str] = []
        stats: list[Any] = []
        engine = window.engine.engine
        assert engine is not None

        def generate(progress: Progress, cancel: CancelToken) -> Any:
            messages: list[Message] = [{"role": "user", "content": QUESTION}]
            generation = engine.stream(messages, max_tokens=200, cancel=cancel)
            for piece in generation:
                job.signals.partial.emit(piece)
            return generation.stats

        def start_generation() -> None:
            window.track(job, "Generating…")

        job = Job(generate, "generation")
        job.signals.partial.connect(pieces.append)
        job.signals.done.connect(stats.append)
        job.signals.failed.connect(lambda msg, hint: failures.append(msg))
        started = time.perf_counter()
        gaps = measured(
            start_generation,
            lambda: bool(stats) or bool(failures),
            600,
        )
        if failures:
            raise RuntimeError(f"generation failed: {failures[0]}")
        elapsed = time.perf_counter() - started
        figures += _stall_figures(f"generating {stats[0].generated_tokens} tokens", gaps)
        # The same engine and prompt straight from Python, no event loop running: if the
        # GUI speed is far below this, the GUI is in the way; if both are low, the machine is.
        direct = engine.stream([{"role": "user", "content": QUESTION}], max_tokens=200)
        direct.read()
        figures += [
            {"name": "generation wall time (GUI, 200 tokens max)", "value": elapsed, "unit": "s"},
            {
                "name": "generation speed, same engine without GUI",
                "value": direct.stats.tokens_per_second,
                "unit": "tok/s",
            },
            {
                "name": "time to first token (GUI)",
                "value": stats[0].time_to_first_token,
                "unit": "s",
            },
            {
                "name": "generation speed (GUI)",
                "value": stats[0].tokens_per_second,
                "unit": "tok/s",
            },
        ]

        # (b) importing the 619-page PDF into an unlocked matter.
        info, _ = create_matter("Stall bench", passphrase=PASSPHRASE, use_keyring=False)
        window.vault = open_matter(info, passphrase=PASSPHRASE, use_keyring=False).vault
        window._show_matter_state()
        app.processEvents()
        started = time.perf_counter()
        gaps = measured(
            lambda: window.import_files([BIG_PDF]), lambda: window.last_import is not None, 600
        )
        elapsed = time.perf_counter() - started
        summary = window.last_import
        assert summary is not None
        if not summary.imported:
            raise RuntimeError(f"DA-619p.pdf was not imported: {summary}")
        figures += _stall_figures("importing DA-619p.pdf", gaps)
        figures.append(
            {"name": "import wall time (GUI), DA-619p.pdf", "value": elapsed, "unit": "s"}
        )

        # (c) searching that matter, then opening five cited pages in the source pane:
        # both read (and render) on a worker, so the window keeps breathing.
        window.documents.show_results([])
        window.documents.search_box.setText("agreement")
        gaps = measured(
            lambda: window.documents.search_box.returnPressed.emit(),
            lambda: window.documents.results.count() > 0,
            120,
        )
        figures += _stall_figures("searching a 619-page matter", gaps)
        (doc,) = window.vault.list_documents()
        pages = [1, 100, 250, 400, 619]

        def open_pages() -> None:
            for page in pages:
                window.open_source(doc.id, page, "the")

        gaps = measured(open_pages, lambda: window.source.shown == (doc.id, pages[-1]), 120)
        figures += _stall_figures("opening 5 PDF pages in the source pane", gaps)
    finally:
        window.close()
        window.deleteLater()
        app.processEvents()
    return figures


def _measure_startup(env: dict[str, str]) -> list[dict[str, Any]]:
    times: list[float] = []
    for _ in range(STARTUP_RUNS):
        before = time.time()
        done = subprocess.run(
            [sys.executable, "-c", STARTUP_CHILD],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        painted = [ln for ln in done.stdout.splitlines() if ln.startswith("PAINTED ")]
        if not painted:
            raise RuntimeError(f"start-up child did not paint: rc={done.returncode}\n{done.stderr}")
        times.append(float(painted[0].split()[1]) - before)
    median = statistics.median(times)
    return [
        {
            "name": f"start-up to first paint (median of {STARTUP_RUNS})",
            "value": median,
            "unit": "s",
            "target": f"< {STARTUP_TARGET_S}",
            "ok": median < STARTUP_TARGET_S,
            "runs": times,
        }
    ]


def run() -> list[dict[str, Any]]:
    from app.paths import models_dir

    models = str(models_dir().resolve())  # before CHAMBERS_HOME changes
    with tempfile.TemporaryDirectory(prefix="chambers-bench-gui-") as home:
        values = {
            "CHAMBERS_HOME": home,
            "CHAMBERS_MODELS_DIR": models,
            "QT_QPA_PLATFORM": "offscreen",
        }
        with _environment(**values):
            figures = _measure_stalls()
        with tempfile.TemporaryDirectory(prefix="chambers-bench-start-") as start_home:
            env = {**os.environ, **values, "CHAMBERS_HOME": start_home}
            figures += _measure_startup(env)
    return figures
