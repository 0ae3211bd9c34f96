"""The sidebar through the real app: sources and their defaults."""

from apptest_utils import assert_no_exception, new_app


# ---- synthetic source ----------------------------------------------------------------------------
def test_synthetic_source_uses_the_teach_views_defaults():
    from emgviz.views.teach import DEFAULTS

    at = new_app(timeout=120).run()
    at.radio(key="source").set_value("Synthetic").run()
    assert_no_exception(at)
    caption = " ".join(c.value for c in at.caption)
    assert f"{DEFAULTS['n_channels']} EMG channel" in caption, caption
