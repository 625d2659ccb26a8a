"""MultiWorkerMirroredStrategy over two local worker processes: the same weights everywhere,
and through `kerasgan train --strategy=multi_worker`, files written by the chief alone.

Each worker is a fresh process (conftest's split of the CPU does not reach it) with its own
TF_CONFIG; both are bounded in time and always killed and reaped.
"""
import json
import os
import socket
import subprocess
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
KERASGAN = os.path.join(os.path.dirname(sys.executable), "kerasgan")
TIMEOUT = 180  # seconds for the two workers together
TINY = ["--dataset=digits", "--image_size=16", "--num_samples=64", "--batch_size=16", "--filters=8", "--latent_dim=8"]


def free_ports(count):
    """`count` distinct ports free on 127.0.0.1 now (bound together to port 0, then released)."""
    sockets = [socket.socket() for _ in range(count)]
    try:
        for sock in sockets:
            sock.bind(("127.0.0.1", 0))
        return [sock.getsockname()[1] for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()


def run_workers(command, folder, count=2):
    """Runs `command` as each of `count` workers of one cluster; returns [(pid, returncode, stdout, stderr)].

    Output goes to files in `folder` (a pipe left unread could block one worker, and with it the
    other's collectives). Workers still running at the deadline, or once another has failed, are
    killed (returncode < 0).
    """
    os.makedirs(folder, exist_ok=True)
    workers = [f"127.0.0.1:{port}" for port in free_ports(count)]
    processes, files = [], []
    try:
        for index in range(count):
            config = {"cluster": {"worker": workers}, "task": {"type": "worker", "index": index}}
            env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2", "TF_CONFIG": json.dumps(config)}
            out = open(os.path.join(folder, f"worker_{index}.out"), "w")
            err = open(os.path.join(folder, f"worker_{index}.err"), "w")
            files += [out, err]
            processes.append(subprocess.Popen(command, env=env, stdout=out, stderr=err, text=True))
        deadline = time.monotonic() + TIMEOUT
        while time.monotonic() < deadline:
            codes = [process.poll() for process in processes]
            if None not in codes or any(code for code in codes):  # all done, or one failed: the rest would wait
                break
            time.sleep(0.2)
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()
            process.wait()
        for handle in files:
            handle.close()
    results = []
    for index, process in enumerate(processes):
        with open(os.path.join(folder, f"worker_{index}.out")) as out, open(os.path.join(folder, f"worker_{index}.err")) as err:
            results.append((process.pid, process.returncode, out.read(), err.read()))
    return results


def report(results):
    """The workers' exit codes and the ends of their output, for assertion messages."""
    return "\n".join(
        f"--- worker {index}: exit {code}\nstdout: {out[-2000:]}\nstderr: {err[-4000:]}"
        for index, (_, code, out, err) in enumerate(results)
    )


def test_two_workers_train_in_step_and_end_with_the_same_weights(tmp_path):
    results = run_workers([sys.executable, os.path.join(HERE, "multi_worker_fit.py"), str(tmp_path)], tmp_path / "stdio")
    assert [code for _, code, _, _ in results] == [0, 0], report(results)
    first, second = (np.load(tmp_path / f"worker_{index}.npz") for index in range(2))
    assert bool(first["chief"]) and not bool(second["chief"])
    assert list(first["iterations"]) == [4, 4] and list(second["iterations"]) == [4, 4]  # 64 images, global batch 16
    assert sorted(first.files) == sorted(second.files)
    for name in (name for name in first.files if name != "chief"):  # every weight, step count and sample
        np.testing.assert_array_equal(first[name], second[name], err_msg=name)
    assert first["samples"].shape == (4, 16, 16, 1)  # a distributed predict: both workers get every sample


def test_only_the_chief_writes_the_run_folder_and_the_serving_version(tmp_path):
    """CGAN: its (images, labels) batches also take the nested reduce of distribute._MultiWorkerMirroredStrategy."""
    run, exports = tmp_path / "run", tmp_path / "saved_models"
    command = [KERASGAN] if os.path.exists(KERASGAN) else [sys.executable, "-m", "kerasgan.cli"]
    command += ["train", "--strategy=multi_worker", "--model=cgan", *TINY, "--epochs=2", f"--output_dir={run}", f"--export_dir={exports}"]
    results = run_workers(command, tmp_path / "stdio")
    assert [code for _, code, _, _ in results] == [0, 0], report(results)
    (chief_pid, _, chief_out, _), (_, _, worker_out, _) = results
    assert "SavedModel:" in chief_out and "non-chief worker" in worker_out, report(results)
    assert sorted(os.listdir(tmp_path)) == ["run", "saved_models", "stdio"]  # no temporary folder left
    written = sorted(os.path.relpath(os.path.join(root, name), run) for root, _, names in os.walk(run) for name in names)
    events = [path for path in written if os.path.basename(path).startswith("events.out.tfevents.")]
    # A finished run keeps its last checkpoint; the default cadence draws the grid of the last epoch.
    checkpoints = [os.path.join("checkpoints", f"step-{8:09d}", name) for name in ("model.weights.h5", "state.json")]
    assert [path for path in written if path not in events] == checkpoints + [
        "history.json", "loss_curve.png", "model.keras", "run.flags", "samples.png", os.path.join("samples", "epoch_0002.png"),
    ]
    # TensorBoard's epoch scalars and SampleGrid's images, one file each; the name ends <pid>.<n>.v2
    assert sorted(os.path.dirname(path) for path in events) == [os.path.join("logs", "samples"), os.path.join("logs", "train")]
    assert {int(os.path.basename(path).split(".")[-3]) for path in events} == {chief_pid}
    assert os.listdir(exports) == ["cgan"] and os.listdir(exports / "cgan") == ["1"]
    history = json.loads((run / "history.json").read_text())
    assert len(history["g_loss"]) == 2 and all(np.isfinite(history["g_loss"]))
