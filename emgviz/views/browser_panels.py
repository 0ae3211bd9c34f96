"""Browse's optional panels under the page: the spectrum and spectrogram of the page, and its sound.

Each is built only when asked for (a toggle, or an open expander), so paging through a recording
never computes a spectrum or a WAV nobody looks at. Split out of :mod:`emgviz.views.browser`.
"""

from __future__ import annotations

import streamlit as st

from ..audio import to_wav
from ..plotting.browser import page_slice
from ..plotting.safe import plain_figure
from ..plotting.spectra import psd_figure, spectrogram_figure
from .context import ViewContext
from .plotly_component import plotly_chart
from .text import md

__all__ = ["spectrum_panel", "sound_panel", "SLOWDOWN_CHOICES"]

#: Sound slow-down factors offered.
SLOWDOWN_CHOICES = (1.0, 2.0, 4.0, 8.0)
_P = "browse_"
_SIGNALS = ("Raw", "Filtered")


def spectrum_panel(ctx: ViewContext, shown, channels, t: float, page_s: float) -> None:
    with st.expander("Spectrum and spectrogram of this page"):
        # an expander's body always runs: computed only when asked for, not on every page change
        if not st.toggle("Show the spectrum and spectrogram", key=_P + "spec_on"):
            return
        c1, c2, c3 = st.columns([3, 1, 2])
        ch = c1.selectbox("Channel", channels, key=_P + "spec_channel")
        db = c2.checkbox("dB", key=_P + "psd_db", value=True)
        show_resp = c3.checkbox("Overlay the filters' response", key=_P + "psd_response")
        if ch not in shown.ch_names:
            return
        sl = page_slice(shown, t, page_s, pad=0)
        x = shown.channel(ch)[sl]
        if x.size < 2:
            st.info("This page holds too few samples for a spectrum.")
            return
        try:
            view = f"{ch}|{t:.6f}|{page_s:g}|{db}"  # a new page, channel or scale resets a zoom
            plotly_chart(plain_figure(psd_figure(x, shown.fs, unit=shown.unit, db=db,
                                                 settings=ctx.settings if show_resp else None,
                                                 title=f"{ch}: power spectrum, {t:.2f}–{t + page_s:.2f} s")),
                         key=_P + "psd", uirevision=view)
            plotly_chart(plain_figure(spectrogram_figure(x, shown.fs, t0_s=shown.t0 + sl.start / shown.fs,
                                                         unit=shown.unit, title=f"{ch}: spectrogram")),
                         key=_P + "spectrogram", uirevision=view)
        except Exception as exc:  # noqa: BLE001
            st.error(md(f"Could not compute the spectrum: {exc}"))


def sound_panel(ctx: ViewContext, channels, t: float, page_s: float, has_processed: bool) -> None:
    panel = st.expander("Sound of this page", key=_P + "sound_open", on_change="rerun")
    if not panel.open:  # built only while open
        return
    with panel:
        c1, c2, c3, c4 = st.columns([3, 2, 2, 2], vertical_alignment="bottom")
        ch = c1.selectbox("Channel", channels, key=_P + "audio_channel")
        kind = c2.radio("Signal", _SIGNALS if has_processed else _SIGNALS[:1], key=_P + "audio_signal",
                        horizontal=True)
        slow = c3.selectbox("Slow down", SLOWDOWN_CHOICES, key=_P + "audio_slowdown",
                            format_func=lambda s: "real time" if s == 1 else f"{s:g}× slower")
        on = c4.toggle("Prepare sound", key=_P + "audio_on",
                       help="Builds a WAV of exactly this page (kept off so paging stays fast).")
        if not on:
            return
        src = ctx.processed.filtered if (kind == "Filtered" and has_processed) else ctx.rec
        sl = page_slice(src, t, page_s, pad=0)
        x = src.channel(ch)[sl]
        try:
            wav = to_wav(x, src.fs, slowdown=slow)
        except ValueError as exc:
            st.warning(md(f"No sound for this page: {exc}"))
            return
        start = src.t0 + sl.start / src.fs
        st.audio(wav, format="audio/wav")
        st.caption(md(f"{ch}, {kind.lower()}, {start:.3f}–{start + x.size / src.fs:.3f} s "
                   f"({x.size / src.fs * slow:.2f} s of sound"
                   + (f", {slow:g}× slower, pitch ÷{slow:g}" if slow != 1 else "") + "). Peak-normalised."))
