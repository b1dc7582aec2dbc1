"""Writing files in a store so that a crash never leaves one half-written, and keeping the temporary copies of
an interrupted write out of git."""

import os
import tempfile
from pathlib import Path

from crmctl.kernel.errors import StoreError

LEFTOVER_PATTERN = ".*.tmp"  # the temporary copies `atomic_write` makes, as a .gitignore line


def ignore_leftovers(root):
    """The store's .gitignore keeps the temporary copies of a crashed write (`.ID.yaml.*.tmp`) out of git."""
    path = Path(root) / ".gitignore"
    try:
        text = path.read_text(encoding="utf-8") if path.exists() else ""
        if LEFTOVER_PATTERN not in text.splitlines():
            path.write_text(text + ("" if not text or text.endswith("\n") else "\n") + LEFTOVER_PATTERN + "\n",
                            encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        pass  # an unreadable or unwritable .gitignore is the user's; the write itself goes on


def atomic_write(path, data, sync=True):
    """Temp file in the same directory, fsync, rename: never a half-written file.

    CRMCTL_FSYNC=0 skips the fsync; it exists only so the test suite need not wait
    for the disk (a crash could then lose the write). Production always fsyncs.
    `sync=False` leaves the fsync to the caller: a journal that covers many files
    makes them durable together, once all are written (see journal.commit).
    """
    path = Path(path)
    temp = None
    try:
        fd, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        with os.fdopen(fd, "wb") as handle:
            # mkstemp makes the file 0600; a store shared by a group needs the mode the umask gives other files.
            os.chmod(temp, 0o666 & ~umask())
            handle.write(data)
            handle.flush()
            if sync and os.environ.get("CRMCTL_FSYNC") != "0":
                os.fsync(handle.fileno())
        os.replace(temp, path)
    except BaseException as err:
        if temp is not None and os.path.exists(temp):
            os.unlink(temp)
        if isinstance(err, OSError):  # a full disk, a read-only store: the file is as it was, say which
            raise StoreError(code="store.cannot_write", path=path, reason=err.strerror or err) from None
        raise


def umask():
    mask = os.umask(0o022)  # reading the umask means setting it: set it straight back
    os.umask(mask)
    return mask


def file_bytes(path):
    """A file's bytes through its descriptor: a buffered file object per file was half the cost of reading a
    fresh clone's records."""
    descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_BINARY", 0))  # O_BINARY: no newline translation on Windows
    try:
        parts = []
        while True:
            part = os.read(descriptor, 65536)
            if not part:
                return parts[0] if len(parts) == 1 else b"".join(parts)
            parts.append(part)
    finally:
        os.close(descriptor)
