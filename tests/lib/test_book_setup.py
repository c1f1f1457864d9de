import numpy as np
import pytest
import torch

from replib.book.setup import (
    DataMissingError,
    GPUUnavailableError,
    ParameterError,
    ProfileError,
    setup,
)

SCALES = {"ci": {"seeds": [0, 1], "T": 10}, "full": {"seeds": [0, 1, 2], "T": 100}}


def test_unknown_profile_names_the_choices():
    with pytest.raises(ProfileError, match=r"unknown profile 'fast'.*\['ci', 'full'\]"):
        setup("x", "fast", scales=SCALES)


def test_unknown_parameter_names_the_known_ones():
    with pytest.raises(ParameterError, match=r"unknown parameter\(s\) \['TT'\].*\['T', 'seeds'\]"):
        setup("x", "ci", scales=SCALES, overrides={"TT": 3})


def test_profile_defaults_and_overrides():
    run = setup("x", "ci", scales=SCALES, overrides={"T": None, "seeds": [5, 6, 7]})
    assert run.params.T == 10 and run.params.source("T") == "profile"
    assert run.seeds == (5, 6, 7) and run.params.source("seeds") == "override"
    assert run.device == "cpu" and run.budget_s == 60


@pytest.mark.parametrize("seeds", [[], [1, 1], [-1], "0", [0.5]])
def test_bad_seeds_are_refused(seeds):
    with pytest.raises(ParameterError, match="seeds"):
        setup("x", "ci", scales=SCALES, overrides={"seeds": seeds})


def test_profiles_must_declare_the_same_parameters():
    with pytest.raises(ParameterError, match="different parameters"):
        setup("x", "ci", scales={"ci": {"seeds": [0]}, "full": {"seeds": [0], "T": 1}})


def test_validate_stops_with_the_parameter_name():
    with pytest.raises(ParameterError, match=r"parameter T=10 is not allowed: expected an odd"):
        setup("x", "ci", scales=SCALES, validate=lambda r: r.check("T", r.params.T % 2 == 1,
                                                                   "an odd integer"))


@pytest.mark.skipif(torch.cuda.is_available(), reason="checks the no-GPU message")
def test_gpu_only_paths_refuse_without_cuda():
    with pytest.raises(GPUUnavailableError, match="needs a CUDA GPU"):
        setup("x", "full", scales=SCALES, needs_gpu=True)
    run = setup("x", "ci", scales=SCALES)
    with pytest.raises(GPUUnavailableError, match="the kernel benchmark needs a CUDA GPU"):
        run.require_gpu("the kernel benchmark")


@pytest.mark.skipif(torch.cuda.is_available(), reason="checks the CPU fallback warning")
def test_full_without_gpu_warns_and_runs_on_cpu():
    with pytest.warns(UserWarning, match="prefers a GPU"):
        run = setup("x", "full", scales=SCALES)
    assert run.device == "cpu"


def test_missing_data_says_how_to_get_it(tmp_path):
    run = setup("x", "ci", scales=SCALES)
    with pytest.raises(DataMissingError, match="To get it: run make-ipinyou-data"):
        run.require_data(tmp_path / "nope", how_to_get="run make-ipinyou-data")
    assert run.require_data(tmp_path, how_to_get="-") == tmp_path


def test_seeding_is_deterministic():
    def draw():
        run = setup("x", "ci", scales=SCALES, overrides={"seeds": [3]})
        return np.random.rand(), torch.rand(2).tolist(), run.rng.random()

    assert draw() == draw()
