"""Numbered versions under a model base path, written atomically (TF Serving's layout)."""
import errno
import os
import shutil
import tempfile


def existing_versions(base_path):
    """The integer-named entries of `base_path`, newest first ([] when it is not a folder)."""
    if not os.path.isdir(base_path):
        return []
    return sorted((int(entry) for entry in os.listdir(base_path) if entry.isdigit()), reverse=True)


def next_version(base_path):
    """1 + the largest integer-named folder in `base_path` (1 when there is none)."""
    return max(existing_versions(base_path), default=0) + 1


def write_version(base_path, version, write):
    """Calls `write(tmp_dir)` then renames tmp_dir to base_path/version; returns that path.

    Never overwrites: an existing version raises FileExistsError. A crash inside `write`
    leaves only a hidden temporary folder, which TF Serving ignores, and removes it. With
    version=None, a number another export takes meanwhile passes to the next free one.
    """
    if os.path.exists(base_path) and not os.path.isdir(base_path):
        raise FileExistsError(f"{base_path} is a file: the export base path must be a folder")
    numbered = version is None
    if numbered:
        version = next_version(base_path)
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise ValueError(f"version must be a positive integer (TF Serving's numbered folders), got {version!r}")
    target = os.path.join(base_path, str(version))
    if os.path.exists(target):
        raise FileExistsError(f"{target} already exists: exports never overwrite a version; pass another version")
    os.makedirs(base_path, exist_ok=True)
    staging = tempfile.mkdtemp(prefix=f".tmp-{version}-", dir=base_path)
    try:
        write(staging)
        os.chmod(staging, 0o755)  # mkdtemp makes it private; the server may run as another user
        target = _rename_unless_taken(staging, target, numbered)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return target


def _rename_unless_taken(staging, target, numbered):
    """Renames staging to target; if a concurrent export took target, the next free number when
    `numbered`, else FileExistsError. Returns the path written."""
    while True:
        try:
            os.rename(staging, target)  # onto a non-empty folder: fails, never merges or replaces
            return target
        except OSError as error:
            if error.errno not in (errno.EEXIST, errno.ENOTEMPTY):
                raise
            if not numbered:
                raise FileExistsError(
                    f"{target} was written by another export meanwhile: exports never overwrite a version; "
                    "pass another version"
                ) from None
            target = os.path.join(os.path.dirname(target), str(next_version(os.path.dirname(target))))
