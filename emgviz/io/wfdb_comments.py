"""Subject and recording facts from WFDB header comment lines (PhysioNet ``<tag>: value`` conventions)."""

from __future__ import annotations

import re

__all__ = ["parse_wfdb_comments", "HEADER_FACTS"]

#: Keys :func:`parse_wfdb_comments` may return, in display order, with their labels.
HEADER_FACTS = (("age", "Age"), ("sex", "Sex"), ("diagnosis", "Diagnosis"), ("medications", "Medications"),
                ("muscle", "Muscle"), ("electrode", "Electrode"), ("task", "Task"))

_TAG = re.compile(r"<\s*([A-Za-z ]+?)\s*>\s*:?\s*")
_TAG_KEYS = {"age": "age", "sex": "sex", "gender": "sex", "diagnoses": "diagnosis", "diagnosis": "diagnosis",
             "dx": "diagnosis", "medications": "medications", "medication": "medications"}
_ELECTRODE = re.compile(r"\b(?:EMG\s+)?(?:from\s+)?(?:an?\s+)?(?P<el>[\w .-]*?(?:needle|wire|surface|electrode)s?"
                        r"(?:\s+electrode)?)\b(?:\s+(?:placed\s+)?in(?:to)?\s+(?:the\s+)?(?P<mu>[\w ]+?)(?:\s+muscle)?)?\s*$",
                        re.IGNORECASE)
_TASK = re.compile(r"^(?:the\s+)?(?:patient|subject|participant)\b", re.IGNORECASE)


def parse_wfdb_comments(comments) -> dict:
    """Facts from WFDB header comment lines: age (int), sex, diagnosis, medications, muscle, electrode, task.

    Tagged fields follow PhysioNet's ``<age>: 44 <sex>: M`` convention (several per line; the colon
    is optional); an untagged line after a tagged one continues its last value. Free-text lines
    naming an electrode ("EMG from 25mm concentric needle electrode placed in tibialis anterior
    muscle") give ``electrode`` and ``muscle``; lines starting with "patient"/"subject" give ``task``.

    Examples
    --------
    >>> parse_wfdb_comments(["<age>: 62 <sex>: M", "<diagnoses>: neuropathy due to a", "right L5 radiculopathy",
    ...     "EMG from 25mm concentric needle electrode placed in tibialis anterior muscle"])["diagnosis"]
    'neuropathy due to a right L5 radiculopathy'
    """
    out: dict = {}
    last_key = None
    for raw in comments or ():
        line = str(raw).strip(" \t#")
        if not line:
            continue
        tags = list(_TAG.finditer(line))
        if tags:
            for i, m in enumerate(tags):
                key = _TAG_KEYS.get(m.group(1).strip().lower(), m.group(1).strip().lower())
                stop = tags[i + 1].start() if i + 1 < len(tags) else len(line)
                out[key] = line[m.end():stop].strip()
                last_key = key
            continue
        el = _ELECTRODE.search(line)
        if el and "electrode" not in out and re.search(r"needle|wire|electrode", line, re.IGNORECASE):
            out["electrode"] = el.group("el").strip()
            if el.group("mu"):
                out["muscle"] = el.group("mu").strip()
            last_key = None
        elif _TASK.match(line):
            out["task"] = line
            last_key = None
        elif last_key is not None:
            out[last_key] = f"{out[last_key]} {line}".strip()
    if "age" in out:
        m = re.match(r"\s*(\d{1,3})", str(out["age"]))
        if m:
            out["age"] = int(m.group(1))
        else:
            out.pop("age")
    return {k: v for k, v in out.items() if v not in ("", None)}
