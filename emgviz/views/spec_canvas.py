"""Teach's figures on one mounted HTML canvas: the Plotly dicts of the lesson drawn without Plotly.

Why: a page with a ``st.plotly_chart`` makes the browser load and run Plotly's 4.7 MB chunk
(~2 s of a cold open on the development machine), and ``st.plotly_chart`` gives every new
figure a new element id, so each nudge of a Teach control threw the chart away and drew it
twice. This component (``st.components.v2`` with a fixed ``key``) stays mounted: a rerun only
hands it new numbers (:func:`emgviz.plotting.spec_payload.canvas_payload`: float32 arrays as
base64, each distinct array once) and it repaints one canvas in a few ms.

It draws the subset of the Plotly figure spec that :func:`emgviz.plotting.lesson.lesson_spec`
and :func:`emgviz.plotting.lesson.presenter_spec` use (:data:`~emgviz.plotting.spec_payload.DRAWN`):
line traces, axes with domains, fixed or data ranges, tick arrays or round ticks, grids,
titles, overlaying axes, annotations with ``<b>`` and coloured spans. All text is drawn with
``fillText`` (never as HTML). Dragging across a plot zooms its x axis (the lesson's time axis
is shared by every step, so every step zooms together); a double click shows everything again.
Moving the pointer over a trace shows its time (or frequency) and value in a readout.

After each paint the canvas carries ``data-drawn`` (a paint counter), ``data-rows``,
``data-x-range`` (the first x axis' drawn range), ``data-min-font-px`` (the smallest text
drawn) and ``data-titles`` (the annotations' plain text, one per line), read by the tests and
the browser benchmark.
"""

from __future__ import annotations

from .canvas_component import available, component  # noqa: F401 - available re-exported

__all__ = ["draw", "available", "CANVAS_CLASS"]

#: CSS class of the canvas (tests find it with ``canvas.emgviz-spec``).
CANVAS_CLASS = "emgviz-spec"

