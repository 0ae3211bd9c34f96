"""The Live view's streaming display: scrolling traces and biofeedback bars drawn on one HTML canvas.

Why not Plotly while streaming: Streamlit gives a ``st.plotly_chart`` a new element id whenever
its figure changes, so the browser throws the chart away and builds a new one (``Plotly.newPlot``,
a new SVG tree) on every redraw; with two charts that was most of the browser's work and kept
the page at 1–2 redraws a second. A ``st.components.v2`` component with a fixed ``key`` stays
mounted: each redraw only hands it new numbers and it repaints one canvas (a few ms). The
lines and bars are computed in Python (:func:`emgviz.plotting.live.live_traces_payload`,
:func:`emgviz.plotting.live.rms_bars_payload`); the script below only draws them.

Names from files or the network are drawn with ``fillText`` (plain text; no markup). After each
paint the canvas carries ``data-t-last`` (the newest time stamp drawn), read by the browser test
and the latency benchmark. The sweeps' title is drawn in the largest bold font from 14 px down to
11 px in which it fits the canvas (:data:`FIT_FONT_JS`), then squeezed by ``fillText``'s maxWidth if
still too long; ``data-title-font`` and ``data-title-width`` record the size and width drawn.
"""

from __future__ import annotations

from .canvas_component import available, component  # noqa: F401 - available re-exported

__all__ = ["draw", "available", "CANVAS_CLASS"]

#: CSS class of the canvas (tests find it with ``canvas.emgviz-live``).
CANVAS_CLASS = "emgviz-live"

#: Sets ``g.font`` to the largest bold size from ``px`` down to ``min_px`` at which ``text`` is at most
#: ``max_w`` px wide; returns that size (``min_px`` if none fits: ``fillText``'s maxWidth then squeezes it).
FIT_FONT_JS = r"""
function fitFont(g, text, max_w, px, min_px) {
  const font = p => 'bold ' + p + 'px "Source Sans Pro", "Source Sans 3", sans-serif';
  g.font = font(px);
  while (px > min_px && g.measureText(text).width > max_w) g.font = font(--px);
  return px;
}
"""

