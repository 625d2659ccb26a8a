"""Test setup: two logical CPU devices for MirroredStrategy, quiet TensorFlow logs, a private kerasgan cache per
test process, and the `slow` marker: `make test` (pytest -m "not slow") leaves those tests out, `make test-slow`
runs them."""
import os
import re

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
if int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1")) >= (os.cpu_count() or 1):
    # A worker per core: one thread each for TensorFlow's ops (and for the commands the tests start, which inherit
    # this), not a pool per worker as wide as the machine that the workers' pools then fight over.
    # tests/models/test_dcgan.py with -n 2 on 2 cores: 87 s instead of 102 s.
    os.environ.setdefault("TF_NUM_INTRAOP_THREADS", "1")
    os.environ.setdefault("TF_NUM_INTEROP_THREADS", "1")

import pytest  # noqa: E402
import tensorflow as tf  # noqa: E402

# Must run before TensorFlow initializes its devices, i.e. before any op. Under pytest-xdist every worker is a
# fresh process that imports this file before any test module, so each worker gets its own two devices; a worker
# where TensorFlow had already started would fail here with a RuntimeError rather than run on one device.
_cpus = tf.config.list_physical_devices("CPU")
tf.config.set_logical_device_configuration(_cpus[0], [tf.config.LogicalDeviceConfiguration()] * 2)


@pytest.fixture
def float32_after():
    """Restores keras' global dtype policy to float32 after the test."""
    import keras

    try:
        yield
    finally:
        keras.mixed_precision.set_global_policy("float32")


@pytest.fixture(scope="session", autouse=True)
def private_kerasgan_cache(tmp_path_factory):
    """$KERASGAN_CACHE -> an empty folder of this session (of this xdist worker: tmp_path_factory is per worker).

    Code given no cache_dir (and `kerasgan evaluate` run as a subprocess, which inherits the environment) would
    otherwise read and write ~/.cache/kerasgan: two workers converting the FID weights there at once can pair one's
    weights with the other's checksum, and a developer's old or damaged cache would change what the tests see.
    Tests that set KERASGAN_CACHE themselves (monkeypatch) still win, and get this value back afterwards.
    """
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("KERASGAN_CACHE", str(tmp_path_factory.mktemp("kerasgan_cache")))
        yield


