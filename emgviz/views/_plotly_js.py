"""The browser side of :mod:`emgviz.views.plotly_component`: its JavaScript, as strings.

``LOADER`` loads the vendored plotly.js once per page (a relative path resolved under the app's root);
``PRELOAD_JS`` is the hidden component that starts that load at the top of a page; ``CHART_JS`` is the
chart component: Streamlit's chart theme (light, or the dark theme read from the ``--st-*`` CSS
properties), ``Plotly.react`` on a div that stays mounted, the overlay of rectangles, labels along the
top that would overlap hidden, full screen, and the click sent back to Python. ``__THEME__``,
``__CONFIG__`` and ``__LOADER__`` are filled in by :func:`emgviz.views.plotly_component._js`.
"""

#: One ``<script>`` per page, whichever asks first (a chart, or :func:`preload` at the top of the page):
#: the promise lives on ``window`` so the components share it.
LOADER = r"""
function appUrl(path) {  // a path of the app (relative: "app/static/…") → a URL under the app's own root,
  if (/^(\/|[a-z]+:)/i.test(path)) return path;  // whatever prefix it is served under (server.baseUrlPath, a proxy)
  const main = document.querySelector('script[src*="/static/js/index."]');  // Streamlit's own bundle: <root>/static/js/…
  const root = main ? main.src.replace(/static\/js\/[^\/]*$/, '')
                    : location.href.replace(/[?#].*$/, '').replace(/[^\/]*$/, '');
  return new URL(path, root).href;
}

function loadPlotly(src) {
  if (window.Plotly && window.Plotly.react) return Promise.resolve(window.Plotly);
  if (!window.__emgvizPlotly) window.__emgvizPlotly = new Promise((resolve, reject) => {
    const s = document.createElement('script');
    s.src = appUrl(src); s.async = true;
    s.onload = () => window.Plotly ? resolve(window.Plotly) : reject(new Error('no Plotly in ' + src));
    s.onerror = () => { window.__emgvizPlotly = null; s.remove(); reject(new Error('could not load ' + src)); };
    document.head.appendChild(s);
  });
  return window.__emgvizPlotly;
}
"""

#: The preload component: starts fetching and running plotly.js as soon as the top of the page mounts.
PRELOAD_JS = LOADER + r"""
export default function (component) {
  const { data } = component;
  const src = typeof data === 'string' ? data : (data && data.src);
  if (src) loadPlotly(src).catch(() => {});  // a chart that needs it reports the failure
}
"""

