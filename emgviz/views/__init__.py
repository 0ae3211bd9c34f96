"""Streamlit views. Each module has ``render(ctx: ViewContext)`` and only wires widgets to emgviz.

Only this package and ``app.py`` import streamlit; the rest of emgviz never does.
"""

#: The views, in the order shown. "Teach" makes its own signal; the others show the loaded file.
VIEWS = ("Overview", "Browse", "Summary", "Compare", "Needle", "Teach", "Live")
#: The module under emgviz.views that draws each view.
VIEW_MODULES = {"Overview": "overview", "Browse": "browser", "Summary": "summary", "Compare": "compare", "Needle": "needle",
                "Teach": "teach", "Live": "live"}

