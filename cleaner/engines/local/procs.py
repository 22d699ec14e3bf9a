"""Worker processes: stopping a pool at once, dying with the driver, and what they used."""
from __future__ import annotations

import concurrent.futures as cf
import gc
import resource
import signal
import sys


#: Process pools of the corpus passes while they run (:func:`cleaner.engines.local.passes.run_ordered`):
#: an interrupted run stops them at once instead of waiting for their tasks.
LIVE_POOLS: set[cf.ProcessPoolExecutor] = set()


def stop_executor(ex: cf.ProcessPoolExecutor) -> None:
    """Stop a process pool now: kill its workers (their tasks are lost), then reap them.

    For Ctrl-C and hung workers; a pool that finishes normally is shut down with ``wait=True``.
    A worker killed while sending a result leaves the pool's reader thread waiting for the
    rest of the message: closing this process's own end of the result pipe turns that wait
    into end-of-file, so the pool sees itself broken and stops. Waits at most
    ``STOP_WAIT_S`` seconds for that.
    """
    thread = getattr(ex, "_executor_manager_thread", None)   # shutdown() forgets it
    for p in list((getattr(ex, "_processes", None) or {}).values()):  # no public terminate before Python 3.14
        p.kill()
    for p in list((getattr(ex, "_processes", None) or {}).values()):
        p.join(STOP_WAIT_S)   # dead: their ends of the pipes are closed
    writer = getattr(getattr(ex, "_result_queue", None), "_writer", None)
    if writer is not None:
        try:
            writer.close()
        except OSError:
            pass
    ex.shutdown(wait=False, cancel_futures=True)
    if thread is not None:   # gone, it has closed its wake-up pipe: Python's exit handler, which writes
        thread.join(STOP_WAIT_S)   # to every pool's, no longer races it (EBADF, "Exception ignored" at exit)


#: Seconds :func:`stop_executor` waits for killed workers and the pool's own thread.
STOP_WAIT_S = 5.0


#: Bytes each pipe between the driver and a pool may hold (Linux ``F_SETPIPE_SZ``; the default is
#: 64 KiB). A pass-1 chunk of 32 pages read by the driver is some 3.6 MB: through 64 KiB at a time
#: it took the worker 6 to 9 ms to receive (as many wake-ups of both ends), through 1 MiB 2.5 ms.
PIPE_BYTES = 1 << 20


def widen_pipes(ex: cf.ProcessPoolExecutor) -> None:
    """Let the pipes that carry ``ex``'s tasks and results hold :data:`PIPE_BYTES` (Linux; a
    kernel that refuses, as past a user's pipe quota, leaves them as they are)."""
    if not sys.platform.startswith("linux"):
        return
    import fcntl
    for queue in (getattr(ex, "_call_queue", None), getattr(ex, "_result_queue", None)):
        conn = getattr(queue, "_writer", None)
        try:
            fcntl.fcntl(conn.fileno(), getattr(fcntl, "F_SETPIPE_SZ", 1031), PIPE_BYTES)  # type: ignore[union-attr]
        except (AttributeError, OSError, ValueError):
            pass


def die_with_parent() -> None:
    """Ask Linux to kill this worker when the driver dies (``kill -9`` leaves no orphan workers)."""
    if not sys.platform.startswith("linux"):
        return
    try:
        import ctypes
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # 1 = PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # pragma: no cover - not glibc: workers then exit on their own
        pass


#: Allocations of container objects between two collections of the youngest generation in a
#: worker process (Python's default: 700). Measured on the 692 evaluation pages in one process:
#: garbage collection took 0.9 s of 27.8 s (1,575 young collections) with the default and
#: 0.08 s (36) with this, the whole per-document path about 1 s less; peak memory the same.
WORKER_GC_YOUNG = 5_000


def tune_worker_gc() -> None:
    """Set a worker process's garbage collector for documents that each make and free many objects.

    Freezes what the process inherited from the driver (modules, rules, the language model:
    collections no longer walk it, nor write to its pages that the fork shares) and sets the
    young generation's threshold to :data:`WORKER_GC_YOUNG`. Objects are still freed by
    reference counting at once; only cycles wait a little longer. For worker processes only,
    never a user's process (the Python API leaves the collector alone).
    """
    gc.freeze()
    gc.set_threshold(WORKER_GC_YOUNG, *gc.get_threshold()[1:])


def _process_use() -> dict[str, float]:
    """CPU seconds and peak resident memory (MB) of the driver and of its worker processes
    (the largest one; a run with work in the driver only has no worker figures that differ from 0)."""
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return {"driver_cpu_seconds": round(me.ru_utime + me.ru_stime, 2),
            "workers_cpu_seconds": round(kids.ru_utime + kids.ru_stime, 2),
            "driver_peak_memory_mb": round(me.ru_maxrss / 1024, 1),
            "worker_peak_memory_mb": round(kids.ru_maxrss / 1024, 1)}


def _peak_rss_mb() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    c = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return max(r, c)


class Interrupts:
    """Ctrl-C that cannot be lost: SIGINT sets a flag as well as raising ``KeyboardInterrupt``.

    Python drops an exception raised inside a ``__del__`` method ("Exception ignored in ..."),
    so a SIGINT that lands while a finaliser runs (the regular-expression compiler has some)
    would let the run go on to the end. The run calls :meth:`check` between units of work,
    which raises ``KeyboardInterrupt`` for a SIGINT that was swallowed. Installed only in the
    main thread of the main interpreter, and only over Python's default handler.
    """

    def __init__(self) -> None:
        self.seen = False
        self._previous = None

    def _handler(self, signum, frame) -> None:  # noqa: ANN001 - signal handler signature
        self.seen = True
        raise KeyboardInterrupt

    def _unraisable(self, info) -> None:  # noqa: ANN001 - sys.unraisablehook's argument
        """The ``KeyboardInterrupt`` a finaliser swallowed is this class's to report (by :meth:`check`), not a traceback's."""
        if not isinstance(info.exc_value, KeyboardInterrupt):
            self._previous_hook(info)

    def __enter__(self) -> "Interrupts":
        import threading
        self.seen = False
        if threading.current_thread() is threading.main_thread() and \
                signal.getsignal(signal.SIGINT) is signal.default_int_handler:
            self._previous = signal.signal(signal.SIGINT, self._handler)
            self._previous_hook, sys.unraisablehook = sys.unraisablehook, self._unraisable
        return self

    def __exit__(self, *exc: object) -> None:
        if self._previous is not None:
            signal.signal(signal.SIGINT, self._previous)
            sys.unraisablehook = self._previous_hook
            self._previous = None

    def check(self) -> None:
        """Raise ``KeyboardInterrupt`` when a SIGINT came and its exception was swallowed."""
        if self.seen:
            raise KeyboardInterrupt


#: The run's interrupt watch (one per process: the driver's main thread).
INTERRUPTS = Interrupts()
