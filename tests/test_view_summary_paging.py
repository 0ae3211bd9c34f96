"""Summary of a wide file: 16 channels per screen (issue #14), every table, figure and download alike."""

import io

import numpy as np
import pandas as pd

from apptest_utils import assert_no_exception, media, new_app, plotly_spec  # noqa: F401

N_CH = 40
NAMES = [f"m{i:02d}" for i in range(N_CH)]


def _wide_csv() -> bytes:
    rng = np.random.default_rng(11)
    t = np.arange(3000) / 1000.0
    gate = ((t % 1.0) >= 0.5).astype(float)
    data = rng.normal(0, 1, (3000, N_CH)) * (5e-6 + 80e-6 * gate[:, None]) * np.linspace(0.5, 2.0, N_CH)[None, :]
    return ("# Sampling Rate (Hz):= 1000.00\n" + ",".join(NAMES) + "\n"
            + "\n".join(",".join(f"{v:.8f}" for v in row) for row in data)).encode()


def _drawn(at, key):
    spec = plotly_spec(at, key)
    names = set()
    for tr in spec["data"]:
        names.update(v for v in (tr.get("name"), tr.get("legendgroup")) if v in NAMES)
        for axis in ("x", "y"):
            vals = tr.get(axis)
            if isinstance(vals, list):
                names.update(v for v in vals if isinstance(v, str) and v in NAMES)
    return names


def test_summary_of_a_wide_csv_pages_16_channels(media):  # noqa: F811
    at = new_app(timeout=300)
    at.query_params["view"] = "Summary"
    at.run()
    at.radio(key="source").set_value("Upload").run()
    at.file_uploader(key="upload").set_value(("wide.csv", _wide_csv(), "text/csv")).run()
    assert_no_exception(at)
    assert not at.error, [e.value for e in at.error]
    page = at.number_input(key="summary_channel_page")
    assert page.max == 3 and "16 of 40 channels" in page.label

    def features():
        return next(d.value for d in at.dataframe if "channel" in d.value.columns and "MDF (Hz)" in d.value.columns)

    assert list(features()["channel"]) == NAMES[:16]
    assert _drawn(at, "summary_bars") == set(NAMES[:16])
    assert _drawn(at, "summary_heatmap") == set(NAMES[:16])
    assert set() < _drawn(at, "summary_envelopes") <= set(NAMES[:16])
    assert len([b for b in at.markdown if "-badge[" in b.value]) == 16

    at.number_input(key="summary_channel_page").set_value(3).run()
    assert_no_exception(at)
    assert list(features()["channel"]) == NAMES[32:]
    assert _drawn(at, "summary_bars") == set(NAMES[32:])
    assert any("Channels 33–40 of 40" in c.value for c in at.caption)
    csv = pd.read_csv(io.BytesIO(media(at.get_by_key("summary_dl_features").proto.url).content), comment="#")
    assert list(csv["channel"]) == NAMES[32:]
    # the page's numbers are the whole file's numbers for those channels (paging only selects)
    from emgviz.export import read_provenance
    from emgviz.features import feature_table
    from emgviz.io import read_bytes
    from emgviz.pipeline import preprocess
    from emgviz.settings import Settings

    text = media(at.get_by_key("summary_dl_features").proto.url).content.decode("utf-8")
    settings = Settings.from_dict(read_provenance(text)["settings json"])
    whole = feature_table(preprocess(read_bytes(_wide_csv(), "wide.csv"), settings).filtered).set_index("channel")
    np.testing.assert_allclose(csv["MDF (Hz)"].to_numpy(), whole.loc[NAMES[32:], "MDF (Hz)"].to_numpy(), rtol=1e-9)
    rms = next(c for c in csv.columns if c.startswith("RMS"))
    ratio = csv[rms].to_numpy() / whole.loc[NAMES[32:], next(c for c in whole.columns if c.startswith("RMS"))].to_numpy()
    np.testing.assert_allclose(ratio, ratio[0], rtol=1e-9)  # one display factor for every channel


def test_summary_page_computes_the_envelope_of_its_channels_only(monkeypatch):
    """Paging a wide file never computes the envelope of every channel (only the page's 16)."""
    from emgviz import pipeline

    sizes = []
    real = pipeline._envelope_all
    monkeypatch.setattr(pipeline, "_envelope_all", lambda f, s: sizes.append(f.n_channels) or real(f, s))
    at = new_app(timeout=300)
    at.query_params["view"] = "Summary"
    at.run()
    at.radio(key="source").set_value("Upload").run()
    sizes.clear()                            # (the bundled sample's 8 channels, shown before the upload)
    at.file_uploader(key="upload").set_value(("wide.csv", _wide_csv(), "text/csv")).run()
    assert_no_exception(at)
    at.number_input(key="summary_channel_page").set_value(2).run()
    assert_no_exception(at)
    # page 1, then page 2: the envelopes figure computes each channel's envelope in turn (envelope_channel),
    # never the envelope of every channel at once, not even the page's 16 (#21: memory)
    assert sizes == [], sizes
