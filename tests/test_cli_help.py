"""The command explains itself: `kerasgan --help`, `kerasgan <command> --help`, and no library log before a message."""
import os
import subprocess
import sys

import pytest

from kerasgan import cli, cli_help, quiet, registry

KERASGAN = os.path.join(os.path.dirname(sys.executable), "kerasgan")


def kerasgan(*arguments, env=None):
    return subprocess.run([KERASGAN, *arguments], capture_output=True, text=True, timeout=300, env=env or os.environ)


def test_help_lists_the_commands_and_every_model():
    result = kerasgan("--help")
    assert result.returncode == 0 and "Try --helpfull" not in result.stdout
    for command in cli.COMMANDS:
        assert f"\n  {command} " in result.stdout
    assert all(name in result.stdout for name in registry.names())


def test_command_help_shows_that_commands_flags_and_the_named_models():
    train = kerasgan("train", "--model=wgan", "--help")
    assert train.returncode == 0
    assert "--batch_size=64" in train.stdout and "--penalty" in train.stdout and "--normalization" in train.stdout
    assert "--signature" not in train.stdout and "--stderrthreshold" not in train.stdout  # export's, absl's
    export = kerasgan("export", "-h")
    assert "--signature=serving_default" in export.stdout and "--batch_size" not in export.stdout
    assert "--penalty" not in kerasgan("train", "--help").stdout  # no model named: no model flags


def test_every_flag_of_the_command_is_in_a_commands_help():
    grouped = {name for groups in cli_help.GROUPS.values() for names in groups.values() for name in names}
    defined = {flag.name for flag in cli.FLAGS.get_flags_for_module(cli.__name__)} - cli.MODEL_FLAGS  # the models' own
    assert defined - grouped == set()
    assert grouped - defined == set()


def test_an_error_is_the_first_line_without_tensorflows_start_up_log(tmp_path):
    env = {name: value for name, value in os.environ.items() if name != "TF_CPP_MIN_LOG_LEVEL"}
    result = kerasgan("sample", f"--model_path={tmp_path / 'missing.keras'}", env=env)
    assert result.returncode == 2
    assert result.stderr.splitlines() == [f"kerasgan: error: no such model file: {tmp_path / 'missing.keras'}"]


@pytest.mark.parametrize(
    "argv,asked", [(["kerasgan", "train"], False), (["kerasgan", "--verbosity=1"], True), (["kerasgan", "-v", "1"], True)]
)
def test_verbosity_asks_for_the_libraries_logs(argv, asked):
    assert quiet.verbosity_asked(argv) is asked


def test_the_quiet_start_is_only_for_the_command(monkeypatch):
    monkeypatch.setattr(sys, "argv", ["/usr/bin/python", "-c"])
    monkeypatch.setattr(sys, "orig_argv", ["python", "-c", "import kerasgan"])
    assert not quiet.running_the_command()
    monkeypatch.setattr(sys, "argv", ["/venv/bin/kerasgan", "train"])
    assert quiet.running_the_command()
    monkeypatch.setattr(sys, "argv", ["-m", "train"])
    monkeypatch.setattr(sys, "orig_argv", ["python", "-m", "kerasgan", "train"])
    assert quiet.running_the_command()