# Tests that `make test` leaves to `make test-slow`, so that it stays well under 15 minutes on 2 cores: the long
# ones of `pytest -n 2 --durations=0`. A pattern is matched against the node id from the file name on,
# "test_x.py::test_name[params]", and only * is a wildcard: "*::test_name" still finds a test moved to another file.
# A pattern starting with "!" puts the tests it matches back in the fast tier (the last matching pattern decides).
# Patterns that match nothing (renamed or removed tests) are ignored; tests may also carry @pytest.mark.slow.
SLOW = [
    # the slow half of each model's contract is marked in tests/models (test_slow_contract); of the fast half,
    # WGAN-GP's takes ~30 s (critic steps with a second-order gradient): the fast tier keeps WGAN's as wgan_clip
    "*::test_contract[wgan_gp]",
    # the kerasgan command line in subprocesses: each starts TensorFlow, trains and exports (5-90 s)
    "*::test_kerasgan_trains_on_mnist_and_evaluates_with_the_inception_fid_offline",
    "*::test_the_command_line_trains_both_remedies_and_evaluates_them",
    "*::test_train_sample_and_export_a_translator[*",
    "*::test_train_each_image_model_for_one_epoch[*",
    "*::test_train_dann_on_the_moons_writes_its_decision_boundary_and_exports",
    "*::test_train_the_mlp_gan_on_a_gaussian_mixture",
    "*::test_a_translator_refuses_a_single_domain_dataset",
    "*::test_dann_needs_a_target_dataset",
    "test_cli.py::test_bad_input_is_one_line_and_exit_status_2[*",
    "*::test_bad_strategy_input_is_one_line_and_exit_status_2[*",
    "*::test_train_with_the_mirrored_strategy_in_mixed_precision",
    "*::test_kerasgan_evaluate_prints_and_writes_the_scores",
    "*::test_kerasgan_train_scores_quality_into_its_history",
    "*::test_a_run_killed_mid_epoch_resumes_from_its_last_checkpoint_and_ends_as_an_uninterrupted_one",
    "*::test_a_diverging_run_stops_with_one_line_and_keeps_only_good_checkpoints",
    "*::test_only_the_chief_writes_the_run_folder_and_the_serving_version",
    "*::test_two_workers_train_in_step_and_end_with_the_same_weights",
    "*::test_a_model_of_ones_own_trains_through_the_cli_from_a_recipe",
    "*::test_srgan_trains_upscales_and_exports_through_the_cli",
    "*::test_gan_int_cls_trains_and_draws_captions_through_the_cli",
    "*::test_context_encoder_trains_inpaints_and_exports_through_the_cli",
    "*::test_train_grows_progan_from_the_command_line",
    "*::test_the_flag_trains_and_exports_the_average",
    "*::test_evaluate_prints_real_datas_scores_beside_the_models",
    "*::test_export_writes_an_onnx_file_that_onnxruntime_runs_at_parity",
    "*::test_the_command_line_lists_the_presets_and_samples_from_one",
    "*::test_command_help_shows_that_commands_flags_and_the_named_models",
    "*::test_saved_model_runs_where_kerasgan_cannot_be_imported",
    "*::test_saved_model_cli_lists_the_signatures",
    # test_cli.py's module fixture `trained` (a DCGAN trained by the command line) and every test using it
    "test_cli.py::test_train_writes_the_run_folder_and_a_serving_version",
    "test_cli.py::test_train_refuses_to_overwrite_a_trained_model",
    "test_cli.py::test_sample_draws_a_grid_from_the_saved_model",
    "test_cli.py::test_export_writes_a_saved_model_version_and_tflite_files",
    # test_metrics.py's module fixture `trained` (the digits classifier, trained to 97 %) and every test using it
    "*::test_classifier_reaches_97_percent_on_held_out_digits",
    "*::test_classifier_outputs_probabilities_and_exposes_features",
    "*::test_shuffled_labels_give_chance_accuracy",
    "*::test_second_call_loads_the_cache",
    "*::test_cache_dir_defaults_to_kerasgan_cache",
    "*::test_corrupt_cache_is_retrained_with_a_warning",
    # training or converting in process (20-50 s each)
    "*::test_srresnet_learns_to_upscale_held_out_photo_crops",
    "*::test_gan_int_cls_learns_which_caption_fits_an_image_and_draws_what_a_caption_names",
    "*::test_a_run_resumed_across_a_fade_ends_exactly_as_an_uninterrupted_one",
    "*::test_each_step_runs_only_the_resolutions_at_its_level_and_trains_as_the_whole_networks",
    "*::test_one_trace_for_every_batch_size_image_size_and_channel_count",
    "*::test_features_match_the_original_torchscript_network",
    "*::test_a_run_under_mirrored_strategy_restores_its_whole_state_and_continues",
    "*::test_an_unusable_newest_checkpoint_is_passed_over_with_a_warning_naming_it",
    "*::test_a_half_written_checkpoint_is_never_seen_and_is_cleared_on_the_next_run",
    "*::test_cyclegan_generator_loss_adds_cycle_and_identity_terms",
    "*::test_cyclegan_translates_both_ways_and_exports_both_directions",
    "*::test_cyclegan_pools_fill_with_fakes_and_are_saved",
    "*::test_linear_decay_keeps_then_decays_the_rate_to_near_zero",
    "*::test_pix2pix_learns_a_fixed_mapping_better_than_the_input",
    "*::test_pix2pix_generator_loss_is_the_cgan_term_plus_weighted_l1",
    "*::test_wgan_reports_the_wasserstein_estimate_and_penalty",
    "*::test_wgan_clipping_keeps_every_critic_weight_in_bounds",
    "*::test_mlp_gan_trains_as_wgan_gp_on_a_mixture",
    "*::test_cgan_signatures_take_labels",
    "*::test_classifier_regularizers_reach_the_discriminator",
    "*::test_a_conditional_gan_unrolls_through_its_label_embedding",
    "*::test_the_ensemble_trains_on_images_and_evaluation_reports_its_profile",
    "*::test_quality_metrics_callback_scores_every_n_epochs_and_the_last",
    "*::test_fit_runs_with_xla",
    "*::test_fit_accepts_image_label_pairs_and_ignores_labels",
    "*::test_mixed_float16_wraps_optimizers_in_loss_scaling",
    "*::test_predict_features_and_target_validation_accuracy",
    "*::test_source_only_is_adaptation_with_zero_strength_and_the_reversal_changes_the_features",
    "*::test_sample_grid_on_a_non_chief_worker_draws_but_writes_nothing",
    # TFLite conversions: the quick tier keeps the smallest network and one quantization
    "*::test_converts_to_tflite_with_builtin_ops[unet]",
    "*::test_converts_to_tflite_with_builtin_ops[resnet]",
    "*::test_tflite_uses_builtins_only_and_matches_keras[*",
    "!*::test_tflite_uses_builtins_only_and_matches_keras[int8]",
    "*::test_int8_calibrates_on_given_representative_data",
    "*::test_tflite_refuses_ops_outside_the_builtins",
]


def _glob(pattern):
    return re.compile(".*".join(re.escape(part) for part in pattern.split("*")))


_SLOW = [(_glob(pattern.lstrip("!")), not pattern.startswith("!")) for pattern in SLOW]


def _is_slow(tail):
    slow = False
    for pattern, verdict in _SLOW:
        if pattern.fullmatch(tail):
            slow = verdict
    return slow


def pytest_collection_modifyitems(config, items):
    for item in items:
        if _is_slow(item.nodeid.rsplit("/", 1)[-1]):
            item.add_marker(pytest.mark.slow)
