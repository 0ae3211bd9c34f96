"""ViewContext: what every view receives (recording, processing, settings, reader options)."""

import numpy as np


# ---- reader options ------------------------------------------------------------------------------
def test_view_context_carries_the_reader_options():
    from emgviz.recording import Recording
    from emgviz.settings import Settings
    from emgviz.views.context import ViewContext

    rec = Recording(np.zeros((1, 100)), fs=100.0, ch_names=["a"])
    plain = ViewContext(rec=rec, full=rec, processed=None, settings=Settings(), name="a.csv", digest="0" * 64,
                        description="", key="k")
    assert plain.read_kwargs == {}
    typed = ViewContext(rec=rec, full=rec, processed=None, settings=Settings(), name="a.csv", digest="0" * 64,
                        description="", key="k", read_options={"fs": 1000.0, "options": {"unit": "mV"}})
    assert typed.read_kwargs == {"fs": 1000.0, "unit": "mV"}
    assert typed.settings_key == plain.settings_key and '"high_hz"' in typed.settings_key
