import pytest
import torch

from engine.device import DEVICE_ENV_VAR, choose_device, describe_device
from engine.errors import LabError


def test_auto_follows_what_torch_sees(monkeypatch):
    monkeypatch.delenv(DEVICE_ENV_VAR, raising=False)
    expected = "cuda" if torch.cuda.is_available() else "cpu"
    assert choose_device().type == expected


def test_environment_variable_forces_the_cpu(monkeypatch):
    monkeypatch.setenv(DEVICE_ENV_VAR, " CPU ")
    assert choose_device() == torch.device("cpu")


def test_an_unknown_choice_names_the_variable_and_the_allowed_values(monkeypatch):
    monkeypatch.setenv(DEVICE_ENV_VAR, "tpu")
    with pytest.raises(LabError, match=f"{DEVICE_ENV_VAR}.*auto, cpu, cuda.*'tpu'"):
        choose_device()


@pytest.mark.skipif(torch.cuda.is_available(), reason="needs a machine without a GPU")
def test_forcing_cuda_without_a_gpu_explains_why_it_cannot():
    with pytest.raises(LabError, match="no GPU"):
        choose_device("cuda")


def test_cpu_description_names_threads():
    text = describe_device(torch.device("cpu"))
    assert text.startswith("CPU")
    assert f"{torch.get_num_threads()} torch threads" in text
