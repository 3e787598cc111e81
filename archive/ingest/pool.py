"""Decoder processes: one file at a time each, with crash, hang and memory isolation."""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import os
import resource
import signal
import time
import traceback
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import Any

from archive.errors import ArchiveError, IngestError
from archive.ingest.analyse import AnalyseOptions, Analysis, analyse_file
from archive.ingest.imaging import bomb_error, configure_decoder

log = logging.getLogger(__name__)
STARTUP_SECONDS = 120

Outcome = Analysis | IngestError


class _SoftTimeout(Exception):
    pass


def _on_alarm(_signum: int, _frame: Any) -> None:
    raise _SoftTimeout


def _timeout_error(seconds: float) -> IngestError:
    return IngestError(
        "timeout",
        f"파일을 처리하는 데 {seconds:.0f}초가 넘게 걸려 중단했습니다(손상된 파일일 수 있습니다).",
        f"processing took longer than {seconds:.0f} s and was stopped (possibly a damaged file)",
        "파일을 다시 저장해 넣어 보고, 계속되면 관리자에게 알려 주세요.",
    )


def _crash_error() -> IngestError:
    return IngestError(
        "decoder_crash",
        "이미지 해독 중 프로그램이 비정상 종료되었습니다(손상되었거나 악성일 수 있는 파일).",
        "the image decoder crashed on this file (damaged or malicious file)",
        "원본을 다시 스캔하거나 다른 형식으로 저장해 넣어 주세요.",
    )


def _child_main(conn: Connection, options: AnalyseOptions, memory_mb: int, timeout: float) -> None:
    """Serve analyse requests until told to stop (runs in a decoder process)."""
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    if memory_mb > 0:
        limit = memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGALRM, _on_alarm)
    configure_decoder(options.max_pixels)
    logging.getLogger("exifread").setLevel(logging.ERROR)
    _register_plugins()
    conn.send("ready")
    while True:
        try:
            request = conn.recv()
        except EOFError:
            return
        if request is None:
            return
        conn.send(_serve(Path(request), options, timeout))


def _serve(path: Path, options: AnalyseOptions, timeout: float) -> Outcome:
    signal.setitimer(signal.ITIMER_REAL, timeout)
    try:
        return analyse_file(path, options)
    except IngestError as exc:
        return exc
    except _SoftTimeout:
        return _timeout_error(timeout)
    except MemoryError:
        return bomb_error(0, 0, options.max_pixels)
    except Exception as exc:  # a decoder bug must fail this file, not the worker
        log.error("unexpected error analysing %s\n%s", path, traceback.format_exc())
        return IngestError(
            "internal",
            f"처리 중 예기치 않은 오류가 났습니다: {type(exc).__name__}",
            f"unexpected error while processing: {type(exc).__name__}: {exc}"[:300],
            "관리자에게 이 파일과 함께 알려 주세요.",
        )
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)


def _recv_ready(conn: Connection) -> object:
    try:
        return conn.recv()
    except (EOFError, OSError):
        return None


def _register_plugins() -> None:
    from pillow_heif import register_heif_opener

    register_heif_opener()


@dataclass
class _Slot:
    process: Any
    conn: Connection
    task: Any = None
    path: Path | None = None
    started: float = 0.0


class DecoderPool:
    """Run analyse_file in worker processes; a crash or hang fails only its file."""

    def __init__(
        self, workers: int, options: AnalyseOptions, *, timeout: float, memory_mb: int
    ) -> None:
        self.options = options
        self.timeout = timeout
        self.memory_mb = memory_mb
        self._ctx = multiprocessing.get_context("forkserver")
        self._slots = [self._start() for _ in range(max(1, workers))]

    @property
    def size(self) -> int:
        """Return the number of decoder processes."""
        return len(self._slots)

    def idle(self) -> int:
        """Return how many processes are free for a new file."""
        return sum(1 for slot in self._slots if slot.task is None)

    def busy(self) -> int:
        """Return how many files are being analysed."""
        return len(self._slots) - self.idle()

    def submit(self, task: Any, path: Path) -> None:
        """Give a file to a free process; the caller checks idle() first."""
        slot = next(s for s in self._slots if s.task is None)
        slot.task, slot.path, slot.started = task, path, time.monotonic()
        slot.conn.send(str(path))

    def collect(self, wait_seconds: float = 1.0) -> list[tuple[Any, Outcome]]:
        """Return finished (task, outcome) pairs, restarting crashed or hung processes."""
        busy = [slot for slot in self._slots if slot.task is not None]
        if not busy:
            return []
        ready = set(wait([slot.conn for slot in busy], timeout=wait_seconds))
        done: list[tuple[Any, Outcome]] = []
        for slot in busy:
            if slot.conn in ready:
                done.append(self._receive(slot))
            elif time.monotonic() - slot.started > self.timeout + 30:
                done.append(self._replace(slot, _timeout_error(self.timeout)))
        return done

    def close(self) -> None:
        """Stop every decoder process."""
        for slot in self._slots:
            with contextlib.suppress(OSError):
                slot.conn.send(None)
        for slot in self._slots:
            slot.process.join(timeout=5)
            if slot.process.is_alive():
                slot.process.kill()
                slot.process.join()
            slot.conn.close()

    def _receive(self, slot: _Slot) -> tuple[Any, Outcome]:
        try:
            outcome = slot.conn.recv()
        except (EOFError, OSError):
            return self._replace(slot, _crash_error())
        task = slot.task
        slot.task, slot.path = None, None
        return task, outcome

    def _replace(self, slot: _Slot, error: IngestError) -> tuple[Any, Outcome]:
        task = slot.task
        log.warning("decoder process for %s stopped: %s", slot.path, error.code)
        slot.process.kill()
        slot.process.join()
        slot.conn.close()
        index = self._slots.index(slot)
        self._slots[index] = self._start()
        return task, error

    def _start(self) -> _Slot:
        parent, child = self._ctx.Pipe()
        process = self._ctx.Process(
            target=_child_main,
            args=(child, self.options, self.memory_mb, self.timeout),
            daemon=True,
        )
        process.start()
        child.close()
        # A process that cannot even start would fail every file as a "crash": stop instead.
        if not parent.poll(STARTUP_SECONDS) or _recv_ready(parent) != "ready":
            process.kill()
            raise ArchiveError("decoder process could not start; see the log above")
        return _Slot(process, parent)
