"""Streamlit views. Each module has ``render(ctx: ViewContext)`` and only wires widgets to emgviz.

Only this package and ``app.py`` import streamlit; the rest of emgviz never does.
"""
