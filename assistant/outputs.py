"""Files a command writes (--out): checked before the work starts, written whole or not at all.

A missing folder is created; a folder, a path under a file, an unwritable place, or a full disk
is one line naming the path. A regular file is written beside itself and renamed into place, so a
disk that fills half-way leaves the previous file as it was.
"""

from __future__ import annotations

import errno
import os
import stat
import tempfile
from pathlib import Path


class OutputError(OSError):
    """The output cannot be written there; the message is one line naming the path."""


def output_problem(path: Path) -> str:
    """Why a file cannot be written there ("" when it can), checked before minutes of work."""
    folder = path.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        return f"cannot create the folder {folder} ({exc.strerror or exc})"
    if path.is_dir():
        return "is a folder"
    if not os.access(folder, os.W_OK | os.X_OK):
        return f"the folder {folder} is not writable"
    if path.exists() and not os.access(path, os.W_OK):
        return "the file is not writable"
    return ""


def check_output(path: Path) -> None:
    problem = output_problem(path)
    if problem:
        raise OutputError(f"--out {path}: {problem}")


def write_output(path: Path, text: str) -> None:
    """Write the text to the path whole (temporary file, then rename) or raise OutputError."""
    check_output(path)
    data = text.encode("utf-8")
    try:
        if path.exists() and not stat.S_ISREG(os.stat(path).st_mode):  # /dev/stdout and friends: write in place
            with open(path, "wb") as handle:
                handle.write(data)
            return
        handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(data)
                out.flush()
                os.fsync(out.fileno())
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
    except OSError as exc:
        reason = "the disk is full" if exc.errno == errno.ENOSPC else (exc.strerror or str(exc))
        raise OutputError(f"--out {path}: cannot write ({reason})") from None
