"""The Overview's event labels at 1024×768 (a projector): labels along the top of the plot never overlap (the
later of two that would is hidden, as Plotly skips tick labels); zoomed in, all of them show again."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from .conftest import wait_rendered
from .test_browser import no_exception

LABELS_JS = """() => {
  const gd = document.querySelector('div.emgviz-plotly');
  const fl = gd._fullLayout;
  return [...gd.querySelectorAll('.annotation[data-index]')]
    .filter(el => { const a = fl.annotations[+el.dataset.index]; return a.yref === 'paper' && a.y === 1; })
    .map(el => { const r = el.getBoundingClientRect();
                 return {text: el.textContent, left: r.left, right: r.right, shown: el.style.visibility !== 'hidden'}; });
}"""


def _overlaps(labels) -> int:
    shown = sorted((x for x in labels if x["shown"]), key=lambda x: x["left"])
    return sum(b["left"] < a["right"] for a, b in zip(shown, shown[1:]))


def test_event_labels_do_not_overlap_on_a_projector(page: Page, streamlit_url, shots):
    page.set_viewport_size({"width": 1024, "height": 768})
    page.goto(streamlit_url)
    expect(page.locator("div.emgviz-plotly .main-svg").first).to_be_visible(timeout=60_000)
    wait_rendered(page)
    page.wait_for_function("() => document.querySelector('div.emgviz-plotly').dataset.hiddenLabels !== undefined")
    labels = page.evaluate(LABELS_JS)
    assert len(labels) == 12 and {x["text"] for x in labels} == {f"class={i}" for i in range(1, 7)}
    assert _overlaps(labels) == 0
    hidden = [x for x in labels if not x["shown"]]
    assert 0 < len(hidden) < 6, labels  # at this width some would overlap: those are hidden, most stay
    page.locator("div.emgviz-plotly").first.screenshot(path=str(shots / "overview_labels_1024.png"))

    # zoom into the first 20 s (drag across the plot): room for every label there
    box = page.locator("div.emgviz-plotly .nsewdrag").first.bounding_box()
    y = box["y"] + box["height"] / 2
    page.mouse.move(box["x"] + 2, y)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] * 0.3, y, steps=8)
    page.mouse.up()
    page.wait_for_function("() => document.querySelector('div.emgviz-plotly')._fullLayout.xaxis.range[1] < 25")
    page.wait_for_timeout(300)
    inside = [x for x in page.evaluate(LABELS_JS) if x["right"] > 0 and x["shown"]]
    assert _overlaps(page.evaluate(LABELS_JS)) == 0
    assert len(inside) >= 4
    no_exception(page)