_JS = r"""
const FONT = '"Open Sans", "Source Sans Pro", verdana, arial, sans-serif';
const TAG = /<b>|<\/b>|<span style=['"]color:\s*([^;'"]+);?['"]>|<\/span>|<br>/g;

function runs(text) {  // the same markup as emgviz.plotting.spec_payload.rich_text_runs
  const out = []; let bold = false, colours = [], pos = 0, m;
  TAG.lastIndex = 0;
  while ((m = TAG.exec(text)) !== null) {
    if (m.index > pos) out.push([text.slice(pos, m.index), bold, colours[colours.length - 1] || null]);
    const t = m[0];
    if (t === '<b>') bold = true; else if (t === '</b>') bold = false;
    else if (t === '</span>') colours.pop();
    else if (t === '<br>') out.push([' ', bold, colours[colours.length - 1] || null]);
    else colours.push(m[1].trim());
    pos = m.index + t.length;
  }
  if (pos < text.length) out.push([text.slice(pos), bold, colours[colours.length - 1] || null]);
  return out;
}

function decode(data) {
  const arrays = (data.arrays || []).map(s => {
    const bin = atob(s), n = bin.length, u8 = new Uint8Array(n);
    for (let i = 0; i < n; i++) u8[i] = bin.charCodeAt(i);
    return new Float32Array(u8.buffer);
  });
  const arr = v => (v && typeof v === 'object' && !Array.isArray(v) && 'a' in v) ? arrays[v.a] : (v || []);
  const traces = (data.data || []).map(t => ({...t, x: arr(t.x), y: arr(t.y)}));
  return {traces, layout: data.layout || {}, meta: data.meta || {}};
}

function niceTicks(lo, hi, n) {
  const span = hi - lo;
  if (!(span > 0) || !isFinite(span)) return {vals: [lo], step: 1};
  const raw = span / Math.max(n, 1), e = Math.pow(10, Math.floor(Math.log10(raw)));
  const step = [1, 2, 5, 10].map(m => m * e).find(s => s >= raw * (1 - 1e-9));
  const vals = [], k0 = Math.ceil(lo / step - 1e-9);  // an integer counter: v += step can stall at tiny steps
  for (let k = k0; k * step <= hi + 1e-9 * step && vals.length < 50; k++) vals.push(+(k * step).toPrecision(12));
  return {vals: vals.length ? vals : [lo], step};
}

function fmt(v, step) {
  const dec = Math.max(0, Math.min(6, -Math.floor(Math.log10(step) + 1e-9)));
  let s = (Math.abs(v) < step * 1e-6 ? 0 : v).toFixed(dec);
  if (s.includes('.')) s = s.replace(/\.?0+$/, '');  // "0.5", "1", "1.5" as Plotly writes them
  return s.replace('-', '\u2212');
}

function axesOf(S, W) {
  const L = S.layout, m = L.margin || {}, ml = m.l ?? 80, mr = m.r ?? 80, mt = m.t ?? 100, mb = m.b ?? 80;
  const H = L.height || 450;
  const box = {l: ml, t: mt, w: Math.max(10, W - ml - mr), h: Math.max(10, H - mt - mb)};
  const axes = {};
  for (const k of Object.keys(L)) {
    const mm = /^([xy])axis(\d*)$/.exec(k);
    if (mm) axes[mm[1] + mm[2]] = {id: mm[1] + mm[2], dir: mm[1], ...L[k]};
  }
  for (const t of S.traces) for (const id of [t.xaxis || 'x', t.yaxis || 'y'])
    if (!axes[id]) axes[id] = {id, dir: id[0]};
  for (const a of Object.values(axes)) {
    const base = a.overlaying && axes[a.overlaying] ? axes[a.overlaying] : a;
    const d = base.domain || [0, 1];
    a.px = a.dir === 'x' ? [box.l + d[0] * box.w, box.l + d[1] * box.w]
                         : [box.t + (1 - d[1]) * box.h, box.t + (1 - d[0]) * box.h];  // [top, bottom]
  }
  const dataRange = id => {
    let lo = Infinity, hi = -Infinity;
    for (const t of S.traces) {
      const arr = (id[0] === 'x' ? (t.xaxis || 'x') : (t.yaxis || 'y')) === id ? (id[0] === 'x' ? t.x : t.y) : null;
      if (!arr) continue;
      for (let i = 0; i < arr.length; i++) { const v = arr[i]; if (v !== null && v === v) { if (v < lo) lo = v; if (v > hi) hi = v; } }
    }
    if (!(hi >= lo)) return [0, 1];
    if (hi === lo) return [lo - 1, hi + 1];
    if (id[0] === 'y') { const pad = 0.05 * (hi - lo); return [lo - pad, hi + pad]; }
    return [lo, hi];
  };
  for (const a of Object.values(axes)) a.full = a.range ? [+a.range[0], +a.range[1]] : dataRange(a.id);
  for (const a of Object.values(axes)) {
    a.root = a.matches && axes[a.matches] ? a.matches : a.id;
    if (a.root !== a.id) a.full = axes[a.root].full;
  }
  return {axes, box, H};
}

function paint(c) {
  const S = c._spec; if (!S) return;
  const wrap = c.parentElement;
  const W = Math.max(300, Math.floor(wrap.getBoundingClientRect().width || wrap.clientWidth || 800));
  const {axes, box, H} = axesOf(S, W);
  const zoom = c._zoom || {};
  for (const a of Object.values(axes)) {  // a zoom that no longer meets the data is dropped
    const z = zoom[a.root];
    a.r = z && a.full && z[0] < a.full[1] && z[1] > a.full[0] ? z : a.full;
  }
  const L = S.layout, dpr = window.devicePixelRatio || 1;
  if (c.width !== Math.round(W * dpr) || c.height !== Math.round(H * dpr)) {
    c.width = Math.round(W * dpr); c.height = Math.round(H * dpr);
  }
  c.style.height = H + 'px';
  const g = c.getContext('2d');
  g.setTransform(dpr, 0, 0, dpr, 0, 0);
  const baseSize = (L.font && L.font.size) || 12, baseColour = (L.font && L.font.color) || '#444';
  let minFont = Infinity;
  const font = (size, bold) => { minFont = Math.min(minFont, size); g.font = (bold ? 'bold ' : '') + size + 'px ' + FONT; };
  const P = (a, v) => a.dir === 'x' ? a.px[0] + (v - a.r[0]) / (a.r[1] - a.r[0]) * (a.px[1] - a.px[0])
                                    : a.px[1] - (v - a.r[0]) / (a.r[1] - a.r[0]) * (a.px[1] - a.px[0]);
  c._P = P; c._axes = axes;
  g.fillStyle = L.paper_bgcolor || '#fff'; g.fillRect(0, 0, W, H);
  const pairs = new Map();
  for (const t of S.traces) pairs.set((t.xaxis || 'x') + '|' + (t.yaxis || 'y'), [axes[t.xaxis || 'x'], axes[t.yaxis || 'y']]);
  g.fillStyle = L.plot_bgcolor || '#fff';
  for (const [xa, ya] of pairs.values()) g.fillRect(xa.px[0], ya.px[0], xa.px[1] - xa.px[0], ya.px[1] - ya.px[0]);
  const tickList = a => {
    if (a.tickvals && (a.tickmode === 'array' || a.tickmode === undefined)) {
      const d = a.tickvals.slice(1).map((v, i) => Math.abs(v - a.tickvals[i])).filter(x => x > 0);
      const step = d.length ? Math.min(...d) : 1;
      return a.tickvals.map((v, i) => [v, a.ticktext ? String(a.ticktext[i]) : fmt(v, step)]);
    }
    const {vals, step} = niceTicks(Math.min(...a.r), Math.max(...a.r), a.nticks || 6);
    return vals.map(v => [v, fmt(v, step)]);
  };
  const anchorOf = a => axes[a.anchor] || Object.values(axes).find(b => b.dir !== a.dir) ;
  // grids
  for (const a of Object.values(axes)) {
    if (a.visible === false || a.showgrid === false) continue;
    const an = anchorOf(a); if (!an) continue;
    g.strokeStyle = a.gridcolor || '#eee'; g.lineWidth = 1; g.beginPath();
    for (const [v] of tickList(a)) {
      const p = Math.round(P(a, v)) + 0.5;
      if (p < a.px[0] - 0.5 || p > a.px[1] + 0.5) continue;
      if (a.dir === 'x') { g.moveTo(p, an.px[0]); g.lineTo(p, an.px[1]); } else { g.moveTo(an.px[0], p); g.lineTo(an.px[1], p); }
    }
    g.stroke();
  }
  // traces, each clipped to its subplot
  for (const t of S.traces) {
    if ((t.type || 'scatter') !== 'scatter' || (t.mode || 'lines') !== 'lines') continue;  // refused in Python too
    const xa = axes[t.xaxis || 'x'], ya = axes[t.yaxis || 'y'], ln = t.line || {}, w = ln.width ?? 2;
    g.save(); g.beginPath(); g.rect(xa.px[0], ya.px[0], xa.px[1] - xa.px[0], ya.px[1] - ya.px[0]); g.clip();
    g.strokeStyle = ln.color || '#1f77b4'; g.lineWidth = w; g.lineJoin = 'round';
    g.setLineDash(ln.dash === 'dash' ? [3 * Math.max(w, 2), 3 * Math.max(w, 2)] : ln.dash === 'dot' ? [Math.max(w, 1.5), 1.5 * Math.max(w, 1.5)] : []);
    g.beginPath();
    const xs = t.x, ys = t.y, n = Math.min(xs.length, ys.length);
    const kx = (xa.px[1] - xa.px[0]) / (xa.r[1] - xa.r[0]), ky = (ya.px[1] - ya.px[0]) / (ya.r[1] - ya.r[0]);
    let pen = false;
    for (let i = 0; i < n; i++) {
      const x = xs[i], y = ys[i];
      if (x === null || y === null || x !== x || y !== y) { pen = false; continue; }
      const px = xa.px[0] + (x - xa.r[0]) * kx, py = ya.px[1] - (y - ya.r[0]) * ky;
      if (pen) g.lineTo(px, py); else { g.moveTo(px, py); pen = true; }
    }
    g.stroke(); g.restore();
  }
  g.setLineDash([]);
  // axis lines, tick marks, tick labels, titles
  for (const a of Object.values(axes)) {
    if (a.visible === false) continue;
    const an = anchorOf(a); if (!an) continue;
    const out = a.ticks === 'outside' ? 5 : 0, right = a.side === 'right', top = a.side === 'top';
    const edge = a.dir === 'x' ? (top ? an.px[0] : an.px[1]) : (right ? an.px[1] : an.px[0]);
    const sgn = a.dir === 'x' ? (top ? -1 : 1) : (right ? 1 : -1);
    if (a.showline) {
      g.strokeStyle = a.linecolor || '#444'; g.lineWidth = a.linewidth || 1; g.beginPath();
      const e = Math.round(edge) + 0.5;
      if (a.dir === 'x') { g.moveTo(a.px[0], e); g.lineTo(a.px[1], e); } else { g.moveTo(e, a.px[0]); g.lineTo(e, a.px[1]); }
      g.stroke();
    }
    const tf = a.tickfont || {}, size = tf.size || baseSize;
    font(size, false); g.fillStyle = tf.color || baseColour;
    let widest = 0;
    const list = tickList(a);
    g.strokeStyle = a.linecolor || '#444'; g.lineWidth = 1;
    for (const [v, text0] of list) {
      const p = P(a, v);
      if (p < a.px[0] - 1 || p > a.px[1] + 1) continue;
      const text = text0;
      if (out) { g.beginPath(); const q = Math.round(p) + 0.5;
        if (a.dir === 'x') { g.moveTo(q, edge); g.lineTo(q, edge + sgn * out); } else { g.moveTo(edge, q); g.lineTo(edge + sgn * out, q); }
        g.stroke(); }
      if (a.dir === 'x') { g.textAlign = 'center'; g.textBaseline = top ? 'bottom' : 'top'; g.fillText(text, p, edge + sgn * (out + 3)); }
      else { g.textAlign = right ? 'left' : 'right'; g.textBaseline = 'middle'; g.fillText(text, edge + sgn * (out + 4), p); }
      widest = Math.max(widest, a.dir === 'x' ? size : g.measureText(text).width);
    }
    const ti = a.title && a.title.text;
    if (ti) {
      const ts = (a.title.font && a.title.font.size) || baseSize, so = a.title.standoff ?? 4;
      font(ts, false); g.fillStyle = baseColour; g.textAlign = 'center';
      if (a.dir === 'x') { g.textBaseline = 'top'; g.fillText(ti, (a.px[0] + a.px[1]) / 2, edge + out + 3 + widest + so); }
      else {
        g.save(); g.translate(edge + sgn * (out + 4 + widest + so + ts * 0.6), (a.px[0] + a.px[1]) / 2);
        g.rotate(-Math.PI / 2); g.textBaseline = 'middle'; g.fillText(ti, 0, 0); g.restore();
      }
    }
  }
  // annotations: plain text runs (bold, colour), never HTML
  const titles = [];
  for (const an of (L.annotations || [])) {
    const size = (an.font && an.font.size) || baseSize, parts = runs(String(an.text || ''));
    const xr = an.xref || 'paper', yr = an.yref || 'paper';
    if ((xr !== 'paper' && !axes[xr]) || (yr !== 'paper' && !axes[yr])) continue;  // an axis not drawn
    const x = xr === 'paper' ? box.l + an.x * box.w : P(axes[xr], an.x);
    const y = yr === 'paper' ? box.t + (1 - an.y) * box.h : P(axes[yr], an.y);
    let width = 0;
    for (const [s, b] of parts) { font(size, b); width += g.measureText(s).width; }
    let px = an.xanchor === 'right' ? x - width : an.xanchor === 'center' ? x - width / 2 : x;
    g.textAlign = 'left';
    g.textBaseline = an.yanchor === 'top' ? 'top' : an.yanchor === 'middle' ? 'middle' : 'bottom';
    const py = an.yanchor === 'top' ? y + 2 : an.yanchor === 'middle' ? y : y - 2;
    for (const [s, b, col] of parts) { font(size, b); g.fillStyle = col || baseColour; g.fillText(s, px, py); px += g.measureText(s).width; }
    titles.push(parts.map(p => p[0]).join(''));
  }
  // a zoomed figure says so, and how to undo it (no hover needed to find out)
  const zoomed = Object.keys(zoom).filter(id => axes[id]);
  if (zoomed.length) {
    const a = axes[zoomed[0]], unit = /\(([^)]*)\)/.exec((a.title && a.title.text) || '');
    const {step} = niceTicks(a.r[0], a.r[1], 6);
    const note = `zoomed: ${fmt(a.r[0], step / 10)}\u2013${fmt(a.r[1], step / 10)}${unit ? ' ' + unit[1] : ''} \u00b7 double-click to show all`;
    font(Math.max(12, baseSize - 1), false); g.textAlign = 'right'; g.textBaseline = 'top';
    const tw = g.measureText(note).width;
    g.fillStyle = 'rgba(255,255,255,0.85)'; g.fillRect(W - 6 - tw - 4, 1, tw + 8, Math.max(12, baseSize - 1) + 4);
    g.fillStyle = '#333'; g.fillText(note, W - 6, 3);
  }
  const first = Object.values(axes).find(a => a.dir === 'x');
  c.dataset.drawn = String((+c.dataset.drawn || 0) + 1);
  c.dataset.rows = String(S.meta.rows ?? '');
  c.dataset.xRange = first ? first.r.map(v => +v.toPrecision(6)).join(',') : '';
  c.dataset.minFontPx = String(minFont === Infinity ? 0 : minFont);
  c.dataset.titles = titles.join('\n');
  c.setAttribute('aria-label', S.meta.label || titles.filter(Boolean).join('; ') || 'figure');
}

// ---- pointer: drag to zoom an x axis (and every axis matching it), double-click to reset, readout
function axisAt(c, mx, my) {
  const axes = c._axes || {};
  for (const a of Object.values(axes)) {
    if (a.dir !== 'x' || a.fixedrange || a.overlaying) continue;
    const an = axes[a.anchor] || Object.values(axes).find(b => b.dir === 'y');
    if (an && mx >= a.px[0] && mx <= a.px[1] && my >= an.px[0] && my <= an.px[1]) return [a, an];
  }
  return null;
}

function readout(c, mx, my) {
  const S = c._spec, axes = c._axes, P = c._P; if (!S || !axes) return '';
  let best = null;
  for (const t of S.traces) {
    const xa = axes[t.xaxis || 'x'], ya = axes[t.yaxis || 'y'];
    if (!xa || !ya || ya.overlaying || !(t.x instanceof Float32Array) || !t.x.length || !t.y.length) continue;
    if (mx < xa.px[0] || mx > xa.px[1] || my < ya.px[0] || my > ya.px[1]) continue;
    const v = xa.r[0] + (mx - xa.px[0]) / (xa.px[1] - xa.px[0]) * (xa.r[1] - xa.r[0]);
    let lo = 0, hi = t.x.length - 1;
    while (hi - lo > 1) { const mid = (lo + hi) >> 1; if (t.x[mid] < v) lo = mid; else hi = mid; }
    const i = Math.abs(t.x[lo] - v) <= Math.abs(t.x[hi] - v) ? lo : hi;
    const d = Math.abs(P(ya, t.y[i]) - my);
    const meta = t.meta || {};
    if (meta.band) { const [b0, b1] = meta.band, yv = ya.r[0] + (ya.px[1] - my) / (ya.px[1] - ya.px[0]) * (ya.r[1] - ya.r[0]);
      if (yv < Math.min(b0, b1) - 0.2 * Math.abs(b1 - b0) || yv > Math.max(b0, b1) + 0.2 * Math.abs(b1 - b0)) continue; }
    if (!best || d < best.d) best = {d, t, i, xa, ya};
  }
  if (!best) return '';
  const {t, i, xa, ya} = best, meta = t.meta || {};
  let y = t.y[i];
  if (meta.band && meta.values) y = meta.values[0] + (y - meta.band[0]) / (meta.band[1] - meta.band[0]) * (meta.values[1] - meta.values[0]);
  const xu = /\(([^)]*)\)/.exec((xa.title && xa.title.text) || ''), xunit = xu ? xu[1] : '';
  const yunit = meta.unit ?? ((ya.title && ya.title.text) || '');
  const xs = xunit === 's' ? t.x[i].toFixed(3) : (+t.x[i].toPrecision(4)).toString();
  return `${t.name || ''}: ${xs} ${xunit} \u00b7 ${(+y.toPrecision(3)).toString().replace('-', '\u2212')} ${yunit}`.trim();
}

function setup(parentElement) {
  const wrap = document.createElement('div');
  wrap.className = 'emgviz-spec-wrap';
  wrap.style.cssText = 'position:relative;width:100%;user-select:none;touch-action:pan-y;';
  const c = document.createElement('canvas');
  c.className = 'emgviz-spec'; c.style.width = '100%'; c.style.display = 'block'; c.style.cursor = 'crosshair';
  c.setAttribute('role', 'img');
  const sel = document.createElement('div');
  sel.style.cssText = 'position:absolute;display:none;background:rgba(0,114,178,0.12);border:1px solid rgba(0,114,178,0.6);pointer-events:none;';
  const info = document.createElement('div');
  info.className = 'emgviz-spec-readout';
  info.style.cssText = 'position:absolute;font:13px ' + FONT + ';color:#222;background:rgba(255,255,255,0.92);' +
    'border:1px solid #bbb;padding:1px 5px;pointer-events:none;display:none;white-space:nowrap;';
  wrap.append(c, sel, info);
  parentElement.appendChild(wrap);
  c._zoom = {};
  let drag = null;
  const at = e => { const r = c.getBoundingClientRect(); return [e.clientX - r.left, e.clientY - r.top]; };
  c.addEventListener('pointerdown', e => {
    if (e.button !== 0) return;
    const [mx, my] = at(e), hit = axisAt(c, mx, my);
    if (!hit) return;
    drag = {a: hit[0], an: hit[1], x0: mx}; c.setPointerCapture(e.pointerId);
  });
  c.addEventListener('pointermove', e => {
    const [mx, my] = at(e);
    if (drag) {
      const a = drag.a, x1 = Math.max(a.px[0], Math.min(a.px[1], mx)), lo = Math.min(drag.x0, x1), hi = Math.max(drag.x0, x1);
      Object.assign(sel.style, {display: 'block', left: lo + 'px', width: (hi - lo) + 'px', top: drag.an.px[0] + 'px',
                                height: (drag.an.px[1] - drag.an.px[0]) + 'px'});
    }
    const text = readout(c, mx, my);
    info.textContent = text; info.style.display = text ? 'block' : 'none';
    if (text) {  // beside the pointer, kept inside the figure
      const w = info.offsetWidth, W = c.clientWidth;
      info.style.left = Math.max(0, Math.min(W - w - 2, mx + 14)) + 'px';
      info.style.top = Math.max(0, my - 26) + 'px';
    }
  });
  const end = e => {
    if (!drag) return;
    const [mx] = at(e), a = drag.a, x1 = Math.max(a.px[0], Math.min(a.px[1], mx));
    sel.style.display = 'none';
    const v = p => a.r[0] + (p - a.px[0]) / (a.px[1] - a.px[0]) * (a.r[1] - a.r[0]);
    const z0 = v(Math.min(drag.x0, x1)), z1 = v(Math.max(drag.x0, x1));
    const floor = 1e-6 * Math.max(Math.abs(z0), Math.abs(z1), a.full ? a.full[1] - a.full[0] : 0);
    if (Math.abs(x1 - drag.x0) >= 4 && z1 - z0 > floor) {  // no zoom below a millionth of the scale
      c._zoom[a.root] = [z0, z1];
      paint(c);
    }
    drag = null;
  };
  c.addEventListener('pointerup', end);
  c.addEventListener('pointercancel', () => { drag = null; sel.style.display = 'none'; });
  c.addEventListener('pointerleave', () => { if (!drag) info.style.display = 'none'; });
  c.addEventListener('dblclick', () => { c._zoom = {}; paint(c); });
  let lastW = 0;
  new ResizeObserver(() => { const w = Math.floor(wrap.getBoundingClientRect().width); if (w && w !== lastW) { lastW = w; paint(c); } }).observe(wrap);
  return c;
}

export default function (component) {
  const { data, parentElement } = component;
  const c = parentElement.querySelector('canvas.emgviz-spec') || setup(parentElement);
  c._spec = decode(data || {});
  for (const id of Object.keys(c._zoom)) {  // a zoom outlives a nudge, unless the axis is gone
    if (!c._spec.layout[id.replace(/^([xy])/, '$1axis')]) delete c._zoom[id];
  }
  paint(c);
}
"""

def _get():
    return component("emgviz_spec_canvas", _JS)


def draw(payload: dict, *, key: str) -> None:
    """Paint ``payload`` (:func:`emgviz.plotting.spec_payload.canvas_payload`) on the canvas with this ``key``.

    The same ``key`` on every run keeps the component mounted: a new payload repaints it.
    """
    _get()(key=key, data=payload)
