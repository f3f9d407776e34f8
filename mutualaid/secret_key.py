"""The embedded set-up's secret key: generated once, kept in the var folder, reused after.

A village PC running `make run` has nobody to invent a key; a fixed key in the repository would
let anyone forge sessions. The file is readable by its owner only.
"""

import contextlib
import os
import secrets
from pathlib import Path


def secret_key_from_file(path: Path) -> str:
    """The key stored at `path`, created there (mode 0600) on the first call.

    Web workers and the job runner may start at the same moment: the key is written to a
    private temporary file and linked into place, so every process reads one complete key.
    """
    try:
        return _read(path)
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "w") as handle:
            handle.write(secrets.token_urlsafe(50))
        with contextlib.suppress(FileExistsError):  # another process was first: use its key
            os.link(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
    return _read(path)


def _read(path: Path) -> str:
    key = path.read_text().strip()
    if len(key) < 50:
        raise ValueError(f"{path} holds no usable secret key; delete it to generate a new one")
    return key
