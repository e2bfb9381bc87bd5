"""Overlapping trainers share torch's thread count and the process gets its own count back."""

import threading

import torch

from engine.torch_threads import AUTO, follow_shared_count, limited_threads

CPU = torch.device("cpu")


def test_limit_applies_inside_and_is_restored():
    before = torch.get_num_threads()
    with limited_threads(1, CPU):
        assert torch.get_num_threads() == 1
    assert torch.get_num_threads() == before


def test_none_or_gpu_leaves_the_count_alone():
    before = torch.get_num_threads()
    with limited_threads(None, CPU), limited_threads(1, torch.device("meta")):
        assert torch.get_num_threads() == before


def test_overlapping_jobs_in_threads_restore_the_original_whatever_order_they_finish():
    torch.set_num_threads(2)
    first_in, second_in, first_may_leave = threading.Event(), threading.Event(), threading.Event()
    seen: dict[str, int] = {}

    def first():
        with limited_threads(1, CPU):
            first_in.set()
            second_in.wait(10)
            first_may_leave.wait(10)
            seen["first"] = torch.get_num_threads()

    def second():
        first_in.wait(10)
        with limited_threads(2, CPU):  # the smaller active request wins
            seen["second"] = torch.get_num_threads()
            second_in.set()
        first_may_leave.set()  # the second job leaves while the first still runs

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(20)
    assert seen == {"first": 1, "second": 1}
    fresh: list[int] = []
    probe = threading.Thread(target=lambda: fresh.append(torch.get_num_threads()))  # a new thread sees the default
    probe.start()
    probe.join()
    assert fresh == [2]


def test_an_exception_inside_still_restores():
    before = torch.get_num_threads()
    try:
        with limited_threads(1, CPU):
            raise RuntimeError("boom")
    except RuntimeError:
        pass
    assert torch.get_num_threads() == before


def test_auto_takes_every_core_alone_and_one_thread_beside_another_job():
    torch.set_num_threads(2)
    inside, other_in, done = threading.Event(), threading.Event(), threading.Event()
    seen: dict[str, int] = {}

    def auto_job():
        with limited_threads(AUTO, CPU):
            seen["alone"] = torch.get_num_threads()
            inside.set()
            other_in.wait(10)
            follow_shared_count()  # what a trainer does between batches
            seen["shared"] = torch.get_num_threads()
            done.set()

    def other_job():
        inside.wait(10)
        with limited_threads(AUTO, CPU):
            other_in.set()
            done.wait(10)  # stays until the first job has looked

    threads = [threading.Thread(target=auto_job), threading.Thread(target=other_job)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(20)
    assert seen == {"alone": 2, "shared": 1}
    assert torch.get_num_threads() == 2
