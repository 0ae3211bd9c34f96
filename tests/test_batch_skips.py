"""`batch` over a folder skips licence and documentation texts with a note, and reads the rest."""

import pandas as pd

from emgviz.batch import find_recordings, not_a_recording
from emgviz.cli import main


def test_bundled_sample_folder_skips_the_licence_texts(sample_dir, tmp_path, capsys):
    found = {p.name for p in find_recordings(sample_dir)}
    assert "BioSPPy_BSD-3-Clause.txt" not in found and "kineticstoolkit_NOTICE.txt" not in found
    assert "kineticstoolkit_Apache-2.0.txt" not in found
    assert {"emg_healthy.hea", "biosppy_emg_1.txt"} <= found
    out = tmp_path / "f.csv"
    assert main(["batch", str(sample_dir), "-o", str(out), "-q", "--workers", "1"]) == 0
    err = capsys.readouterr().err
    assert err.count("skipped:") >= 3 and "LICENSES" in err and "failed" not in err
    assert pd.read_csv(out, comment="#")["file"].nunique() == len(found)


def test_recordings_named_like_notes_are_still_read():
    assert not_a_recording("s01/notice_task_emg.csv") is None  # a word inside a name is not a notice
    assert not_a_recording("data/README.txt") and not_a_recording("LICENCES/x.csv")