_JS = FIT_FONT_JS + r"""
export default function (component) {
  const { data, parentElement } = component;
  let c = parentElement.querySelector('canvas.emgviz-live');
  if (!c) {
    c = document.createElement('canvas');
    c.className = 'emgviz-live';
    c.style.width = '100%';
    c.style.display = 'block';
    c.setAttribute('role', 'img');
    parentElement.appendChild(c);
  }
  const tr = data.traces, bars = data.bars, sw = data.sweeps;
  const hT = tr ? tr.height : 0, hB = bars ? bars.height : 0, hS = sw ? sw.height : 0, H = hT + hB + hS;
  const W = Math.max(300, Math.floor(c.getBoundingClientRect().width || parentElement.clientWidth || 800));
  const dpr = window.devicePixelRatio || 1;
  if (c.width !== Math.round(W * dpr) || c.height !== Math.round(H * dpr)) {
    c.width = Math.round(W * dpr); c.height = Math.round(H * dpr); c.style.height = H + 'px';
  }
  const g = c.getContext('2d');
  g.setTransform(dpr, 0, 0, dpr, 0, 0);
  g.clearRect(0, 0, W, H);
  g.fillStyle = '#ffffff'; g.fillRect(0, 0, W, H);
  g.font = '12px "Source Sans Pro", "Source Sans 3", sans-serif';
  const ticks = (lo, hi, n) => {  // 1-2-5 steps
    const raw = (hi - lo) / n, e = Math.pow(10, Math.floor(Math.log10(raw)));
    const step = [1, 2, 5, 10].map(m => m * e).find(s => s >= raw);
    const out = []; for (let v = Math.ceil(lo / step) * step; v <= hi + 1e-9 * step; v += step) out.push(+v.toPrecision(12));
    return out;
  };
  if (tr) {
    const L = 110, R = 10, T = 10, B = 45, pw = W - L - R, ph = hT - T - B;
    const [y0, y1] = tr.y_range, w = tr.window_s;
    const X = x => L + (x + w) / w * pw, Y = y => T + (y1 - y) / (y1 - y0) * ph;
    g.strokeStyle = '#eeeeee'; g.lineWidth = 1; g.fillStyle = '#444'; g.textAlign = 'center'; g.textBaseline = 'top';
    for (const v of ticks(-w, 0, 8)) { const x = Math.round(X(v)) + 0.5; g.beginPath(); g.moveTo(x, T); g.lineTo(x, T + ph); g.stroke(); g.fillText(String(v), x, T + ph + 4); }
    g.fillText('time (s, 0 = newest sample)', L + pw / 2, T + ph + 22);
    g.save(); g.beginPath(); g.rect(L, T, pw, ph); g.clip();
    g.strokeStyle = '#1f2a36'; g.lineWidth = 1;
    for (let i = 0; i < tr.x.length; i++) {
      const xs = tr.x[i], ys = tr.y[i]; if (!xs.length) continue;
      g.beginPath(); g.moveTo(X(xs[0]), Y(ys[0]));
      for (let k = 1; k < xs.length; k++) g.lineTo(X(xs[k]), Y(ys[k]));
      g.stroke();
    }
    g.restore();
    g.textAlign = 'right'; g.textBaseline = 'middle'; g.fillStyle = '#222';
    tr.names.forEach((n, i) => g.fillText(n.length > 14 ? n.slice(0, 13) + '…' : n, L - 6, Y(tr.offsets[i])));
    g.save(); g.translate(14, T + ph / 2); g.rotate(-Math.PI / 2); g.textAlign = 'center'; g.fillStyle = '#444';
    g.fillText('spacing ' + tr.spacing + ' ' + tr.unit, 0, 0); g.restore();
    g.strokeStyle = '#bbbbbb'; g.strokeRect(L + 0.5, T + 0.5, pw - 1, ph - 1);
  }
  if (bars) {
    const top = hT, L = 60, R = 10, T = 14, B = 40, pw = W - L - R, ph = hB - T - B;
    const Y = v => top + T + (1 - Math.min(Math.max(v, 0), bars.y_max) / bars.y_max) * ph;
    const [lo, hi] = bars.target;
    g.globalAlpha = 0.15; g.fillStyle = bars.band_colour; g.fillRect(L, Y(hi), pw, Y(lo) - Y(hi)); g.globalAlpha = 1;
    g.strokeStyle = bars.band_colour; g.setLineDash([2, 3]);
    for (const v of [lo, hi]) { g.beginPath(); g.moveTo(L, Y(v)); g.lineTo(L + pw, Y(v)); g.stroke(); }
    g.setLineDash([]);
    g.strokeStyle = '#eeeeee'; g.fillStyle = '#444'; g.textAlign = 'right'; g.textBaseline = 'middle';
    for (const v of ticks(0, bars.y_max, 5)) { const y = Math.round(Y(v)) + 0.5; g.beginPath(); g.moveTo(L, y); g.lineTo(L + pw, y); g.stroke(); g.fillText(String(v), L - 6, y); }
    g.save(); g.translate(14, top + T + ph / 2); g.rotate(-Math.PI / 2); g.textAlign = 'center'; g.fillText(bars.unit_label, 0, 0); g.restore();
    g.fillStyle = '#222'; g.textAlign = 'left'; g.textBaseline = 'top'; g.fillText(bars.note || '', L + 4, top + 1);
    const n = bars.values.length, slot = pw / Math.max(n, 1), bw = slot * 0.6;
    bars.values.forEach((v, i) => {
      const x = L + i * slot + (slot - bw) / 2;
      g.fillStyle = bars.colours[i]; g.fillRect(x, Y(v), bw, Y(0) - Y(v));
      g.fillStyle = '#222'; g.textAlign = 'center'; g.textBaseline = 'bottom';
      g.fillText(v.toPrecision(3).replace(/\.?0+$/, ''), x + bw / 2, Math.max(Y(v) - 2, top + 12));
      g.textBaseline = 'top'; const nm = bars.names[i];
      g.fillText(nm.length > 16 ? nm.slice(0, 15) + '…' : nm, x + bw / 2, top + T + ph + 6);
    });
  }
  if (sw) {  // triggered sweeps: 10 × 8 divisions, as on a clinical EMG machine
    const top = hT + hB, L = 30, R = 10, T = 30, B = 40, pw = W - L - R, ph = hS - T - B;
    const [x0, x1] = sw.x_range, lim = sw.y_limit * 1.02;
    const X = x => L + (x - x0) / (x1 - x0) * pw, Y = y => top + T + (lim - y) / (2 * lim) * ph;
    g.fillStyle = '#222'; g.textAlign = 'left'; g.textBaseline = 'top';
    const tpx = fitFont(g, sw.title, W - 8, 14, 11);  // the title fits the canvas: smaller font, then squeezed
    g.fillText(sw.title, 4, top + 4, W - 8); c.dataset.titleFont = String(tpx);
    c.dataset.titleWidth = String(Math.ceil(g.measureText(sw.title).width));
    g.font = '12px "Source Sans Pro", "Source Sans 3", sans-serif';
    g.strokeStyle = '#d9d9d9'; g.lineWidth = 1; g.fillStyle = '#444'; g.textAlign = 'center';
    for (let i = 0; i <= 10; i++) {
      const v = x0 + i * sw.ms_per_div, x = Math.round(X(v)) + 0.5;
      g.beginPath(); g.moveTo(x, Y(lim)); g.lineTo(x, Y(-lim)); g.stroke(); g.fillText(String(+v.toPrecision(10)), x, Y(-lim) + 4);
    }
    g.fillText('ms from trigger', L + pw / 2, Y(-lim) + 22);
    for (let d = -4; d <= 4; d++) {
      const y = Math.round(Y(d * sw.uv_per_div)) + 0.5;
      g.strokeStyle = d === 0 ? '#999999' : '#d9d9d9'; g.beginPath(); g.moveTo(L, y); g.lineTo(L + pw, y); g.stroke();
    }
    const line = (xs, ys) => { if (!xs.length) return; g.beginPath(); g.moveTo(X(xs[0]), Y(ys[0]));
                               for (let k = 1; k < xs.length; k++) g.lineTo(X(xs[k]), Y(ys[k])); g.stroke(); };
    g.save(); g.beginPath(); g.rect(L, Y(lim), pw, Y(-lim) - Y(lim)); g.clip();
    g.globalAlpha = 0.3; g.strokeStyle = '#555555'; g.lineWidth = 1; for (const [xs, ys] of sw.older) line(xs, ys);
    g.globalAlpha = 1; g.strokeStyle = '#1f2a36'; g.lineWidth = 1.6; line(sw.newest[0], sw.newest[1]);
    g.strokeStyle = '#D55E00'; g.lineWidth = 1.5;
    sw.clip[0].forEach((x, i) => { const y = Y(sw.clip[1][i]); g.beginPath(); g.moveTo(X(x) - 3, y); g.lineTo(X(x) + 3, y); g.stroke(); });
    g.strokeStyle = '#CC79A7'; g.lineWidth = 1; g.setLineDash([6, 4]);
    g.beginPath(); g.moveTo(L, Y(sw.level)); g.lineTo(L + pw, Y(sw.level)); g.stroke();
    g.lineWidth = 1.5; g.setLineDash([2, 3]); g.beginPath(); g.moveTo(X(0), Y(lim)); g.lineTo(X(0), Y(-lim)); g.stroke();
    g.setLineDash([]); g.restore();
    c.dataset.sweeps = String(sw.sweeps); c.dataset.found = String(sw.found);
  }
  c.setAttribute('aria-label', sw && !tr ? 'triggered sweeps' : 'live EMG traces and RMS bars');
  if (tr) c.dataset.tLast = String(tr.t_last);
}
"""

def _get():
    return component("emgviz_live_canvas", _JS)


def draw(traces: dict | None, bars: dict | None, *, key: str, traces_height: int = 0, bars_height: int = 260,
         sweeps: dict | None = None, sweeps_height: int = 460) -> None:
    """Paint the traces (``live_traces_payload``), the bars (``rms_bars_payload``) and/or the triggered
    sweeps (``live_sweeps_payload``), top to bottom, on the live canvas with this ``key``."""
    data = {"traces": None if traces is None else {**traces, "height": int(traces_height)},
            "bars": None if bars is None else {**bars, "height": int(bars_height)},
            "sweeps": None if sweeps is None else {**sweeps, "height": int(sweeps_height)}}
    _get()(key=key, data=data)
