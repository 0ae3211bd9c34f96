"""views.cache.read_cached starts loading the feature kernel (emgviz.td_kernel) for a large recording only (#21)."""

import numpy as np

from emgviz import td_kernel
from emgviz.recording import Recording
from emgviz.views import cache


def test_a_large_read_starts_the_kernel_warm_up_a_small_one_does_not(monkeypatch):
    started = []
    monkeypatch.setattr(td_kernel, "warm_up_async", lambda: started.append(True))
    sizes = {"small": 1000, "large": td_kernel.LOAD_MIN_VALUES}
    monkeypatch.setattr(cache, "read_files",
                        lambda files, fs=None, **o: Recording(np.zeros((1, sizes[files[0][0]])), fs=1000.0,
                                                              ch_names=["a"]))
    cache.read_cached("td-small", ("small",), None, "{}", (("small", b""),))
    assert started == []
    cache.read_cached("td-large", ("large",), None, "{}", (("large", b""),))
    assert started == [True]
