"""Compare view, the sessions part: files to compare, their reader prompts, labels, channel mapping, link state.

Everything a user sets here is kept in session state by *slot* (the loaded file, an upload's
name, a bundled sample's key), never by label, so renaming or reordering sessions keeps it.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import pandas as pd
import streamlit as st

from .. import samples
from ..channel_map import mapping_by_name, mapping_by_order, swap_left_right
from ..compare import Session, match_channels
from ..errors import NeedsChoice, NeedsSamplingRate, ReadError
from ..export import Source
from ..recording import Recording
from .cache import file_digest, read_cached, read_key, rec_key
from .context import ViewContext
from .text import md

__all__ = ["candidates", "labelled", "mapping_editor", "default_labels", "apply_link_state", "write_link_state"]

_P = "compare_"
_QP = ("compare.samples", "compare.labels", "compare.map", "compare.ref")


def _emg(rec: Recording) -> Recording:
    return rec.pick_kind("emg") if "emg" in rec.ch_kinds else rec


def _group_uploads(uploads) -> list[tuple[str, tuple[tuple[str, bytes], ...]]]:
    """Uploaded files as recordings: a WFDB .hea travels with its .dat, every other file stands alone."""
    files = [(u.name, u.getvalue()) for u in uploads or []]
    stems = {Path(n).stem for n, _ in files if n.lower().endswith(".hea")}
    groups: dict[str, list] = {}
    for name, content in files:
        stem = Path(name).stem
        key = stem if stem in stems and Path(name).suffix.lower() in (".hea", ".dat") else name
        groups.setdefault(key, []).append((name, content))
    out = []
    for key, group in groups.items():
        group.sort(key=lambda f: not f[0].lower().endswith(".hea"))
        out.append((group[0][0], tuple(group)))
    return out


def _slug(text: str) -> str:
    """Widget-key part from a name (file names use :func:`emgviz.export.safe_stem`)."""
    return re.sub(r"[^A-Za-z0-9]+", "_", text)[:40]


def _upload_slot(name: str) -> str:
    """Widget-key part of an uploaded file: readable start plus a hash of the whole name, so names that
    differ only after 40 characters or in punctuation (``a b.csv``, ``a-b.csv``) get different keys."""
    return "up_" + _slug(name) + "_" + hashlib.sha256(name.encode("utf-8", "replace")).hexdigest()[:10]


_UNIT_CHOICES = {"a.u.": None, "V": "V", "mV": "mV", "µV": "uV"}  # as the sidebar offers them


def _read_or_say(files, name: str, slot: str, defaults: dict | None = None) -> tuple[Recording, str, dict] | None:
    """The EMG channels of a recording, their processing-cache key and the reader options used.

    What the file does not say is asked here, as the sidebar asks it: the sampling rate, a
    choice between groups/variables, and the unit of values stored without one. Returns
    None (after saying what to enter) until the file can be read.
    """
    digest = file_digest(files)
    opts = st.session_state.setdefault(f"{_P}read_{slot}", {"fs": None, "options": dict(defaults or {})})
    while True:
        try:
            rec = read_cached(digest, tuple(n for n, _ in files), opts["fs"],
                              json.dumps(opts["options"], sort_keys=True), tuple(files))
            break
        except NeedsSamplingRate:
            fs = st.number_input(f"Sampling rate of {name} (Hz): the file states none", min_value=1.0,
                                 max_value=1e6, value=None, placeholder="e.g. 1000", key=f"{_P}fs_{slot}")
            if fs is None:
                st.info(md(f"Enter the sampling rate of {name} above to add it to the comparison."))
                return None
            opts["fs"] = float(fs)
        except NeedsChoice as exc:
            if exc.option in opts["options"]:
                st.error(md(f"{name}: {exc}"))
                return None
            choice = st.selectbox(f"{name} holds several options for {exc.option!r}", exc.candidates,
                                  key=f"{_P}choice_{exc.option}_{slot}")
            opts["options"] = {**opts["options"], exc.option: choice}
        except ReadError as exc:
            st.error(md(str(exc)))
            return None
        except Exception as exc:  # a reader bug must not become a traceback on the page
            st.error(md(f"Cannot read {name!r}: {type(exc).__name__}: {exc}"))
            return None
    note = rec.meta.get("unit_note", "")
    if "unit=" in note or "unit" in opts["options"]:  # the file states no unit: let the user say it
        current = {v: k for k, v in _UNIT_CHOICES.items()}.get(opts["options"].get("unit"), "a.u.")
        choice = st.radio(f"Unit of the values of {name} (the file states none)", list(_UNIT_CHOICES),
                          index=list(_UNIT_CHOICES).index(current), horizontal=True, key=f"{_P}unit_{slot}")
        if choice != current:
            options = {k: v for k, v in opts["options"].items() if k != "unit"}
            if _UNIT_CHOICES[choice] is not None:
                options["unit"] = _UNIT_CHOICES[choice]
            opts["options"] = options
            st.rerun()
    rec = _emg(rec)
    kwargs = {**({"fs": opts["fs"]} if opts["fs"] is not None else {}), **opts["options"]}
    return rec, rec_key(read_key(digest, opts["fs"], opts["options"]), rec.ch_names), {"digest": digest, **kwargs}


def _source(name: str, read: dict) -> Source:
    return Source(name, read["digest"], {k: v for k, v in read.items() if k != "digest"})


def candidates(ctx: ViewContext) -> list[dict]:
    """Every recording the user added: the loaded one, uploads, bundled samples (errors shown, skipped).

    Each has ``key``, the id its processing is cached under (the loaded one's is ``ctx.key``,
    so its ``ctx.processed`` is reused).
    """
    found = [{"key": ctx.key, "name": ctx.name, "rec": ctx.rec, "slot": "current", "source": ctx.source}]
    uploads = st.file_uploader("Add recordings to compare (several allowed; WFDB: the .hea with its .dat)",
                               accept_multiple_files=True, key=_P + "upload")
    for name, files in _group_uploads(uploads):
        slot = _upload_slot(name)
        got = _read_or_say(files, name, slot)
        if got is None:
            continue
        found.append({"key": got[1], "name": name, "rec": got[0], "slot": slot, "source": _source(name, got[2])})
    titles = {s.key: s.title for s in samples.SAMPLES}
    picked = st.multiselect("Add bundled samples", list(titles), format_func=titles.get, key=_P + "samples")
    for key in picked:
        files = samples.sample_files(key)
        slot = "sample_" + _slug(key)
        got = _read_or_say(files, titles[key], slot, dict(samples.get_sample(key).read_options))
        if got is None:
            continue
        found.append({"key": got[1], "name": files[0][0], "rec": got[0], "slot": slot,
                      "source": _source(files[0][0], got[2])})
    return found


def default_labels(names) -> list[str]:
    """Session labels from the file names: the stem (at most 24 characters), made unique.

    Examples
    --------
    >>> default_labels(["day1.csv", "day2.csv", "a/day1.csv", "rec.hea"])
    ['day1', 'day2', 'day1 (2)', 'rec']
    """
    out: list[str] = []
    for name in names:
        stem = Path(str(name)).stem.strip()[:24].strip(" _-.") or "session"
        label, n = stem, 2
        while label in out:
            label, n = f"{stem} ({n})", n + 1
        out.append(label)
    return out


def labelled(cands: list[dict]) -> list[Session] | None:
    cols = st.columns(min(len(cands), 4))
    labels = []
    defaults = default_labels(c["name"] for c in cands)
    for i, c in enumerate(cands):
        with cols[i % len(cols)]:
            key = f"{_P}label_{c['slot']}"
            if key not in st.session_state:
                st.session_state[key] = defaults[i]
            labels.append(st.text_input(md(f"Label of {c['name']}"), key=key,
                                        help="From the file name; rename to pre/post, left/right, day 1/day 30 "
                                             "(the channel mapping stays)").strip())
            st.caption(md(f"{c['rec'].n_channels} ch @ {c['rec'].fs:g} Hz, {c['rec'].duration_s:.1f} s, "
                       f"{c['rec'].unit}"))
    dupes = sorted({lab for lab in labels if labels.count(lab) > 1})
    if dupes:
        st.error(md(f"Session labels must be unique; these repeat: {', '.join(map(repr, dupes))}. Rename one."))
        return None
    try:
        return [Session(lab, c["rec"]) for lab, c in zip(labels, cands)]
    except ValueError as exc:
        st.error(md(str(exc)))
        return None


def _mapping_store() -> dict:
    """The muscle of every channel, by session *slot* (not label): renaming or reordering keeps it."""
    return st.session_state.setdefault(_P + "muscles", {})


def _apply_helper(helper: str, sessions: list[Session], slots: list[str]) -> None:
    store = _mapping_store()
    by_slot = dict(zip([s.label for s in sessions], slots))
    if helper == "name":
        new = mapping_by_name(sessions)
    elif helper == "order":
        new = mapping_by_order(sessions)
    else:  # swap the sides of the last session's muscles
        base = {s.label: {ch: store.get(by_slot[s.label], {}).get(ch, ch) for ch in s.recording.ch_names}
                for s in sessions}
        new = swap_left_right(base, sessions[-1].label)
    for lab, m in new.items():
        store[by_slot[lab]] = dict(m)
    st.session_state[_P + "mapping_version"] = st.session_state.get(_P + "mapping_version", 0) + 1


def mapping_editor(sessions: list[Session], slots: list[str]) -> dict:
    """A table of every channel and the muscle it counts as; shown open when names differ.

    The muscles live in session state by session slot, so renaming a session or changing the
    order keeps them; "Match by name", "Match by order" and "Swap left/right" fill the table.
    """
    store = _mapping_store()
    auto = None
    for s, slot in zip(sessions, slots):  # a new session starts from the name match
        known = store.setdefault(slot, {})
        if any(ch not in known for ch in s.recording.ch_names):
            auto = auto or mapping_by_name(sessions)
            for ch in s.recording.ch_names:
                known.setdefault(ch, auto[s.label][ch])
    rows = [{"session": s.label, "channel": ch, "muscle": store[slot][ch]}
            for s, slot in zip(sessions, slots) for ch in s.recording.ch_names]
    current = {s.label: {ch: store[slot][ch] for ch in s.recording.ch_names} for s, slot in zip(sessions, slots)}
    matches = match_channels(sessions, mapping=current)
    differ = not matches["matched"].all()
    with st.expander("Channel mapping (which channel is which muscle)", expanded=differ):
        c1, c2, c3 = st.columns(3)
        c1.button("Match by name", key=_P + "match_name", on_click=_apply_helper, args=("name", sessions, slots),
                  help="Channels with the same name (ignoring case, spaces and punctuation) are one muscle")
        c2.button("Match by order", key=_P + "match_order", on_click=_apply_helper, args=("order", sessions, slots),
                  help="Channel 1 of every session is the first session's channel 1, and so on")
        c3.button(f"Swap left/right in {sessions[-1].label}", key=_P + "swap_lr",
                  on_click=_apply_helper, args=("swap", sessions, slots),
                  help="For electrodes placed mirrored: _L becomes _R, Left becomes Right, in the last session")
        if differ:
            st.info("Channel names differ between sessions. Use the buttons above, or type the same muscle "
                    "name for channels that record the same muscle; unmatched: "
                    + md("; ".join(f"{k}: {', '.join(v)}" for k, v in matches.attrs["unmatched"].items() if v)))
        sig = hashlib.sha256(json.dumps([slots, [list(s.recording.ch_names) for s in sessions]]).encode()
                             ).hexdigest()[:8]
        version = st.session_state.get(_P + "mapping_version", 0)
        edited = st.data_editor(pd.DataFrame(rows), disabled=["session", "channel"], hide_index=True,
                                key=f"{_P}mapping_{sig}_{version}", width="stretch")
    slot_of = dict(zip([s.label for s in sessions], slots))
    mapping: dict[str, dict[str, str]] = {}
    for r in edited.itertuples(index=False):
        muscle = str(r.muscle).strip() if isinstance(r.muscle, str) else ""
        store[slot_of[r.session]][r.channel] = muscle or r.channel
        if muscle and muscle != r.channel:
            mapping.setdefault(r.session, {})[r.channel] = muscle
    return mapping


# ---- link state: a copied link reopens the same comparison -----------------------------------------
def apply_link_state() -> None:
    """On a session's first Compare run, seed the samples, labels, mapping and reference from the URL.

    Keys (namespaced, kept by the sidebar's URL writer): ``compare.samples`` (bundled sample
    keys, comma-separated), ``compare.labels`` and ``compare.map`` (JSON by slot),
    ``compare.ref`` (the reference label). Bad values are ignored with a warning. Uploaded
    files cannot travel in a link; their labels and mapping do, and apply when the same
    file is uploaded again.
    """
    if st.session_state.get(_P + "qp_applied"):
        return
    st.session_state[_P + "qp_applied"] = True
    qp = st.query_params
    known = {s.key for s in samples.SAMPLES}
    if "compare.samples" in qp:
        keys = [k for k in qp["compare.samples"].split(",") if k]
        bad = [k for k in keys if k not in known]
        if bad:
            st.warning(md(f"Ignored bundled sample(s) {', '.join(map(repr, bad))} from the link: no such sample."))
        st.session_state[_P + "samples"] = [k for k in keys if k in known]
    for name, apply in (("compare.labels", _apply_labels), ("compare.map", _apply_map)):
        if name in qp:
            try:
                apply(json.loads(qp[name]))
            except (ValueError, TypeError, AttributeError):
                st.warning(md(f"Ignored {name} from the link: it is not the JSON this app writes."))
    if "compare.ref" in qp:
        st.session_state[_P + "link_reference"] = str(qp["compare.ref"])


def _apply_labels(labels: dict) -> None:
    for slot, label in dict(labels).items():
        st.session_state[f"{_P}label_{_slug(str(slot))}"] = str(label)[:60]


def _apply_map(mapping: dict) -> None:
    store = _mapping_store()
    for slot, chans in dict(mapping).items():
        store.setdefault(_slug(str(slot)), {}).update({str(c): str(m)[:60] for c, m in dict(chans).items()})


def write_link_state(cands: list[dict], sessions: list[Session], reference: str) -> None:
    """Keep the URL in step with this comparison (see :func:`apply_link_state`)."""
    store = _mapping_store()
    slots = [c["slot"] for c in cands]
    params = {
        "compare.samples": ",".join(st.session_state.get(_P + "samples") or []),
        "compare.labels": json.dumps({slot: s.label for slot, s in zip(slots, sessions)}, separators=(",", ":")),
        "compare.map": json.dumps({slot: {ch: m for ch, m in store.get(slot, {}).items() if m != ch}
                                   for slot in slots if any(m != ch for ch, m in store.get(slot, {}).items())},
                                  separators=(",", ":")),
        "compare.ref": reference,
    }
    for k, v in params.items():
        if st.query_params.get(k) != v:
            st.query_params[k] = v


def link_reference(labels: list[str]) -> int:
    """Index of the reference label the link asked for (0 when it names no current session)."""
    want = st.session_state.get(_P + "link_reference")
    return labels.index(want) if want in labels else 0
