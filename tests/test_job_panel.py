"""The shared job panel (pages/_job_panel.py): what a running, finished, refused, cancelled or crashed job looks like."""

from __future__ import annotations

import time

import pytest
from streamlit.testing.v1 import AppTest

from pages._job_panel import eta_text


def panel_script() -> None:
    """A page with one job whose end the test chooses through a module-level event and outcome."""
    import threading

    import streamlit as st

    import app_state
    from engine.errors import LabError
    from pages import _job_panel as job_panel

    outcome = st.session_state.setdefault("outcome", "done")
    if "job" not in st.session_state:
        release = threading.Event()
        st.session_state["release"] = release

        def work(report):
            report(1, 4, {"phase": "counting"})
            release.wait(30)
            report(2, 4, {"phase": "counting"})
            if outcome == "refused":
                raise LabError("That corpus has no words.")
            if outcome == "bug":
                return 1 / 0
            return 42

        st.session_state["job"] = app_state.jobs().start("test", "Counting", work).id
    job = app_state.jobs().get(st.session_state["job"])
    details = lambda job: st.caption(f"details: {len(job.history)} reports")  # noqa: E731
    if job_panel.follow(job, key="test", what="Counting", progress=lambda job: (job.fraction, f"phase {job.history[-1]['phase']}" if job.history else "starting"),
                        details=details):
        st.success(f"result {job.result}")


def run_until(at: AppTest, finished, timeout_s: float = 30) -> AppTest:
    deadline = time.monotonic() + timeout_s
    at.run()
    while not finished(at) and time.monotonic() < deadline:
        time.sleep(0.2)
        at.run()
    return at


def start(outcome: str) -> AppTest:
    at = AppTest.from_function(panel_script, default_timeout=30)
    at.session_state["outcome"] = outcome
    return run_until(at, lambda at: len(at.get("progress")) == 1)


def test_a_running_job_shows_its_stage_time_and_eta_a_cancel_button_and_its_details():
    at = start("done")
    line = at.get("progress")[0].proto.text
    assert line.startswith("phase counting · ") and " s · about " in line and line.endswith(" left")
    assert at.button(key="test_cancel").label == "Cancel"
    assert any(caption.value == "details: 1 reports" for caption in at.caption)
    at.session_state["release"].set()
    at = run_until(at, lambda at: len(at.success) == 1)
    assert at.success[0].value == "result 42" and not at.get("progress") and not at.error


def test_a_refused_job_shows_the_users_error_not_a_bug():
    at = start("refused")
    at.session_state["release"].set()
    at = run_until(at, lambda at: len(at.error) == 1)
    assert at.error[0].value == "That corpus has no words." and not at.expander and not at.success


def test_a_crash_is_shown_as_the_labs_bug_with_its_traceback():
    at = start("bug")
    at.session_state["release"].set()
    at = run_until(at, lambda at: len(at.error) == 1)
    assert "Counting stopped on a bug in the lab, not on your input: ZeroDivisionError" in at.error[0].value
    assert at.expander[0].label == "Details for a bug report" and "1 / 0" in at.expander[0].code[0].value


def test_cancel_stops_the_job_and_says_nothing_was_saved():
    at = start("done")
    at.button(key="test_cancel").click().run()
    at.session_state["release"].set()  # the work reaches its next report, which raises JobCancelled
    at = run_until(at, lambda at: len(at.warning) == 1)
    assert "Counting was cancelled after" in at.warning[0].value and "nothing was saved" in at.warning[0].value
    assert not at.success


@pytest.mark.parametrize(("elapsed", "fraction", "text"), [
    (10.0, 0.25, "about 30 s left"), (60.0, 0.5, "about 60 s left"), (60.0, 0.25, "about 3 min left"),
    (5.0, 0.0, ""), (5.0, 0.01, ""), (5.0, 1.0, ""),
])
def test_the_eta_extrapolates_the_time_taken_for_the_fraction_done(elapsed, fraction, text):
    assert eta_text(elapsed, fraction) == text

