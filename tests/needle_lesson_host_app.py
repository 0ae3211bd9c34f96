"""A tiny host for the Needle EMG lesson (AppTest)."""

from emgviz.views import needle_lesson

needle_lesson.render()
