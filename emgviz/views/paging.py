"""Channel paging: a file with thousands of channels is shown 16 per screen, so no figure grows past a few MB."""

from __future__ import annotations

import streamlit as st

__all__ = ["CHANNELS_PER_PAGE", "channel_page"]

#: Channels drawn per screen in the stacked figures.
CHANNELS_PER_PAGE = 16


def channel_page(names, key: str, *, on_change=None) -> list[str]:
    """The channels of the page the user picked (all of them when they fit on one page).

    Parameters
    ----------
    names : sequence of str
        Every channel, in display order.
    key : str
        Widget key of the page picker.
    on_change : callable, optional
        Called when the user picks another page (e.g. to reset a channel choice).
    """
    names = list(names)
    if len(names) <= CHANNELS_PER_PAGE:
        return names
    pages = -(-len(names) // CHANNELS_PER_PAGE)
    page = int(st.number_input(f"Channel page (of {pages}; {CHANNELS_PER_PAGE} of {len(names)} channels per "
                               "screen)", min_value=1, max_value=pages, value=1, step=1, key=key,
                               on_change=on_change))
    return names[(page - 1) * CHANNELS_PER_PAGE: page * CHANNELS_PER_PAGE]