CHART_JS = r"""
const THEME = __THEME__, BASE_CONFIG = __CONFIG__;
const FULLSCREEN_ICON = {width: 600, height: 470, path: 'M32 32C14.3 32 0 46.3 0 64v96c0 17.7 14.3 32 32 32s32-14.3 32-32V96h64c17.7 0 32-14.3 32-32s-14.3-32-32-32H32zM64 352c0-17.7-14.3-32-32-32s-32 14.3-32 32v96c0 17.7 14.3 32 32 32h96c17.7 0 32-14.3 32-32s-14.3-32-32-32H64V352zM320 32c-17.7 0-32 14.3-32 32s14.3 32 32 32h64v64c0 17.7 14.3 32 32 32s32-14.3 32-32V64c0-17.7-14.3-32-32-32H320zM448 352c0-17.7-14.3-32-32-32s-32 14.3-32 32v64H320c-17.7 0-32 14.3-32 32s14.3 32 32 32h96c17.7 0 32-14.3 32-32V352z'};
const isObj = v => v !== null && typeof v === 'object' && !Array.isArray(v) && !ArrayBuffer.isView(v);
function merge(dst, src) {  // lodash.merge for JSON: src wins, objects merged key by key
  for (const k of Object.keys(src)) {
    if (isObj(src[k])) { if (!isObj(dst[k])) dst[k] = {}; merge(dst[k], src[k]); } else dst[k] = src[k];
  }
  return dst;
}

__LOADER__
const plotly = src => loadPlotly(src);

// Streamlit's dark theme: components v2 carry the theme as --st-* CSS properties. Light: THEME as before.
const NAMED = {white: '#ffffff', black: '#000000', lightgrey: '#d3d3d3', lightgray: '#d3d3d3', grey: '#808080',
               gray: '#808080', darkgrey: '#a9a9a9', darkgray: '#a9a9a9'};
function parseColor(c) {
  c = (c || '').trim();
  c = NAMED[c.toLowerCase()] || c;
  let m = /^#([0-9a-f]{3,8})$/i.exec(c);
  if (m) {
    let h = m[1];
    if (h.length <= 4) h = [...h].map(x => x + x).join('');
    return [parseInt(h.slice(0, 2), 16), parseInt(h.slice(2, 4), 16), parseInt(h.slice(4, 6), 16),
            h.length === 8 ? parseInt(h.slice(6, 8), 16) / 255 : 1];
  }
  m = /^rgba?\(([^)]+)\)$/i.exec(c);
  if (m) {
    const v = m[1].split(/[\s,\/]+/).filter(Boolean).map(parseFloat);
    return v.length >= 3 ? [v[0], v[1], v[2], v.length > 3 ? v[3] : 1] : null;
  }
  return null;
}
const luminance = ([r, g, b]) => (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255;
function lighten(c) {  // for a dark page: dark ink (text, lines; HSL lightness < 0.45) → light, near-white
  const v = parseColor(c);  // (grids, fills; > 0.85) → dark; colours in between stay as they are
  if (!v) return c;
  const [r, g, b, a] = v.map((x, i) => i < 3 ? x / 255 : x);
  const max = Math.max(r, g, b), min = Math.min(r, g, b), l0 = (max + min) / 2, d = max - min;
  if (l0 >= 0.45 && l0 <= 0.85) return c;
  const l = l0 < 0.45 ? l0 : l0 - 0.1;  // near-white → dark, a step above the page's own background
  const s = d === 0 ? 0 : d / (1 - Math.abs(2 * l - 1));
  const h = d === 0 ? 0 : max === r ? ((g - b) / d + 6) % 6 : max === g ? (b - r) / d + 2 : (r - g) / d + 4;
  const L = 1 - l, C = (1 - Math.abs(2 * L - 1)) * s, X = C * (1 - Math.abs(h % 2 - 1)), M = L - C / 2;
  const [R, G, B] = h < 1 ? [C, X, 0] : h < 2 ? [X, C, 0] : h < 3 ? [0, C, X] : h < 4 ? [0, X, C] : h < 5 ? [X, 0, C] : [C, 0, X];
  return `rgba(${Math.round((R + M) * 255)},${Math.round((G + M) * 255)},${Math.round((B + M) * 255)},${a})`;
}
const COLOR_KEYS = new Set(['color', 'fillcolor', 'bgcolor', 'bordercolor', 'linecolor', 'gridcolor', 'zerolinecolor',
                            'tickcolor', 'fgcolor', 'outlinecolor', 'paper_bgcolor', 'plot_bgcolor']);
function recolor(o) {  // every colour of a figure's structure (never its sample arrays)
  if (Array.isArray(o)) { o.forEach(recolor); return; }
  if (!isObj(o) || o.bdata !== undefined) return;
  for (const k of Object.keys(o)) {
    const v = o[k];
    if (COLOR_KEYS.has(k) && typeof v === 'string') o[k] = lighten(v);
    else if (COLOR_KEYS.has(k) && Array.isArray(v) && v.every(x => typeof x === 'string')) o[k] = v.map(lighten);
    else if (k !== 'template') recolor(v);
  }
}
function pageTheme(el) {  // null (light: as before) or the dark theme's colours at this element
  const cs = getComputedStyle(el), prop = n => cs.getPropertyValue(n).trim();
  const bg = prop('--st-background-color'), v = parseColor(bg);
  if (!v || luminance(v) >= 0.4) return null;
  return {bg, text: prop('--st-text-color') || '#FAFAFA', secondary: prop('--st-secondary-background-color') || '#262730'};
}
function darkTheme(t) {  // THEME with the dark page's colours (what st.plotly_chart's dark chart theme changes)
  const grey = '#A3A8B8', grid = '#31333F', axis = {gridcolor: grid, zerolinecolor: grid, tickcolor: grid, linecolor: grid,
    tickfont: {color: grey}, minor: {gridcolor: grid}, title: {font: {color: grey}}};
  return {font: {color: grey}, title: {font: {color: t.text}}, paper_bgcolor: t.bg, plot_bgcolor: t.bg,
          legend: {title: {font: {color: grey}}, font: {color: t.text}}, xaxis: {...axis, rangeselector: {bgcolor: t.bg, bordercolor: grid}},
          yaxis: axis, hoverlabel: {bgcolor: t.secondary, bordercolor: grid, font: {color: t.text}},
          coloraxis: {colorbar: {title: {font: {color: grey}}, tickfont: {color: grey}}}};
}

function width(gd) { return Math.max(100, Math.floor(gd.parentElement.getBoundingClientRect().width)); }

function drawOverlay(gd) {  // the figure's rectangles (x data, y paper) as divs over the plot: moving one costs no replot
  const box = gd.parentElement.querySelector('.emgviz-plotly-overlay'), fl = gd._fullLayout;
  if (!box || !fl || !fl.xaxis || !fl._size) return;
  const rects = (gd._overlay || []).filter(s => (s.type || 'rect') === 'rect' && (s.xref || 'x') === 'x' && s.yref === 'paper');
  while (box.children.length > rects.length) box.lastChild.remove();
  while (box.children.length < rects.length) box.appendChild(document.createElement('div'));
  const xa = fl.xaxis, sz = fl._size;
  const d = gd._shapeDefaults || {};  // the template's shapedefaults, under each shape's own values (as Plotly)
  rects.forEach((s, i) => {
    const el = box.children[i], ln = {...(d.line || {}), ...(s.line || {})}, w = ln.width ?? 2;
    let a = xa._offset + xa.l2p(+s.x0), b = xa._offset + xa.l2p(+s.x1);
    a = Math.max(sz.l, Math.min(sz.l + sz.w, a)); b = Math.max(sz.l, Math.min(sz.l + sz.w, b));
    const top = sz.t + (1 - (s.y1 ?? 1)) * sz.h, bottom = sz.t + (1 - (s.y0 ?? 0)) * sz.h;
    el.style.cssText = `position:absolute;pointer-events:none;box-sizing:border-box;` +  // the line centred on the edge
      `left:${Math.min(a, b) - w / 2}px;width:${Math.max(1, Math.abs(b - a)) + w}px;` +
      `top:${top - w / 2}px;height:${bottom - top + w}px;opacity:${s.opacity ?? d.opacity ?? 1};` +
      `background-clip:padding-box;background-color:${s.fillcolor ?? d.fillcolor ?? 'rgba(0,0,0,0)'};` +
      `border:${w}px solid ${w ? (ln.color || '#444') : 'transparent'};`;
    el.dataset.x0 = String(s.x0); el.dataset.x1 = String(s.x1);
  });
}

function declutter(gd) {  // labels along the plot's top edge (events, markers) that would overlap: the later one hidden,
  const fl = gd._fullLayout;  // as Plotly skips tick labels; a zoom (more room) shows them again
  if (!fl || !fl.annotations) return;
  const items = [];
  gd.querySelectorAll('.annotation[data-index]').forEach(el => {
    const a = fl.annotations[+el.dataset.index];
    if (!a || a.yref !== 'paper' || a.y !== 1 || a.yanchor !== 'bottom') return;
    el.style.visibility = '';
    items.push({el, r: el.getBoundingClientRect()});
  });
  items.sort((p, q) => p.r.left - q.r.left);
  let right = -Infinity, hidden = 0;
  for (const {el, r} of items) {
    if (r.width === 0) continue;
    if (r.left < right + 4) { el.style.visibility = 'hidden'; hidden += 1; } else right = r.right;
  }
  gd.dataset.hiddenLabels = String(hidden);
}

function prepare(spec, gd) {
  const fig = spec.figure || {}, layout = fig.layout || {};
  gd._themeKey = themeKey(gd);
  if (spec.overlay) {  // shapes drawn by drawOverlay; meta (emgviz's record, never drawn) kept out of Plotly
    gd._overlay = layout.shapes || [];
    gd._shapeDefaults = (layout.template && isObj(layout.template.layout) && layout.template.layout.shapedefaults) || {};
    delete layout.shapes; delete layout.meta;
    const sig = JSON.stringify([fig, spec.config || {}, spec.uirevision ?? null, spec.select, gd._themeKey || '']);
    if (sig === gd._sig && gd._fullLayout) return null;  // only the shapes moved: no Plotly call at all
    gd._sig = sig;
  }
  if (layout.template && isObj(layout.template.layout)) merge(layout.template.layout, THEME);  // as st.plotly_chart
  const dark = gd._theme;
  if (dark) {  // the page is dark: the theme's background, light ink for what was drawn dark on white
    recolor(fig.data || []); recolor(layout);
    if (layout.template && isObj(layout.template.layout)) { recolor(layout.template.layout); merge(layout.template.layout, darkTheme(dark)); }
    else merge(layout, darkTheme(dark));
    for (const k of ['paper_bgcolor', 'plot_bgcolor']) {  // a figure's own white page: the theme's background
      const v = parseColor(layout[k]);
      if (v && luminance(v) < 0.25) layout[k] = dark.bg;
    }
    (gd._overlay || []).forEach(recolor);
  }
  gd.parentElement.style.background = dark ? dark.bg : '#fff';
  if (isObj(layout.title) && layout.title.text) layout.title.text = '<b>' + layout.title.text + '</b>';
  gd._figHeight = layout.height || 450;
  const full = document.fullscreenElement === gd.parentElement;
  layout.width = gd._w = width(gd);
  layout.height = full ? window.innerHeight : gd._figHeight;
  if (spec.uirevision !== null && spec.uirevision !== undefined) layout.uirevision = spec.uirevision;
  else if (layout.uirevision === undefined) layout.uirevision = 'emgviz';
  if (spec.select) { layout.clickmode = 'event'; layout.hovermode = layout.hovermode || 'closest'; }
  const key = JSON.stringify(spec.config || {});
  if (gd._configKey !== key) {  // one config object while it does not change: a new one makes react replot
    gd._configKey = key;        // from scratch and drop the user's zoom
    gd._config = merge(merge({}, BASE_CONFIG), spec.config || {});
    gd._config.modeBarButtonsToAdd = [{name: 'Fullscreen', title: 'Fullscreen', icon: FULLSCREEN_ICON, click: () => {
      const wrap = gd.parentElement;
      if (document.fullscreenElement) document.exitFullscreen(); else if (wrap.requestFullscreen) wrap.requestFullscreen();
    }}];
  }
  return [fig.data || [], layout, gd._config];
}

async function pump(gd) {
  if (gd._busy) return;
  gd._busy = true;
  try {
    while (gd._next) {
      const spec = gd._next; gd._next = null;
      const P = await plotly(spec.src);
      const args = prepare(spec, gd);
      const t0 = performance.now();
      if (args) await P.react(gd, ...args);
      if (args) performance.measure('emgviz-plotly ' + (gd.dataset.key || ''), {start: t0});  // its draw, for profiles
      drawOverlay(gd);
      requestAnimationFrame(() => declutter(gd));  // with the frame's own layout: no extra forced layout
      if (!gd._hooked) {  // once per div: a click on a point goes back to Python
        gd._hooked = true;
        gd.on('plotly_afterplot', () => requestAnimationFrame(() => declutter(gd)));  // zoom, pan, resize: again
        gd.on('plotly_click', ev => {
          if (!gd._select || !gd._emit || !ev || !ev.points) return;
          gd._emit('select', {points: ev.points.map(p => ({x: p.x, y: p.y, curve_number: p.curveNumber,
                                                           point_number: p.pointNumber, point_index: p.pointIndex}))});
        });
      }
      gd._select = !!spec.select;
      gd.dataset.drawn = String((+gd.dataset.drawn || 0) + 1);
    }
    gd.parentElement.querySelector('.emgviz-plotly-error').textContent = '';
  } catch (e) {  // keep a newer figure that arrived meanwhile; the same figure again is retried
    gd._text = gd._next ? gd._text : null;
    gd.parentElement.querySelector('.emgviz-plotly-error').textContent = 'Could not draw this chart: ' + (e && e.message || e);
  } finally {
    gd._busy = false;
    gd.dataset.pending = gd._next ? '1' : '0';
    if (gd._next) pump(gd); else fit(gd);
  }
}

function fit(gd) {  // the container's width changed (sidebar, window, full screen): relayout, never redraw data;
  const w = width(gd);  // never while a react runs (Plotly does not queue its calls): pump calls it after
  if (gd._busy || w === gd._w || !gd._fullLayout || !window.Plotly) return;
  gd._w = w;
  const full = document.fullscreenElement === gd.parentElement;
  gd._busy = true;
  window.Plotly.relayout(gd, {width: w, height: full ? window.innerHeight : gd._figHeight})
    .then(() => drawOverlay(gd), () => {})
    .finally(() => { gd._busy = false; if (gd._next) pump(gd); else fit(gd); });
}

function setup(parentElement) {
  const wrap = document.createElement('div');
  wrap.className = 'emgviz-plotly-wrap';
  wrap.style.cssText = 'position:relative;width:100%;background:#fff;';
  const gd = document.createElement('div');
  gd.className = 'emgviz-plotly';
  const overlay = document.createElement('div');
  overlay.className = 'emgviz-plotly-overlay';
  overlay.style.cssText = 'position:absolute;left:0;top:0;pointer-events:none;';
  const err = document.createElement('div');
  err.className = 'emgviz-plotly-error';
  err.style.cssText = 'color:#b00020;font-size:14px;';
  wrap.append(gd, overlay, err);
  parentElement.appendChild(wrap);
  gd._ro = new ResizeObserver(() => fit(gd));
  gd._ro.observe(wrap);
  gd._themeTimer = setInterval(() => {  // the user switched light ↔ dark (Settings): draw again in that theme
    if (!gd.isConnected || !gd._text || gd._busy) return;
    if (themeKey(gd) !== gd._themeKey) { gd._next = JSON.parse(gd._text); gd.dataset.pending = '1'; pump(gd); }
  }, 1000);
  return gd;
}

function themeKey(gd) {
  gd._theme = pageTheme(gd.parentElement);
  return gd._theme ? JSON.stringify(gd._theme) : '';
}

export default function (component) {
  const { data, parentElement, setTriggerValue } = component;
  const gd = parentElement.querySelector('div.emgviz-plotly') || setup(parentElement);
  const box = parentElement.closest('[class*="st-key-"]');  // the element's container names the chart's key
  const m = box && /(?:^|\s)st-key-(\S+)/.exec(box.className);
  gd.dataset.key = m ? m[1] : (component.key || '');
  gd._emit = setTriggerValue;
  const text = typeof data === 'string' ? data
             : (data instanceof ArrayBuffer || ArrayBuffer.isView(data)) ? new TextDecoder().decode(data) : JSON.stringify(data);
  const cleanup = () => setTimeout(() => {  // unmounted (not just re-rendered): free Plotly's listeners and the observer
    if (gd.isConnected) return;
    if (gd._ro) gd._ro.disconnect();
    clearInterval(gd._themeTimer);
    if (window.Plotly) window.Plotly.purge(gd);
  }, 0);
  if (text === gd._text) return cleanup;  // a rerun that changed nothing: nothing to draw
  gd._text = text;
  gd._next = JSON.parse(text);
  gd.dataset.pending = '1';
  pump(gd);
  return cleanup;
}
"""
