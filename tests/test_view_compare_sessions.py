"""Compare sessions in AppTest: mapping helpers survive renaming, prompts for uploads, link state."""

import io
import json

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from apptest_utils import assert_no_exception, media  # noqa: F401
from emgviz.views.compare_sessions import default_labels


def _host():
    """The UCI sample at twice its amplitude, its channels renamed EMG1..EMG8, is the loaded recording."""
    import hashlib

    from emgviz.io import read_file
    from emgviz.pipeline import preprocess
    from emgviz.samples import sample_path
    from emgviz.settings import Settings
    from emgviz.views import compare
    from emgviz.views.context import ViewContext

    rec = read_file(sample_path("uci-gestures"), unit="V")
    rec = rec.replace(data=rec.data * 2.0, source="renamed.csv",
                      ch_names=tuple(f"EMG{i + 1}" for i in range(rec.n_channels)))
    settings = Settings()
    digest = hashlib.sha256(b"uci-renamed").hexdigest()
    ctx = ViewContext(rec=rec, full=rec, processed=preprocess(rec, settings), settings=settings,
                      name="renamed.csv", digest=digest, description="test host", key=digest[:12])
    compare.render(ctx)


def _app(query=None):
    at = AppTest.from_function(_host, default_timeout=120)
    for k, v in (query or {}).items():
        at.query_params[k] = v
    return at.run()


def _muscles(at):
    table = next(d.value for d in at.dataframe if "Hedges' g" in d.value.columns)
    return sorted(set(table["muscle"]))


def test_default_labels_come_from_file_names_and_are_unique():
    assert default_labels(["pre.csv", "pre.edf", "x/post_ta.hea"]) == ["pre", "pre (2)", "post_ta"]


def test_match_by_order_pairs_renamed_channels_and_survives_renaming(media):  # noqa: F811
    at = _app()
    at.multiselect(key="compare_samples").set_value(["uci-gestures"]).run()
    assert_no_exception(at)
    assert any("No muscle is in every session" in w.value for w in at.warning)  # EMG1.. vs channel1..
    at.button(key="compare_match_order").click().run()
    assert_no_exception(at)
    assert _muscles(at) == sorted(f"EMG{i}" for i in range(1, 9))
    # renaming both sessions keeps the mapping (it is stored by file, not by label)
    at.text_input(key="compare_label_current").set_value("post").run()
    at.text_input(key="compare_label_sample_uci_gestures").set_value("pre").run()
    assert_no_exception(at)
    assert _muscles(at) == sorted(f"EMG{i}" for i in range(1, 9))
    text = media(at.get_by_key("compare_dl_table").proto.url).content.decode()
    table = pd.read_csv(io.StringIO(text), comment="#")
    post = table[(table["feature"] == "RMS (µV)") & (table["session"] == "post")]
    np.testing.assert_allclose(post["value"].to_numpy(),  # doubled amplitude: change +100 % vs "pre"
                               2 * table[(table["feature"] == "RMS (µV)") & (table["session"] == "pre")]["value"])
    from emgviz.export import read_provenance

    prov = read_provenance(text)
    assert prov["input 1"]["label"] == "post" and prov["input 2"]["label"] == "pre"
    assert prov["input 2"]["file"].startswith("uci_gestures") and len(prov["input 2"]["sha256"]) == 64
    assert prov["input 2"]["reader_options"] == {"unit": "V"}
    assert not table.isin(["None"]).any().any()


def test_the_link_restores_samples_labels_mapping_and_reference():
    at = _app()
    at.multiselect(key="compare_samples").set_value(["uci-gestures"]).run()
    at.button(key="compare_match_order").click().run()
    at.text_input(key="compare_label_sample_uci_gestures").set_value("day 1").run()
    at.selectbox(key="compare_reference").select("day 1").run()
    assert_no_exception(at)
    link = {k: at.query_params[k] for k in at.query_params if k.startswith("compare.")}
    link = {k: v[0] if isinstance(v, list) else v for k, v in link.items()}
    assert link["compare.samples"] == "uci-gestures" and link["compare.ref"] == "day 1"
    assert json.loads(link["compare.map"])["sample_uci_gestures"]["channel1"] == "EMG1"
    fresh = _app(link)  # a new browser session opening the link
    assert_no_exception(fresh)
    assert fresh.multiselect(key="compare_samples").value == ["uci-gestures"]
    assert fresh.text_input(key="compare_label_sample_uci_gestures").value == "day 1"
    assert fresh.selectbox(key="compare_reference").value == "day 1"
    assert _muscles(fresh) == sorted(f"EMG{i}" for i in range(1, 9))


def test_an_upload_without_a_rate_is_asked_for_it_in_the_page():
    at = _app()
    text = "\n".join(f"{np.sin(i / 3) * 1e-4:.6e}" for i in range(4000)).encode()
    at.file_uploader(key="compare_upload").set_value([("norate.txt", text, "text/plain")]).run()
    assert_no_exception(at)
    shown = " ".join(e.value for e in [*at.error, *at.info, *at.warning])
    assert "read_file" not in shown and "fs=" not in shown  # no Python advice for a GUI user
    from emgviz.views.compare_sessions import _upload_slot

    slot = _upload_slot("norate.txt")  # readable start + a hash of the whole name (#14: no key collisions)
    fs = at.number_input(key=f"compare_fs_{slot}")
    fs.set_value(1000.0).run()
    assert_no_exception(at)
    assert at.text_input(key=f"compare_label_{slot}").value == "norate"
    assert at.radio(key=f"compare_unit_{slot}").value == "a.u."  # the file states no unit: asked too
