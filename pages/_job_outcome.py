"""How every page tells the end of a background job that did not succeed: cancelled, refused, or a bug.

A user's mistake (a LabError) is shown as their error, with its message; anything else is the lab's bug,
said to be one, with the traceback kept in an expander for a report — never dressed up as bad input.
"""

from __future__ import annotations

import streamlit as st

from engine.jobs import CANCELLED, DONE, Job


def succeeded(job: Job, what: str) -> bool:
    """True for a job that finished well (the caller draws its result); otherwise draw why not and return False.

    `what` names the work in a sentence: "Training", "The projection".
    """
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
