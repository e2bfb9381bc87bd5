"""Long work (training, projections) in background threads, so no session waits on another's.

A job runs a function `work(on_progress)`; the function calls `on_progress(step, total, metrics)` as it
goes. The job records each report (for live curves) and, when cancellation was asked for, makes that
call raise `JobCancelled`, so the work stops at its next report without any cancel logic of its own.
torch, gensim and numpy release the GIL in their heavy loops, so a thread is enough to keep the app
responsive; a process would have to copy the model and data across.
"""

from __future__ import annotations

import threading
import time
import traceback
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from engine.device import flush_denormals
from engine.errors import LabError

ProgressCallback = Callable[[int, int, dict[str, Any]], None]

RUNNING, DONE, FAILED, CANCELLED = "running", "done", "failed", "cancelled"
# Finished jobs kept for pages to read (a result may hold trained models); older ones are forgotten
# when a new job starts, and a page whose job id was forgotten just shows no job.
KEEP_FINISHED = 20


class JobCancelled(Exception):
    """Raised inside a job's work, from its progress callback, once the user asked to cancel."""


@dataclass
class Job:
    """One unit of background work and everything a page needs to draw it."""

    id: str
    kind: str
    label: str
    status: str = RUNNING
    step: int = 0
    total: int = 0
    history: list[dict[str, Any]] = field(default_factory=list)
    result: Any = None
    error: str = ""  # the LabError's message, or for a bug the whole traceback (then `bug` is True)
    bug: bool = False
    started: float = field(default_factory=time.time)
    finished: float | None = None
    _cancel: threading.Event = field(default_factory=threading.Event, repr=False)

    @property
    def fraction(self) -> float:
        return min(1.0, self.step / self.total) if self.total else 0.0

    @property
    def elapsed(self) -> float:
        return (self.finished or time.time()) - self.started

    @property
    def active(self) -> bool:
        return self.status == RUNNING

    @property
    def headline(self) -> str:
        """One line for the page: the user error's message, or a bug's last traceback line."""
        lines = self.error.strip().splitlines()
        return (lines[-1] if self.bug else self.error.strip()) if lines else ""

    def cancel(self) -> None:
        self._cancel.set()

    def report(self, step: int, total: int, metrics: dict[str, Any] | None = None) -> None:
        """The progress callback handed to the work; raises JobCancelled once cancel() was called."""
        if self._cancel.is_set():
            raise JobCancelled
        self.step, self.total = step, total
        self.history.append({"step": step, "elapsed": self.elapsed, **(metrics or {})})


class JobManager:
    """All jobs of this process, shared by every session; pages keep only job ids."""

    def __init__(self) -> None:
        self._jobs: dict[str, Job] = {}
        self._lock = threading.Lock()

    def start(self, kind: str, label: str, work: Callable[[ProgressCallback], Any]) -> Job:
        """Run `work(job.report)` in a daemon thread and return its Job at once."""
        job = Job(id=uuid.uuid4().hex[:12], kind=kind, label=label)
        with self._lock:
            finished = sorted((j for j in self._jobs.values() if not j.active), key=lambda j: j.finished or j.started)
            for old in finished[: max(0, len(finished) - KEEP_FINISHED)]:
                del self._jobs[old.id]
            self._jobs[job.id] = job
        threading.Thread(target=self._run, args=(job, work), name=f"job-{kind}-{job.id}", daemon=True).start()
        return job

    def get(self, job_id: str | None) -> Job | None:
        return self._jobs.get(job_id) if job_id else None

    def jobs(self, kind: str | None = None) -> list[Job]:
        with self._lock:
            return [job for job in self._jobs.values() if kind is None or job.kind == kind]

    @staticmethod
    def _run(job: Job, work: Callable[[ProgressCallback], Any]) -> None:
        flush_denormals()  # before this thread starts torch's workers, so they inherit it
        try:
            job.result = work(job.report)
            job.status = DONE
        except JobCancelled:
            job.status = CANCELLED
        except LabError as error:
            job.error, job.status = str(error), FAILED
        except Exception:  # a bug: keep the trace for the page to show in an expander
            job.error, job.bug, job.status = traceback.format_exc(), True, FAILED
        finally:
            job.finished = time.time()
