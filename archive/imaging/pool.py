"""Decoder processes: one file at a time each, with crash, hang and memory isolation.

The ingest worker feeds the pool with submit()/collect(); the web takes one process for
a whole contribution with reserve(), which waits a bounded time and then says busy.
"""

from __future__ import annotations

import atexit
import contextlib
import logging
import multiprocessing
import os
import resource
import signal
import threading
import time
import traceback
from collections.abc import Iterator
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import Any

from archive.errors import ArchiveError, DecoderBusy, IngestError
from archive.faults import storage_fault
from archive.imaging.analyse import AnalyseOptions, Analysis, analyse_file
from archive.imaging.decode import bomb_error, configure_decoder, storage_error

log = logging.getLogger(__name__)
STARTUP_SECONDS = 120
# Decoder processes run under an address-space cap (worker_memory_mb). glibc gives each
# thread (libvips cuts tiles with several) its own 64 MiB malloc arena, which counts
# against that cap without being used; two arenas are plenty. Read by glibc when the
# fork server starts, so it is set before any pool exists.
os.environ.setdefault("MALLOC_ARENA_MAX", "2")
# Signals that stop processes on purpose (systemd, docker stop, timeout, Ctrl-C): a
# decoder ended by one of them did not fail on its file.
STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)

Outcome = Analysis | IngestError


class _SoftTimeout(Exception):
    pass


def _on_alarm(_signum: int, _frame: Any) -> None:
    raise _SoftTimeout


def timeout_error(seconds: float) -> IngestError:
    """Return the failure of a file that took too long to decode."""
    return IngestError(
        "timeout",
        f"파일을 처리하는 데 {seconds:.0f}초가 넘게 걸려 중단했습니다(손상된 파일일 수 있습니다).",
        f"processing took longer than {seconds:.0f} s and was stopped (possibly a damaged file)",
        "파일을 다시 저장해 넣어 보고, 계속되면 관리자에게 알려 주세요.",
    )


def crash_error() -> IngestError:
    """Return the failure of a file on which the decoder itself crashed."""
    return IngestError(
        "decoder_crash",
        "이미지 해독 중 프로그램이 비정상 종료되었습니다(손상되었거나 악성일 수 있는 파일).",
        "the image decoder crashed on this file (damaged or malicious file)",
        "원본을 다시 스캔하거나 다른 형식으로 저장해 넣어 주세요.",
    )


def interrupted_error() -> IngestError:
    """Return the outcome of a file whose decoder was stopped by a signal (tried again)."""
    return IngestError(
        "interrupted",
        "작업이 멈추는 중이라 이 파일은 처리하지 않았습니다. 다시 처리합니다.",
        "the decoder was stopped before it finished; the file will be taken again",
    )


def _child_main(conn: Connection, options: AnalyseOptions, memory_mb: int, timeout: float) -> None:
    """Serve analyse requests until told to stop (runs in a decoder process)."""
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    if memory_mb > 0:
        limit = memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    # A stop signal sent to the whole process group is for the parent: it finishes or
    # returns the files in hand, then closes the pipe, which ends this process.
    for signum in STOP_SIGNALS:
        signal.signal(signum, signal.SIG_IGN)
    signal.signal(signal.SIGALRM, _on_alarm)
    configure_decoder(options.max_pixels)
    logging.getLogger("exifread").setLevel(logging.ERROR)
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
        return timeout_error(timeout)
    except MemoryError:
        return bomb_error(0, 0, options.max_pixels)
    except Exception as exc:  # a decoder bug must fail this file, not the worker
        fault = storage_fault(exc)
        if fault is not None:  # libvips or Pillow could not write: not the file's fault
            log.warning("no room to analyse %s: %s", path, fault)
            return storage_error(fault)
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


@dataclass
class _Slot:
    process: Any
    conn: Connection
    task: Any = None
    path: Path | None = None
    started: float = 0.0
    reserved: bool = False
    ready: bool = False  # its "ready" message was read (it is read on first use)


