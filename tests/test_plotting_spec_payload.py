"""The canvas payload of Teach's figures: every key the builders emit is drawn, the numbers round-trip."""

import base64
import json
import re
from pathlib import Path

import numpy as np
import pytest

from emgviz.pipeline import steps
from emgviz.plotting.lesson import lesson_spec, presenter_spec, step_panels
from emgviz.plotting.spec_payload import (DRAWN, NOT_NEEDED, canvas_payload, payload_array, rich_text_runs,
                                          spec_paths, unsupported)
from emgviz.settings import Settings
from emgviz.simulate import simulate

CANVAS_JS = Path(__file__).resolve().parents[1] / "emgviz" / "views" / "spec_canvas.py"


@pytest.fixture(scope="module")
def panels():
    sim = simulate(duration_s=6, n_channels=1, seed=3, artefacts={"mains": {"hz": 50, "amplitude": 100e-6}})
    s = Settings(notch_hz=50)
    return step_panels(steps(sim.recording, s), settings=s, hum_hz=50, true_onsets_s=[1.0, 3.2],
                       detected_onsets_s=[1.05])


@pytest.fixture(scope="module")
def specs(panels):
    """Every figure the two builders make for this lesson: the stack and each presenter step."""
    return [lesson_spec(panels)] + [presenter_spec(panels[0], p, number=i + 1) for i, p in enumerate(panels)]


def test_every_key_the_builders_emit_is_drawn_or_known_not_needed(specs):
    for spec in specs:
        assert unsupported(spec) == []
    used = {p for spec in specs for p in spec_paths(spec)}
    # the tables list nothing the builders never use (so they stay an honest list of the subset)
    assert set(DRAWN) | set(NOT_NEEDED) >= used
    assert len(used) >= 60


def test_the_canvas_script_reads_every_drawn_key():
    """Each drawn key's last name appears in the canvas' JavaScript (a key added to DRAWN must be drawn)."""
    js = CANVAS_JS.read_text()
    leaves = {p.split(".")[-1].replace("[]", "") for p in DRAWN}
    missing = sorted(k for k in leaves if not re.search(rf"\b{re.escape(k)}\b", js))
    assert missing == []


def test_a_key_the_canvas_does_not_draw_is_refused_by_name(specs):
    spec = json.loads(json.dumps({"data": [], "layout": {"xaxis2": {"type": "log"}, "legend": {"x": 1}}}))
    assert unsupported(spec) == ["layout.legend.x", "layout.xaxis.type"]
    with pytest.raises(ValueError, match=r"does not draw layout\.legend\.x, layout\.xaxis\.type"):
        canvas_payload(spec)
    bars = {"data": [{"type": "bar", "x": [1], "y": [2]}], "layout": {}}
    with pytest.raises(ValueError, match="scatter lines only"):
        canvas_payload(bars)


def test_the_lesson_payload_keeps_every_rows_ticks_titles_and_numbers(panels):
    spec = lesson_spec(panels)
    payload = json.loads(json.dumps(canvas_payload(spec, rows=len(panels))))    # as the browser gets it
    assert payload["meta"]["rows"] == len(panels) == 6
    for key, axis in spec["layout"].items():
        if key.startswith(("xaxis", "yaxis")):
            got = payload["layout"][key]
            assert got.get("ticktext") == axis.get("ticktext")
            np.testing.assert_allclose(got.get("tickvals", []), axis.get("tickvals", []))
            assert got.get("range") == axis.get("range") and got.get("domain") == axis.get("domain")
    assert [a["text"] for a in payload["layout"]["annotations"]] == [a["text"] for a in spec["layout"]["annotations"]]
    for sent, built in zip(payload["data"], spec["data"]):
        for k in ("x", "y"):
            got = payload_array(payload, sent[k])
            want = np.array([np.nan if v is None else v for v in built[k]], dtype=np.float32)
            np.testing.assert_array_equal(got, want)                    # bit for bit, gaps as NaN
        assert sent["line"] == built["line"] and sent["name"] == built["name"]
        assert "hovertemplate" not in sent


def test_arrays_are_float32_base64_sent_once_each(panels):
    spec = lesson_spec(panels)
    payload = canvas_payload(spec)
    raw = base64.b64decode(payload["arrays"][payload["data"][0]["y"]["a"]])
    assert raw == np.asarray(spec["data"][0]["y"], dtype="<f4").tobytes()
    refs = [tr[k]["a"] for tr in payload["data"] for k in ("x", "y") if isinstance(tr.get(k), dict)]
    assert len(payload["arrays"]) == len(set(refs)) < len(refs)          # shared arrays (spectra's freqs) once
    distinct = {np.asarray(tr[k], dtype="<f4").tobytes() for tr in spec["data"] for k in ("x", "y")
                if not isinstance(tr[k], list)}
    assert len(payload["arrays"]) == len(distinct)
    assert len(json.dumps(payload)) < 0.9 * len(json.dumps(_plotly_json(spec)))


def _plotly_json(spec):
    from emgviz.plotting.lesson import PrebuiltFigure

    return PrebuiltFigure(spec).to_dict()


def test_the_presenter_payload_keeps_its_large_fonts_and_shared_db_scale(panels):
    payload = canvas_payload(presenter_spec(panels[0], panels[3], number=4))
    lay = payload["layout"]
    sizes = [lay["font"]["size"]] + [a["tickfont"]["size"] for k, a in lay.items() if "axis" in k and "tickfont" in a]
    sizes += [a["font"]["size"] for a in lay["annotations"]]
    assert min(sizes) >= 20
    assert lay["yaxis4"]["matches"] == "y2"
    assert [a["text"] for a in lay["annotations"]] == ["<b>Raw</b>", "<b>4. Notch 50 Hz</b>"]


def test_rich_text_is_plain_runs_and_nothing_else_is_markup():
    assert rich_text_runs("spectrum · <span style='color:#E69F00'>band-pass gain</span>") == [
        ("spectrum · ", False, None), ("band-pass gain", False, "#E69F00")]
    assert rich_text_runs("<b>2. <img src=x onerror=alert(1)></b>") == [
        ("2. <img src=x onerror=alert(1)>", True, None)]                 # drawn as text by fillText
