import threading
import time

from engine.errors import LabError
from engine import jobs as jobs_module
from engine.jobs import CANCELLED, DONE, FAILED, JobManager


def wait_until_finished(job, timeout_s=10.0):
    deadline = time.monotonic() + timeout_s
    while job.active and time.monotonic() < deadline:
        time.sleep(0.01)
    assert not job.active


def test_a_job_records_progress_and_its_result():
    def work(on_progress):
        for step in range(1, 4):
            on_progress(step, 3, {"loss": 1 / step})
        return "model"

    job = JobManager().start("train", "three steps", work)
    wait_until_finished(job)
    assert (job.status, job.result, job.fraction) == (DONE, "model", 1.0)
    assert [row["loss"] for row in job.history] == [1, 0.5, 1 / 3]


def test_cancel_stops_the_work_at_its_next_report():
    started, steps = threading.Event(), []

    def work(on_progress):
        for step in range(1000):
            on_progress(step, 1000, {})
            steps.append(step)
            started.set()
            time.sleep(0.005)

    job = JobManager().start("train", "long", work)
    started.wait(5)
    job.cancel()
    wait_until_finished(job)
    assert job.status == CANCELLED and len(steps) < 1000 and job.result is None


def test_user_errors_keep_their_message_and_bugs_keep_their_trace():
    manager = JobManager()

    def bad_input(on_progress):
        raise LabError("the corpus is empty")

    def bug(on_progress):
        return 1 / 0

    user, crash = manager.start("t", "a", bad_input), manager.start("t", "b", bug)
    wait_until_finished(user), wait_until_finished(crash)
    assert (user.status, user.error, user.bug, user.headline) == (FAILED, "the corpus is empty", False, "the corpus is empty")
    assert crash.status == FAILED and crash.bug and "ZeroDivisionError" in crash.error
    assert crash.headline.startswith("ZeroDivisionError")
    assert {job.id for job in manager.jobs("t")} == {user.id, crash.id}


def test_only_the_newest_finished_jobs_are_kept(monkeypatch):
    monkeypatch.setattr(jobs_module, "KEEP_FINISHED", 2)
    manager = JobManager()
    first = [manager.start("t", str(i), lambda report: None) for i in range(3)]
    for job in first:
        wait_until_finished(job)
    running = threading.Event()
    late = manager.start("t", "late", lambda report: running.wait(10))
    assert manager.get(first[0].id) is None  # the oldest finished job was forgotten
    assert manager.get(first[2].id) is first[2] and manager.get(late.id) is late
    running.set()
    wait_until_finished(late)
