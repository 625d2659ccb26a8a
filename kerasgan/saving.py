"""Writing user artifacts so that a crash never leaves a half-written file."""
import os
import tempfile


def save_atomically(model, path):
    """model.save to a temporary file in the same folder, then renames it over `path`."""
    folder, name = os.path.split(os.path.abspath(path))
    handle, partial = tempfile.mkstemp(prefix=f".{name}.", suffix=".keras", dir=folder)
    os.close(handle)
    try:
        model.save(partial)
        os.replace(partial, path)
    finally:
        if os.path.exists(partial):
            os.remove(partial)
