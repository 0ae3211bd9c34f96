"""The Settings preset is named in every export (CSV provenance, batch header, CLI, comparison, HTML report,
the app's downloads) and reads back: ``# settings preset: needle``."""

import io
import json
import re

import numpy as np
import pandas as pd
import pytest

from apptest_utils import assert_no_exception, media, new_app  # noqa: F401
from emgviz.export import PRESET_KEY, preset_text, provenance_lines, provenance_preset, read_provenance, table_csv
from emgviz.settings import SETTINGS_PRESETS, Settings

TABLE = pd.DataFrame({"channel": ["TA"], "RMS (µV)": [12.5]})


@pytest.mark.parametrize("name", list(SETTINGS_PRESETS))
def test_every_preset_round_trips_through_the_csv(name):
    settings = Settings.from_preset(name)
    text = table_csv(TABLE, settings=settings, source_name="a.csv", sha256="00")
    prov = read_provenance(text)
    assert prov[PRESET_KEY] == name
    assert provenance_preset(prov) == name
    # the named preset gives back exactly the settings the file was made with
    assert Settings.from_preset(provenance_preset(prov)) == Settings.from_dict(prov["settings json"])
    assert pd.read_csv(io.StringIO(text), comment="#").equals(TABLE)


def test_custom_settings_say_so():
    prov = read_provenance("\n".join(provenance_lines(settings=Settings(notch_hz=50))))
    assert prov[PRESET_KEY] == "none (custom settings)" and provenance_preset(prov) is None
    assert provenance_preset(read_provenance("# emgviz 0.1.0 export\n# settings: x")) is None  # older files
    # a raised edge is not "lowered for the sampling rate": custom
    assert preset_text(Settings.from_preset("needle", high_hz=12000)) == "none (custom settings)"
    assert preset_text(Settings.from_preset("needle", low_hz=5)) == "none (custom settings)"


def test_the_effective_needle_settings_at_4_khz_still_name_the_preset():
    from emgviz.io import read_file
    from emgviz.pipeline import preprocess
    from emgviz.samples import sample_path

    rec = read_file(sample_path("emgdb-healthy"))
    eff = preprocess(rec, Settings.from_preset("needle")).settings
    assert eff.high_hz == pytest.approx(1900.0)  # 0.95 · fs/2
    text = preset_text(eff)
    assert text == "needle, with high_hz=1900 (the preset's 10000)"
    assert provenance_preset(read_provenance("\n".join(provenance_lines(settings=eff)))) == "needle"


def test_batch_cli_comparison_and_report_name_the_preset(tmp_path):
    from emgviz._cli_commands import features_csv
    from emgviz.batch.run import _header
    from emgviz.compare_export import comparison_csv
    from emgviz.recording import Recording
    from emgviz.report import report_html

    needle = Settings.from_preset("needle")
    assert "settings preset: needle" in _header(needle, [("RMS", "V")])
    assert read_provenance(comparison_csv(TABLE, needle))[PRESET_KEY] == "needle"

    rng = np.random.default_rng(3)
    path = tmp_path / "two.csv"
    path.write_text("# Sampling Rate (Hz):= 1000\nbiceps,triceps\n"
                    + "\n".join(f"{a:.6f},{b:.6f}" for a, b in rng.normal(0, 1e-4, (2000, 2))))
    text, _ = features_csv(path, settings=Settings())
    assert provenance_preset(read_provenance(text)) == "surface"
    text, _ = features_csv(path, settings=Settings(notch_hz=60))
    assert read_provenance(text)[PRESET_KEY] == "none (custom settings)"

    rec = Recording(rng.normal(0, 1e-4, (1, 3000)), fs=1000.0, ch_names=["TA"])
    page = report_html(rec, Settings(), file_name="a.csv", sha256="00", needle=False)
    assert re.search(r'<span id="settings-preset">surface</span>', page)
    feature_csv = re.search(r'<pre id="feature-csv">(.*?)</pre>', page, re.S).group(1)
    assert "# settings preset: surface" in feature_csv


def test_app_downloads_name_the_needle_preset(media):  # noqa: F811
    """The real app: a needle example, the proposed needle preset applied, every Summary download names it."""
    at = new_app(timeout=600)
    at.query_params["view"] = "Summary"
    at.run()
    at.radio(key="source").set_value("Needle examples").run()
    at.sidebar.button(key="use_needle_preset").click().run()
    assert_no_exception(at)
    assert not at.error, [e.value for e in at.error]
    for key in ("summary_dl_features", "summary_dl_bursts", "summary_dl_fatigue", "summary_dl_mups"):
        text = media(at.get_by_key(key).proto.url).content.decode("utf-8")
        prov = read_provenance(text)
        assert prov[PRESET_KEY] == "needle, with high_hz=1900 (the preset's 10000)", key
        assert provenance_preset(prov) == "needle"
        assert json.loads(json.dumps(prov["settings json"]))["low_hz"] == 10.0
    mups = pd.read_csv(io.BytesIO(media(at.get_by_key("summary_dl_mups").proto.url).content), comment="#")
    assert mups["Muscle"].iloc[0] == "tibialis anterior" and mups["MUPs"].iloc[0] >= 3