class DecoderPool:
    """Run analyse_file in worker processes; a crash or hang fails only its file."""

    def __init__(
        self, workers: int, options: AnalyseOptions, *, timeout: float, memory_mb: int
    ) -> None:
        self.options = options
        self.timeout = timeout
        self.memory_mb = memory_mb
        self.stopping = False
        self._ctx = multiprocessing.get_context("forkserver")
        # The fork server imports the decoding modules once; each decoder forks from it
        # ready, instead of importing Pillow and the rest again.
        self._ctx.set_forkserver_preload(["archive.imaging.analyse", "imagehash", "pyvips"])
        self._free = threading.Condition()
        self._closed = False
        # Started now, waited for on first use: they get ready while the caller works on.
        self._slots = [self._start() for _ in range(max(1, workers))]
        # Before multiprocessing's own exit hook, which would SIGTERM (ignored) and wait.
        atexit.register(self.close)

    @property
    def size(self) -> int:
        """Return the number of decoder processes."""
        return len(self._slots)

    def idle(self) -> int:
        """Return how many processes are free for a new file."""
        return sum(1 for slot in self._slots if slot.task is None and not slot.reserved)

    def busy(self) -> int:
        """Return how many files are being analysed."""
        return sum(1 for slot in self._slots if slot.task is not None)

    def submit(self, task: Any, path: Path) -> None:
        """Give a file to a free process; the caller checks idle() first."""
        slot = next(s for s in self._slots if s.task is None and not s.reserved)
        self._ensure_ready(slot)
        slot.task, slot.path, slot.started = task, path, time.monotonic()
        slot.conn.send(str(path))

    def collect(self, wait_seconds: float = 1.0) -> list[tuple[Any, Outcome]]:
        """Return finished (task, outcome) pairs, restarting crashed or hung processes."""
        busy = [slot for slot in self._slots if slot.task is not None and not slot.reserved]
        if not busy:
            return []
        ready = set(wait([slot.conn for slot in busy], timeout=wait_seconds))
        done: list[tuple[Any, Outcome]] = []
        for slot in busy:
            if slot.conn in ready:
                done.append(self._receive(slot))
            elif time.monotonic() - slot.started > self.timeout + 30:
                done.append(self._replace(slot, timeout_error(self.timeout)))
        return done

    @contextlib.contextmanager
    def reserve(self, wait_seconds: float) -> Iterator[_Reserved]:
        """Hold one decoder process for a caller's files (thread-safe).

        :raises DecoderBusy: when none becomes free within wait_seconds.
        """
        deadline = time.monotonic() + wait_seconds
        with self._free:
            while True:
                slot = next((s for s in self._slots if s.task is None and not s.reserved), None)
                if slot is not None:
                    slot.reserved = True
                    break
                left = deadline - time.monotonic()
                if left <= 0 or not self._free.wait(left):
                    raise DecoderBusy("every decoder process is busy")
        try:
            yield _Reserved(self, slot)
        finally:
            with self._free:
                slot.reserved = False
                self._free.notify()

    def analyse_in(self, slot: _Slot, path: Path) -> Outcome:
        """Analyse one file in a reserved process and wait for its outcome."""
        self._ensure_ready(slot)
        slot.task, slot.path, slot.started = str(path), path, time.monotonic()
        slot.conn.send(str(path))
        if slot.conn.poll(self.timeout + 30):
            return self._receive(slot)[1]
        return self._replace(slot, timeout_error(self.timeout))[1]

    def close(self) -> None:
        """Stop every decoder process (once; later calls do nothing)."""
        if self._closed:
            return
        self._closed = True
        atexit.unregister(self.close)
        self.stopping = True
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
            return self._replace(slot, self._ended(slot))
        task = slot.task
        slot.task, slot.path = None, None
        return task, outcome

    def _ended(self, slot: _Slot) -> IngestError:
        """Tell a crash on the file from a stop signal sent to the decoder."""
        slot.process.join(timeout=5)
        code = slot.process.exitcode
        if self.stopping or (code is not None and -code in STOP_SIGNALS):
            return interrupted_error()
        return crash_error()

    def _replace(self, slot: _Slot, error: IngestError) -> tuple[Any, Outcome]:
        task = slot.task
        log.warning("decoder process for %s stopped: %s", slot.path, error.code)
        slot.process.kill()
        slot.process.join()
        slot.conn.close()
        slot.task, slot.path = None, None
        if not self.stopping:
            fresh = self._start()
            slot.process, slot.conn, slot.ready = fresh.process, fresh.conn, False
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
        return _Slot(process, parent)

    def _ensure_ready(self, slot: _Slot) -> None:
        """Wait for a new decoder's handshake.

        :raises ArchiveError: when it cannot even start: it would fail every file as a
            "crash", so the caller stops instead.
        """
        if slot.ready:
            return
        if not slot.conn.poll(STARTUP_SECONDS) or _recv_ready(slot.conn) != "ready":
            slot.process.kill()
            raise ArchiveError("decoder process could not start; see the log above")
        slot.ready = True


@dataclass
class _Reserved:
    """One decoder process held by a caller until it leaves reserve()."""

    pool: DecoderPool
    slot: _Slot

    def analyse(self, path: Path) -> Outcome:
        """Analyse a file in the held process."""
        return self.pool.analyse_in(self.slot, path)
