"""The page's sentiment job: checked before it starts, nothing saved without a store."""

import pytest

from engine.errors import LabError
from engine.sentiment.job import comparison_work
from engine.sentiment.train import TrainConfig


def test_an_unknown_model_is_refused_before_a_job_starts():
    with pytest.raises(LabError):
        comparison_work(["no-such-model"], None, dataset="d", config=TrainConfig(), glove=None, device=None, store=None)
