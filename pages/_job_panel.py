"""The one way a page watches a background job (engine/jobs.py): progress, ETA, Cancel, live details, the outcome.

A page holds a job id in its session state and calls `follow(job, ...)` on every run. While the job
runs, a fragment redraws the panel every `REFRESH_S` seconds: a progress bar whose text is the page's
stage line, the time taken and the time left (extrapolated from the fraction done), a Cancel button,
and the page's live details (metrics, curves). When the job ends the fragment reruns the whole page
once, and `follow` then tells how it ended: a user's mistake (a LabError) as their error, anything else
as the lab's bug with the traceback in an expander for a report, never dressed up as bad input.

Every redraw runs Python that holds the GIL while the job's thread waits for it (plotly builds a figure in
~50 ms), so the progress line refreshes every second but the details only every `DETAILS_EVERY_S`, and
both slow down while several jobs run (bench/load.py measures it).
"""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

import app_state
from engine.jobs import CANCELLED, DONE, Job

REFRESH_S = 1.0  # the progress line, one job alone; each further running job adds as much again
DETAILS_EVERY_S = 5.0  # live metrics and curves, likewise
MAX_SLOWDOWN = 4  # never slower than 4 s for the line and 20 s for the curves
ETA_FROM = 0.05  # no estimate before 5 % is done: a job's set-up (UMAP's graph) would make it minutes too long

Progress = Callable[[Job], tuple[float, str]]  # the fraction done (0–1) and a line saying what it is doing
Details = Callable[[Job], None]  # draws live metrics or curves from job.history


def plain_progress(job: Job) -> tuple[float, str]:
    """The default stage line: the job's own fraction and its label."""
    return job.fraction, job.label


def follow(job: Job, *, key: str, what: str, progress: Progress = plain_progress, details: Details | None = None,
           cancel: bool = True) -> bool:
    """Draw `job`; True once it finished well (the caller then draws its result), False while it runs or after it failed.

    `key` makes the panel's widget keys unique on the page; `what` names the work in a sentence ("Training",
    "The projection"). `cancel=False` for a job that other sessions wait on too.
    """
    if job.active:
        slowdown = _slowdown()
        st.fragment(_progress_line, run_every=REFRESH_S * slowdown)(job.id, key, progress, cancel)
        if details is not None:
            st.fragment(_details, run_every=DETAILS_EVERY_S * slowdown)(job.id, details)
        return False
    return succeeded(job, what)


def succeeded(job: Job, what: str) -> bool:
    """True for a job that finished well; otherwise draw why not (cancelled, refused, or a bug) and return False."""
    if job.status == DONE:
        return True
    if job.status == CANCELLED:
        st.warning(f"{what} was cancelled after {job.elapsed:.0f} s; nothing was saved.", icon=":material/cancel:")
    elif job.bug:
        st.error(f"{what} stopped on a bug in the lab, not on your input: {job.headline}", icon=":material/bug_report:")
        st.expander("Details for a bug report").code(job.error, language=None)
    else:
        st.error(job.headline, icon=":material/error:")
    return False


def eta_text(elapsed: float, fraction: float) -> str:
    """"about 40 s left", extrapolated from the time taken for the fraction done; empty before ETA_FROM is done."""
    if not ETA_FROM <= fraction < 1.0:
        return ""
    return f"about {duration(elapsed * (1.0 - fraction) / fraction)} left"


def duration(seconds: float) -> str:
    """"40 s", or "3 min" from 90 s up: how the lab words an estimate."""
    return f"{seconds / 60:.0f} min" if seconds >= 90 else f"{seconds:.0f} s"


def _slowdown() -> int:
    """The number of running jobs (at most MAX_SLOWDOWN): N sessions watching N jobs redraw about as often as one."""
    return min(MAX_SLOWDOWN, max(1, sum(job.active for job in app_state.jobs().jobs())))


def _progress_line(job_id: str, key: str, progress: Progress, cancel: bool) -> None:
    job = app_state.jobs().get(job_id)
    if job is None or not job.active:
        st.rerun(scope="app")  # it ended (or was forgotten): the page draws the outcome
    fraction, stage = progress(job)
    line = " · ".join(part for part in (stage, f"{job.elapsed:.0f} s", eta_text(job.elapsed, fraction)) if part)
    st.progress(min(1.0, max(0.0, fraction)), text=line)
    if cancel:
        st.button("Cancel", key=f"{key}_cancel", on_click=job.cancel, icon=":material/stop_circle:")


def _details(job_id: str, details: Details) -> None:
    job = app_state.jobs().get(job_id)
    if job is not None:
        details(job)
