"""A quiet start for the kerasgan command: TensorFlow's C++ start-up log is kept off the terminal.

While it is imported, TensorFlow prints start-up lines (oneDNN, CUDA probing, CPU features)
from C++ straight to file descriptor 2, some before it reads TF_CPP_MIN_LOG_LEVEL, so no setting
silences them all: the command imports it with descriptor 2 pointed at a temporary file, and
prints that file only when the import fails. TF_CPP_MIN_LOG_LEVEL=3 then keeps the later C++ log
quiet too (the "failed call to cuInit" of a machine without a GPU). kerasgan/__init__.py calls
`for_the_command()` before anything imports TensorFlow; it does nothing in a Python program that
imports kerasgan, nor when the command is given --verbosity (absl's flag, also -v).
"""
import contextlib
import os
import sys
import tempfile

COMMAND = "kerasgan"
VERBOSITY_FLAGS = ("--verbosity", "-v", "--v")


def running_the_command():
    """Whether this process is the `kerasgan` command or `python -m kerasgan`."""
    if os.path.basename(sys.argv[0]) == COMMAND:
        return True
    argv = list(getattr(sys, "orig_argv", ()))  # python -m kerasgan: argv[0] is still "-m" while kerasgan imports
    return "-m" in argv and argv[argv.index("-m") + 1: argv.index("-m") + 2] == [COMMAND]


def verbosity_asked(argv):
    """Whether `argv` sets absl's --verbosity (or -v), asking for the libraries' logs."""
    return any(argument.split("=")[0] in VERBOSITY_FLAGS for argument in argv[1:])


@contextlib.contextmanager
def native_stderr_captured():
    """Points file descriptor 2 at a temporary file inside the block (the C++ logs of TensorFlow, the TFLite
    converter and LiteRT write there), and prints what it caught only when the block raises."""
    sys.stderr.flush()
    terminal = os.dup(2)
    with tempfile.TemporaryFile() as log:
        os.dup2(log.fileno(), 2)
        try:
            yield
        except BaseException:
            os.dup2(terminal, 2)
            log.seek(0)
            sys.stderr.write(log.read().decode(errors="replace"))
            raise
        finally:
            os.dup2(terminal, 2)
            os.close(terminal)


def import_tensorflow_quietly():
    """Imports TensorFlow with its C++ start-up lines captured; they are printed only if the import fails."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    with native_stderr_captured():
        import tensorflow  # noqa: F401


def for_the_command():
    """In the kerasgan command without --verbosity: imports TensorFlow quietly (see the module docstring)."""
    if running_the_command() and not verbosity_asked(sys.argv) and "tensorflow" not in sys.modules:
        import_tensorflow_quietly()
