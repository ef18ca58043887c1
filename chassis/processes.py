"""Child processes that never outlive the process that started them."""

import ctypes
import ctypes.util
import signal
import sys

_PR_SET_PDEATHSIG = 1
_libc = (
    ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True) if sys.platform == "linux" else None
)


def die_with_parent() -> None:
    """For `subprocess.Popen(preexec_fn=...)`: the kernel sends the child SIGTERM when its
    parent dies, however it dies (SIGKILL from a supervisor after a grace period included).
    Linux only; elsewhere the owner's clean-up is all there is."""
    if _libc is not None:
        _libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
