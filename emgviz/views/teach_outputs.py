"""What Teach shows under its figure: the sound, the onset score and the ways to take the lesson further.

Split from :mod:`emgviz.views.teach` (which wires the controls and the figure). Cold-open cost:
the two sound players (two WAVs fetched and decoded by the browser, and the WAVs resampled by the
server on every change) are made only after the teacher turns on **Prepare sound**; that toggle
then stays on for the session, so later changes rebuild the sound as before.
"""

from __future__ import annotations

import io
import json
import tempfile
from pathlib import Path

import streamlit as st

from .. import lesson
from .text import md
from ..audio import to_wav
from ..recording import Recording
from ..simulate import score_onsets

_TOLERANCE_S = 0.25
#: Sampling rate of the lesson's sound (Hz): EMG lies below 1 kHz, so 8 kHz loses nothing audible.
AUDIO_RATE = 8000
#: Session key of the "Prepare sound" toggle (UI state, not a lesson parameter: not in the URL).
SOUND_KEY = "teach_ui_sound_on"


def _k(name: str) -> str:
    return f"teach_{name}"


@st.cache_resource(max_entries=16, show_spinner=False)
def _wav(params_json: str, settings_json: str, which: str, channel: int, _x) -> bytes:
    return to_wav(_x, json.loads(params_json)["fs"], rate=AUDIO_RATE)


def _score_table(detected, truth):
    table = score_onsets(detected, truth, tolerance_s=_TOLERANCE_S)
    return table.rename(columns={"false_alarms": "false alarms", "mean_error_ms": "mean timing error (ms)",
                                 "mean_abs_error_ms": "mean |error| (ms)"})


def _markdown_table(table) -> str:
    """A small DataFrame as a Markdown table (numbers right-aligned, ms to one decimal, no value as HTML)."""
    from pandas.api.types import is_numeric_dtype

    def cell(v) -> str:
        if isinstance(v, float):
            return "–" if v != v else f"{v:.1f}"
        return md(v)  # escapes "|" too

    cols = list(table.columns)
    head = "| " + " | ".join(md(c) for c in cols) + " |"
    rule = "|" + "|".join("---:" if is_numeric_dtype(table[c]) else ":---" for c in cols) + "|"
    rows = ["| " + " | ".join(cell(v) for v in row) + " |" for row in table.itertuples(index=False)]
    return "\n".join([head, rule, *rows])


def _csv_bytes(rec: Recording) -> bytes:
    from ..io.write import write_file

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "simulated.csv"
        write_file(rec, path, format="csv")
        return path.read_bytes()


def _npz_bytes(rec: Recording) -> bytes:
    from ..io.npz import write_npz

    buf = io.BytesIO()
    write_npz(rec, buf)
    return buf.getvalue()


def _open_in_browser(params: dict) -> None:
    st.session_state["emgviz_sim_params"] = params
    st.session_state["source"] = "Synthetic"
    st.session_state["view"] = "Browse"


def listen(ls) -> None:
    """Sound of the drawn channel, raw and filtered, once the teacher asks for it."""
    st.markdown("##### Listen")
    on = st.toggle("Prepare sound", key=SOUND_KEY,
                   help="Make the two sound players (raw and filtered, 8 kHz WAV). Off, the page opens "
                        "faster and a change does not rebuild the sound.")
    a, b = st.columns(2)
    a.caption(f"Raw, as recorded: {lesson.hum_text(ls.values)}")
    b.caption(f"Filtered: {ls.processing}")
    if not on:
        return
    a.audio(_wav(ls.params_json, ls.settings_json, "raw", ls.channel, ls.rec.data[ls.channel]), format="audio/wav")
    b.audio(_wav(ls.params_json, ls.settings_json, "filtered", ls.channel, ls.filtered.data[ls.channel]),
            format="audio/wav")


def onsets(ls) -> None:
    st.markdown("##### Onsets found vs the truth")
    if ls.detect_error:
        raise ValueError(ls.detect_error)
    # Markdown: no table code for the browser to load and draw for a few rows
    st.markdown(_markdown_table(_score_table(ls.detected, ls.sim.truth.bursts)))
    st.caption(f"Detector: {ls.method}, on the filtered signal ({ls.processing}). A hit is a detected onset "
               f"within {_TOLERANCE_S * 1000:g} ms of a true one (where the drive reaches the first motor unit); "
               f"timing error = detected − true.")


def further(ls) -> None:
    st.markdown("##### Take it further")
    c = st.columns(3)
    rec = ls.rec
    c[0].download_button("Download CSV", data=lambda: _csv_bytes(rec), file_name="simulated_emg.csv",
                         mime="text/csv", key=_k("download_csv"), on_click="ignore")
    c[1].download_button("Download NPZ", data=lambda: _npz_bytes(rec), file_name="simulated_emg.npz",
                         mime="application/octet-stream", key=_k("download_npz"), on_click="ignore")
    c[2].button("Open in Browse", key=_k("open_browser"), on_click=_open_in_browser, args=(ls.params,),
                help="Load this simulated recording as the app's source and switch to Browse.")


