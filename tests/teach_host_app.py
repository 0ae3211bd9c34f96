"""A tiny host for the Teach view (AppTest): the view with its own filter controls."""

from emgviz.views import teach

teach.render()
