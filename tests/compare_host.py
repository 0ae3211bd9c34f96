"""AppTest host for the Compare view: the UCI sample at twice its amplitude is the loaded recording."""

import hashlib

import streamlit as st

from emgviz.io import read_file
from emgviz.pipeline import preprocess
from emgviz.samples import sample_path
from emgviz.settings import Settings
from emgviz.views import compare
from emgviz.views.context import ViewContext


@st.cache_resource
def _loaded():
    rec = read_file(sample_path("uci-gestures"), unit="V")
    return rec.with_data(rec.data * 2.0, source="doubled")


rec = _loaded()
settings = Settings()
digest = hashlib.sha256(b"uci-doubled").hexdigest()
ctx = ViewContext(rec=rec, full=rec, processed=preprocess(rec, settings), settings=settings,
                  name="uci doubled", digest=digest, description="test host", key=digest[:12])
compare.render(ctx)
