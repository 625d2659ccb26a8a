"""The tensors of a TorchScript archive (torch.jit.save) or a zipped torch.save file, read without torch.

Hand-written because no maintained library reads these files without torch itself, and kerasgan
must not depend on torch. The format: a zip whose `<folder>/data.pkl` pickles the module tree
(protocol 2) and points, through persistent ids ("storage", type, key, location, numel), at the
raw little-endian tensor storages `<folder>/data/<key>`. Only the classes a weights file needs
are accepted; anything else in the pickle is refused, so reading runs no foreign code.
"""
import collections
import pickle
import zipfile

import numpy as np

# the storage classes torch names in the pickle, as numpy dtypes (little-endian on disk)
STORAGE_DTYPES = {
    "DoubleStorage": "<f8",
    "FloatStorage": "<f4",
    "HalfStorage": "<f2",
    "LongStorage": "<i8",
    "IntStorage": "<i4",
    "ShortStorage": "<i2",
    "CharStorage": "i1",
    "ByteStorage": "u1",
    "BoolStorage": "?",
}
# TorchScript wraps typed lists and dicts in these helpers; each returns its argument
IDENTITY_HELPERS = {"build_intlist", "build_doublelist", "build_boollist", "build_tensorlist", "build_genericlist"}


class _Module:
    """A scripted module (a `__torch__.*` class in the pickle): its attributes, tensors included."""

    def __setstate__(self, state):
        self.state = dict(state) if isinstance(state, dict) else {"state": state}


def _rebuild_tensor(storage, offset, size, stride, *unused):
    """A numpy copy of the tensor viewing `storage` (a flat numpy array) at `offset` with `size` and `stride`."""
    last = offset + sum((length - 1) * step for length, step in zip(size, stride))
    if min(size, default=1) > 0 and last >= len(storage):
        raise pickle.UnpicklingError(f"a tensor of size {tuple(size)} overruns its storage of {len(storage)}")
    itemsize = storage.itemsize
    view = np.lib.stride_tricks.as_strided(storage[offset:], shape=tuple(size), strides=[s * itemsize for s in stride])
    return np.array(view)


class _Unpickler(pickle.Unpickler):
    def __init__(self, archive, folder, handle):
        super().__init__(handle)
        self.archive, self.folder, self.storages = archive, folder, {}

    def find_class(self, module, name):
        if module.startswith("__torch__"):
            return _Module
        if module == "torch" and name in STORAGE_DTYPES:
            return STORAGE_DTYPES[name]
        if (module, name) in (("torch._utils", "_rebuild_tensor_v2"), ("torch._utils", "_rebuild_tensor")):
            return _rebuild_tensor
        if (module, name) == ("torch._utils", "_rebuild_parameter"):
            return lambda tensor, *unused: tensor
        if module == "torch.jit._pickle" and name in IDENTITY_HELPERS | {"restore_type_tag"}:
            return lambda value, *unused: value
        if (module, name) == ("collections", "OrderedDict"):
            return collections.OrderedDict
        raise pickle.UnpicklingError(f"unsupported class {module}.{name}")

    def persistent_load(self, pid):
        kind, dtype, key, _, numel = pid
        if kind != "storage" or not isinstance(dtype, str):
            raise pickle.UnpicklingError(f"unsupported storage {pid!r}")
        if key not in self.storages:
            raw = self.archive.read(f"{self.folder}/data/{key}")
            self.storages[key] = np.frombuffer(raw, dtype=dtype, count=numel)
        return self.storages[key]


def _collect(value, prefix, tensors):
    """Adds every numpy array under `value` (modules, dicts, lists) to `tensors` by dotted name."""
    if isinstance(value, np.ndarray):
        tensors[prefix] = value
    elif isinstance(value, _Module):
        _collect(getattr(value, "state", {}), prefix, tensors)
    elif isinstance(value, dict):
        for key, item in value.items():
            _collect(item, f"{prefix}.{key}" if prefix else str(key), tensors)
    elif isinstance(value, (list, tuple)):
        for index, item in enumerate(value):
            _collect(item, f"{prefix}.{index}" if prefix else str(index), tensors)


def read_tensors(path):
    """Every tensor of the TorchScript or zipped torch.save archive at `path`, as {dotted name: numpy array}.

    Args:
        path: a .pt file written by torch.jit.save (module tree: names such as "net.layers.conv.weight")
            or by torch.save in its default zip format (a state dict: its own keys).

    Raises ValueError on one line for anything else.
    """
    try:
        with zipfile.ZipFile(path) as archive:
            pickles = [name for name in archive.namelist() if name.count("/") == 1 and name.endswith("/data.pkl")]
            if not pickles:
                raise ValueError("it holds no <folder>/data.pkl")
            folder = pickles[0].split("/")[0]
            with archive.open(pickles[0]) as handle:
                root = _Unpickler(archive, folder, handle).load()
    except (OSError, zipfile.BadZipFile, KeyError, ValueError, EOFError, pickle.UnpicklingError, TypeError) as error:
        reason = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise ValueError(
            f"{path} is not a TorchScript archive ({reason}): pass a .pt file written by torch.jit.save or torch.save"
        ) from None
    tensors = {}
    _collect(root, "", tensors)
    return tensors
