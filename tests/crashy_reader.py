"""A stand-in native reader for the isolation tests: it crashes, hangs or eats memory on request.

The content of the "file" says what to do: ``b"segfault"``, ``b"hang"``, ``b"eat"`` or anything
else (a one-channel recording of the bytes).
"""

import ctypes
import time

import numpy as np

from emgviz.recording import Recording

FORMAT = "test reader"


def read(content: bytes, name: str, *, fs=None):
    if content == b"segfault":
        ctypes.string_at(0)  # reads address 0: SIGSEGV, like ezc3d on a damaged C3D
    if content == b"hang":
        time.sleep(3600)
    if content == b"eat":
        blocks = []
        while True:  # grows until the address-space limit stops it
            blocks.append(np.ones(64 * 1024 ** 2 // 8))
    data = np.frombuffer(content, dtype=np.uint8).astype(float)[np.newaxis]
    return Recording(data, fs=fs or 100.0, ch_names=["bytes"], events=[(0.01, "start")])
