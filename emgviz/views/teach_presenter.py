"""Teach presenter mode: one step per screen for a projector (1024×768), ← and → between steps.

Raw on the left, the current step on the right (traces above, spectra below), fonts of at
least 20 px, the sidebar and the app's header hidden so the figure fills the screen. The step
number is a lesson parameter (``teach_step``), so a link opens the presenter on a given step.
"""

from __future__ import annotations

import html

import streamlit as st

from ..plotting.lesson import PRESENTER_FONT_PX, PrebuiltFigure, presenter_spec
from ..plotting.spec_payload import canvas_payload

__all__ = ["render", "CSS"]

#: Page style in presenter mode: no sidebar or header, little padding, large text everywhere.
CSS = f"""<style>
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], [data-testid="stHeader"],
[data-testid="stToolbar"], [data-testid="stDecoration"] {{ display: none !important; }}
[data-testid="stMainBlockContainer"], .block-container {{ padding: 0.6rem 1.2rem 0.4rem 1.2rem !important;
  max-width: 100% !important; }}
[data-testid="stMain"] p, [data-testid="stMain"] button p {{ font-size: {PRESENTER_FONT_PX}px !important;
  line-height: 1.3 !important; }}
[data-testid="stMain"] p.teach-step-title {{ font-size: 30px !important; font-weight: 700; line-height: 1.2;
  margin: 0; }}
.teach-step-caption {{ font-size: {PRESENTER_FONT_PX}px; line-height: 1.3; margin: 0; }}
</style>"""


def _k(name: str) -> str:
    return f"teach_{name}"


def _go(delta: int, n_steps: int) -> None:
    step = int(st.session_state.get(_k("step"), 1)) + delta
    st.session_state[_k("step")] = max(1, min(n_steps, step))


def _exit() -> None:
    st.session_state[_k("presenter")] = False


def render() -> None:
    """Draw the current step full screen with Previous / Next (← / →) and Exit (Esc)."""
    from .teach import Lesson, draw_figure, lesson_values, use_plotly

    st.html(CSS)
    try:
        ls = Lesson(lesson_values())
    except Exception as exc:  # noqa: BLE001 - any failure is shown, never a traceback
        st.error(f"Cannot build the teaching example: {exc}")
        st.button("Exit presenter mode", key="teach_presenter_exit", on_click=_exit)
        return
    n = len(ls.panels)
    step = max(1, min(n, int(st.session_state.get(_k("step"), 1))))
    st.session_state[_k("step")] = step
    panel = ls.panels[step - 1]
    c_prev, c_title, c_next, c_exit = st.columns([1.5, 5, 1.5, 1], vertical_alignment="center")
    c_prev.button("◀ Back", key="teach_presenter_prev", on_click=_go, args=(-1, n), disabled=step == 1,
                  shortcut="Left", width="stretch", help="Previous step (←)")
    c_title.markdown(f"<p class='teach-step-title'>Step {step} of {n}: {html.escape(panel.title)}</p>",
                     unsafe_allow_html=True)
    c_next.button("Next ▶", key="teach_presenter_next", on_click=_go, args=(1, n), disabled=step == n,
                  shortcut="Right", width="stretch", help="Next step (→)")
    c_exit.button("Exit", key="teach_presenter_exit", on_click=_exit, shortcut="Esc", width="stretch",
                  help="Back to the full lesson (Esc)")
    try:
        spec = presenter_spec(ls.panels[0], panel, number=step)
        fig = (PrebuiltFigure(spec) if use_plotly()
               else canvas_payload(spec, rows=1, label=f"Step {step} of {n}: {panel.title}, beside the raw signal"))
    except ValueError as exc:  # e.g. a figure key the canvas does not draw: said, never a traceback
        st.error(f"Cannot draw this step: {exc}")
    else:
        draw_figure(fig, key_canvas="teach_presenter_canvas", key_chart="teach_presenter_chart",
                    config={"displayModeBar": False})
    st.markdown(f"<p class='teach-step-caption'>{html.escape(panel.caption)}</p>", unsafe_allow_html=True)
