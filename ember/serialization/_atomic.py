"""Atomic file replacement: a crash or an exception mid-save leaves the previous file intact.

Write to a temp file in the destination's directory, flush, fsync, ``os.replace`` over the destination,
fsync the directory.  ``torch.save`` writes in place, so a kill mid-write leaves a 0-byte checkpoint
(CHECKPOINT-FORMAT.md 5.3).  A SIGKILL can still leave the temp file behind: it is named
``.tmp-<name>-XXXXXXXX`` next to the destination and is safe to delete.
"""
from __future__ import annotations

import contextlib
import os
import stat
import tempfile

__all__ = ["atomic_write", "TEMP_PREFIX"]

TEMP_PREFIX = ".tmp-"


def _umask() -> int:
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o022)   # the portable way is racy across threads; only used off Linux
    os.umask(mask)
    return mask


def _fsync_dir(directory: str) -> None:
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


@contextlib.contextmanager
def atomic_write(path):
    """``with atomic_write(path) as fh:`` yields a binary file; the destination changes only on success.

    The new file gets the destination's permission bits if it exists, else ``0o666 & ~umask`` (mkstemp's
    0600 would otherwise leak into every checkpoint).  A symlink destination is written through.
    """
    path = os.fspath(path)
    if isinstance(path, bytes):
        path = os.fsdecode(path)
    real = os.path.realpath(path) if os.path.islink(path) else path
    directory = os.path.dirname(os.path.abspath(real))
    if not os.path.isdir(directory):
        # torch's type and text; it names the directory as the caller spelled it
        raise RuntimeError(f"Parent directory {os.path.dirname(path) or directory} does not exist.")
    try:
        mode = stat.S_IMODE(os.stat(real).st_mode)
    except FileNotFoundError:
        mode = 0o666 & ~_umask()
    fd, tmp = tempfile.mkstemp(prefix=f"{TEMP_PREFIX}{os.path.basename(real)}-", dir=directory)
    try:
        os.fchmod(fd, mode)
        with os.fdopen(fd, "wb") as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, real)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    _fsync_dir(directory)
