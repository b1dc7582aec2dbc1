"""The store's write lock: one exclusive lock on `.cache/lock`, from the standard library on every platform.

POSIX has `fcntl.flock`, Windows `msvcrt.locking`; both are taken without blocking and retried until the
timeout, so a waiter can say who holds the lock. Both locks die with their process, so a killed writer never
leaves a stale lock. Where neither exists, an exclusively created file stands in (it must be removed by hand after
a crash, which is why it is only the last resort). Nothing is imported at module level: the package imports
wherever Python runs.
"""

import os
import socket
import sys
import time

from crmctl.kernel.errors import UsageError

DEFAULT_TIMEOUT = 30.0
RETRY_SECONDS = 0.05


class LockTimeout(Exception):
    """The lock stayed taken for the whole timeout."""


def timeout_seconds():
    """Seconds to wait for the lock: $CRMCTL_LOCK_TIMEOUT, else 30."""
    text = os.environ.get("CRMCTL_LOCK_TIMEOUT", "").strip()
    try:
        return max(0.0, float(text)) if text else DEFAULT_TIMEOUT
    except ValueError:
        raise UsageError(code="store.bad_lock_timeout", text=text) from None


def _try_lock(fd):
    """Take the lock on `fd` without waiting: True when taken."""
    try:
        import fcntl
    except ImportError:
        fcntl = None
    if fcntl is not None:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except OSError:
            return False
    import msvcrt  # only reached where fcntl is missing; ImportError there means neither exists

    try:
        msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        return True
    except OSError:
        return False


class ExclusiveLock:
    """An exclusive lock on the file `path`, held from `acquire()` to `release()`."""

    def __init__(self, path):
        self.path = str(path)
        self.soft_path = self.path + ".soft"
        self.fd = None
        self.soft = False

    def acquire(self, timeout):
        deadline = time.monotonic() + timeout
        while not self._try():
            if time.monotonic() >= deadline:
                raise LockTimeout(self.path)
            time.sleep(RETRY_SECONDS)

    def _try(self):
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o666)
        try:
            taken = _try_lock(fd)
        except ImportError:  # neither fcntl nor msvcrt: an exclusively created file stands in
            os.close(fd)
            return self._try_soft()
        if taken:
            self.fd = fd
        else:
            os.close(fd)
        return taken

    def _try_soft(self):
        try:
            os.close(os.open(self.soft_path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o666))
        except FileExistsError:
            return False
        self.soft = True
        return True

    def release(self):
        if self.soft:
            self.soft = False
            os.unlink(self.soft_path)
        elif self.fd is not None:
            os.close(self.fd)  # closing the descriptor releases flock and msvcrt locks alike
            self.fd = None


def write_holder(path):
    """Who holds the lock, for those who wait for it: process id, host and command."""
    try:
        path.write_text(f"{os.getpid()} {socket.gethostname()} {' '.join(sys.argv[:4])}\n", encoding="utf-8")
    except OSError:
        pass  # the lock works without it; only the message of a waiter is poorer


def read_holder(path):
    try:
        return path.read_text(encoding="utf-8").strip() or "?"
    except OSError:
        return "?"
