"""Runs the shared contract (tests/contract.py) over every zoo model."""
import pytest

import contract

CASES = pytest.mark.parametrize("case", contract.CASES, ids=lambda case: case.name)


@CASES
def test_builds_with_pinned_parameter_count(case):
    contract.check_builds(case)


@CASES
def test_config_round_trip(case):
    contract.check_config_round_trip(case)


@CASES
def test_fit_updates_every_network(case):
    contract.check_fit_updates_every_network(case)


@CASES
def test_keras_round_trip_restores_optimizers(case, tmp_path):
    contract.check_keras_round_trip(case, tmp_path)


@CASES
def test_saved_model_export_matches_keras(case, tmp_path):
    contract.check_saved_model_export(case, tmp_path)


@CASES
def test_one_step_under_mirrored_strategy(case):
    contract.check_mirrored_step(case)
