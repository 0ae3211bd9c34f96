"""Multi-MUP decomposition: detect discharges, classify them into templates, reject superimpositions.

The method follows the template-matching multi-MUP analysis of Stålberg E, Falck B, Sonoo M,
Stålberg S, Åström M. "Multi-MUP EMG analysis — a two year experience in daily clinical work."
*Electroencephalogr Clin Neurophysiol* 97:145–154 (1995): discharges are detected by a level
trigger, classified by waveform against running templates, and each template is the average of its
discharges after rejecting superimposed (distorted) ones. Here the average is a median, so
non-time-locked activity of other units leaves no trace, and discharges are aligned with
sub-millisecond precision on a signal upsampled to ≥ 16 kHz.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import signal

__all__ = ["Discharges", "detect_discharges", "classify", "robust_sd"]


def robust_sd(x: np.ndarray) -> float:
    """Noise SD from the median absolute value: median(|x|)/0.6745 (Quiroga et al. 2004, Neural Comput 16:1661)."""
    return float(np.median(np.abs(x)) / 0.6745)


@dataclass(frozen=True)
class Discharges:
    """Candidate discharges: alignment indices (largest |x| of each burst of activity) and the threshold."""

    index: np.ndarray
    threshold_uv: float
    noise_uv: float


def detect_discharges(y: np.ndarray, fs: float, *, threshold_sd: float = 5.0, min_peak_uv: float = 30.0,
                      merge_ms: float = 2.0) -> Discharges:
    """Level-trigger detection: bursts where |y| exceeds the threshold; one candidate per burst.

    Threshold = max(``threshold_sd`` × noise SD, ``min_peak_uv``). Crossings closer than ``merge_ms``
    belong to one burst (the phases of one potential); the candidate is the burst's largest |y|.
    """
    noise = robust_sd(y)
    thr = max(threshold_sd * noise, float(min_peak_uv))
    above = np.abs(y) > thr
    idx = np.flatnonzero(above)
    if idx.size == 0:
        return Discharges(np.empty(0, dtype=np.int64), thr, noise)
    gap = max(1, int(round(merge_ms * fs / 1000.0)))
    breaks = np.flatnonzero(np.diff(idx) > gap)
    starts = np.concatenate([[idx[0]], idx[breaks + 1]])
    stops = np.concatenate([idx[breaks], [idx[-1]]])
    a = np.abs(y)
    peaks = np.array([s + int(np.argmax(a[s:e + 1])) for s, e in zip(starts, stops)], dtype=np.int64)
    return Discharges(peaks, thr, noise)


def _windows(y: np.ndarray, centres: np.ndarray, pre: int, post: int) -> np.ndarray:
    """Rows y[c - pre : c + post + 1]; centres too near the ends must be removed beforehand."""
    offs = np.arange(-pre, post + 1)
    return y[centres[:, None] + offs[None, :]]


def _shift_windows(y: np.ndarray, c: int, h: int, shifts: np.ndarray) -> np.ndarray:
    """Rows y[c + sh - h : c + sh + h + 1] for every shift sh."""
    return y[c + shifts[:, None] + np.arange(-h, h + 1)[None, :]]


def _match(win: np.ndarray, tm: np.ndarray, te: np.ndarray, theta: float, slack: float) -> tuple[int, int]:
    """(template index, shift row) of the best acceptable match, or (-1, 0).

    ``win`` (S, n) are the event's shifted windows, ``tm`` (K, n) the templates, ``te`` their energies;
    the residual energy ‖w − T‖² = ‖w‖² − 2 w·T + ‖T‖² is computed for all shifts and templates at once.
    """
    if tm.shape[0] == 0:
        return -1, 0
    r = (win ** 2).sum(axis=1)[:, None] - 2.0 * (win @ tm.T) + te[None, :]
    best_s = np.argmin(r, axis=0)
    best_r = r[best_s, np.arange(r.shape[1])]
    ok = best_r <= theta * te + slack
    if not ok.any():
        return -1, 0
    k = int(np.flatnonzero(ok)[np.argmin(best_r[ok])])
    return k, int(best_s[k])


def classify(y: np.ndarray, fs: float, centres: np.ndarray, noise_uv: float, *, core_ms: float = 3.0,
             shift_ms: float = 1.5, theta: float = 0.2, min_discharges: int = 5, passes: int = 3,
             ) -> list[np.ndarray]:
    """Group discharges into units by template matching on the core of each potential.

    A discharge joins the template with the smallest residual energy over ±``core_ms`` around the
    peak (best of shifts within ±``shift_ms``) when ``Σr² ≤ theta·ΣT² + 2·n·σ²`` (σ = noise SD);
    otherwise it starts a new template. Templates are then re-estimated as medians and all
    discharges reassigned (``passes`` times); templates with fewer than ``min_discharges`` members
    are dropped (superimpositions and rare shapes), near-identical templates merged.

    Returns
    -------
    list of ndarray
        Per unit, the aligned centre indices of its discharges (sorted), largest unit first.
    """
    h = int(round(core_ms * fs / 1000.0))
    s = int(round(shift_ms * fs / 1000.0))
    shifts = np.arange(-s, s + 1)
    n = 2 * h + 1
    slack = 2.0 * n * noise_uv ** 2
    ok = (centres - h - s >= 0) & (centres + h + s < y.size)
    centres = centres[ok]
    if centres.size == 0:
        return []
    # greedy pass in order of decreasing peak size: big, clear units seed first
    order = np.argsort(-np.abs(y[centres]))
    sums = np.zeros((64, n))
    counts = np.zeros(64)
    born = np.zeros(64, dtype=np.int64)
    k_used = 0
    for i_ev, c in enumerate(centres[order]):
        if i_ev and i_ev % 300 == 0:  # forget old singletons (superimpositions) so the search stays small
            keep = (counts[:k_used] > 1) | (born[:k_used] > i_ev - 300)
            m = int(keep.sum())
            sums[:m], counts[:m], born[:m] = sums[:k_used][keep], counts[:k_used][keep], born[:k_used][keep]
            k_used = m
        win = _shift_windows(y, c, h, shifts)
        tm = sums[:k_used] / counts[:k_used, None]
        k, si = _match(win, tm, (tm ** 2).sum(axis=1), theta, slack)
        if k < 0:
            if k_used == sums.shape[0]:
                sums = np.vstack([sums, np.zeros_like(sums)])
                counts = np.concatenate([counts, np.zeros_like(counts)])
                born = np.concatenate([born, np.zeros_like(born)])
            sums[k_used] = win[s]
            counts[k_used] = 1
            born[k_used] = i_ev
            k_used += 1
        else:
            sums[k] += win[si]
            counts[k] += 1
    keep = counts[:k_used] >= max(2, min_discharges // 2)
    templates = list(sums[:k_used][keep] / counts[:k_used][keep, None])
    members: list = []
    for _ in range(passes):
        if not templates:
            return []
        tm = np.asarray(templates)
        te = (tm ** 2).sum(axis=1)
        assigned: list[list[int]] = [[] for _ in templates]
        for c in centres:
            k, si = _match(_shift_windows(y, c, h, shifts), tm, te, theta, slack)
            if k >= 0:
                assigned[k].append(c + shifts[si])
        members = [np.unique(np.asarray(m, dtype=np.int64)) for m in assigned if len(m) >= min_discharges]
        templates = [np.median(_windows(y, m, h, h), axis=0) for m in members]
        templates, members = _merge_similar(templates, members, theta / 2, s)
    out = [np.asarray(m) for m in members]
    size = [float(np.ptp(t)) for t in templates]
    return [out[k] for k in np.argsort(size)[::-1]]


def _shifted_residual(a: np.ndarray, b: np.ndarray, max_shift: int) -> tuple[float, int]:
    """(smallest mean squared difference of a[i + sh] and b[i] over their overlap, its shift sh)."""
    n = a.size
    best, best_sh = np.inf, 0
    for sh in range(-max_shift, max_shift + 1):
        ia = slice(max(0, sh), n + min(0, sh))
        ib = slice(max(0, -sh), n - max(0, sh))
        r = float(((a[ia] - b[ib]) ** 2).mean())
        if r < best:
            best, best_sh = r, sh
    return best, best_sh


def _merge_similar(templates, members, theta, max_shift=0):
    """Merge templates whose residual (best shift within ±``max_shift``) is below ``theta`` × the
    smaller energy: the same unit aligned on two different phases, or split by noise."""
    merged = True
    while merged and len(templates) > 1:
        merged = False
        for i in range(len(templates)):
            for j in range(i + 1, len(templates)):
                a, b = templates[i], templates[j]
                r, sh = _shifted_residual(a, b, max_shift)
                if r <= theta * min((a ** 2).mean(), (b ** 2).mean()):
                    # y[c_b + i] ≈ b[i] ≈ a[i + sh]  ⇒  the same discharge aligned like a is at c_b − sh
                    if len(members[j]) > len(members[i]):
                        mi = np.unique(np.concatenate([members[j], members[i] + sh]))
                        keep = b
                    else:
                        mi = np.unique(np.concatenate([members[i], members[j] - sh]))
                        keep = a
                    members = [m for k, m in enumerate(members) if k not in (i, j)] + [mi]
                    templates = [t for k, t in enumerate(templates) if k not in (i, j)] + [keep]
                    merged = True
                    break
            if merged:
                break
    return templates, members


def realign(y: np.ndarray, units: list[np.ndarray], *, h: int, max_shift: int) -> list[np.ndarray]:
    """Move each discharge by up to ±``max_shift`` samples to best fit its unit's median core (±``h``)."""
    shifts = np.arange(-max_shift, max_shift + 1)
    out = []
    for u in units:
        u = u[(u - h - max_shift >= 0) & (u + h + max_shift < y.size)]
        if u.size == 0:
            out.append(u)
            continue
        tm = np.median(_windows(y, u, h, h), axis=0)
        for _ in range(2):
            win = y[u[:, None, None] + shifts[None, :, None] + np.arange(-h, h + 1)[None, None, :]]
            r = ((win - tm[None, None, :]) ** 2).sum(axis=2)
            u = u + shifts[np.argmin(r, axis=1)]
            tm = np.median(_windows(y, u, h, h), axis=0)
        out.append(np.unique(u))
    return out


def upsample(y: np.ndarray, fs: float, min_fs: float = 16000.0) -> tuple[np.ndarray, float, int]:
    """``(y_up, fs_up, factor)``: band-limited upsampling (``resample_poly``) to at least ``min_fs``."""
    factor = max(1, int(np.ceil(min_fs / fs)))
    if factor == 1:
        return y, fs, 1
    return signal.resample_poly(y, factor, 1), fs * factor, factor


def peel(y: np.ndarray, fs: float, units: list[np.ndarray], noise_uv: float, *, pre: int, post: int,
         core_ms: float = 3.0, shift_ms: float = 1.5, theta: float = 0.1, threshold_uv: float,
         rounds: int = 2) -> list[np.ndarray]:
    """Recover discharges hidden in superimpositions by subtracting the known units ("peel-off").

    Each unit's median template (zero outside its potential) is subtracted at every assigned
    discharge; the residual is searched again with the same level trigger and template matching,
    so a discharge that overlapped another unit's is found once that unit is removed
    (McGill KC, Cummins KL, Dorfman LJ. *IEEE Trans Biomed Eng* 32:470–477, 1985).
    """
    from .measure import measure_template

    h = int(round(core_ms * fs / 1000.0))
    s = int(round(shift_ms * fs / 1000.0))
    shifts = np.arange(-s, s + 1)
    n = 2 * h + 1
    slack = 2.0 * n * noise_uv ** 2
    units = [np.asarray(u, dtype=np.int64) for u in units]
    if not units:
        return units
    offs = np.arange(-pre, post + 1)
    for _ in range(rounds):
        full, cores = [], []
        for u in units:
            u = u[(u - pre >= 0) & (u + post < y.size)]
            t = np.median(y[u[:, None] + offs[None, :]], axis=0) if u.size else np.zeros(offs.size)
            m = measure_template(t, fs, peak=pre)
            pad = int(round(fs / 1000.0))
            mask = np.zeros_like(t)
            mask[max(0, m.onset - pad): m.end + pad + 1] = 1.0
            full.append(t * mask)
            cores.append(t[pre - h: pre + h + 1])
        resid = y.copy()
        for u, t in zip(units, full):
            u = u[(u - pre >= 0) & (u + post < y.size)]
            np.add.at(resid, (u[:, None] + offs[None, :]).ravel(), -np.tile(t, u.size))
        new = detect_discharges(resid, fs, threshold_sd=0.0, min_peak_uv=threshold_uv).index
        new = new[(new - h - s >= 0) & (new + h + s < y.size)]
        added = 0
        tm = np.asarray(cores)
        te = (tm ** 2).sum(axis=1)
        for c in new:
            best_k, si = _match(_shift_windows(resid, c, h, shifts), tm, te, theta, slack)
            if best_k < 0:
                continue
            c2 = c + shifts[si]
            if units[best_k].size and np.min(np.abs(units[best_k] - c2)) < 2 * h:
                continue  # already known (a subtraction error of the same discharge)
            units[best_k] = np.sort(np.append(units[best_k], c2))
            added += 1
        if added == 0:
            break
    return units


def _potential_templates(y, fs, units, pre, post):
    """Per unit, the median template over the window, zero outside its potential (onset−1 ms … end+1 ms)."""
    from .measure import measure_template

    offs = np.arange(-pre, post + 1)
    pad = int(round(fs / 1000.0))
    out = []
    for u in units:
        u = u[(u - pre >= 0) & (u + post < y.size)]
        t = np.median(y[u[:, None] + offs[None, :]], axis=0) if u.size else np.zeros(offs.size)
        m = measure_template(t, fs, peak=pre)
        mask = np.zeros_like(t)
        mask[max(0, m.onset - pad): m.end + pad + 1] = 1.0
        out.append(t * mask)
    return out


def merge_units(y: np.ndarray, fs: float, units: list[np.ndarray], *, pre: int, post: int,
                theta: float = 0.1, max_shift_ms: float = 15.0) -> list[np.ndarray]:
    """Merge units whose whole potentials match at some lag (one unit aligned on different phases).

    The residual energy of the best lag within ±``max_shift_ms`` must be below ``theta`` × the smaller
    potential's energy; the merged discharges are re-aligned to the larger unit and de-duplicated.
    """
    units = [np.asarray(u, dtype=np.int64) for u in units]
    s = int(round(max_shift_ms * fs / 1000.0))
    merged = True
    while merged and len(units) > 1:
        merged = False
        full = _potential_templates(y, fs, units, pre, post)
        for i in range(len(units)):
            for j in range(i + 1, len(units)):
                a, b = full[i], full[j]
                ea, eb = float((a ** 2).sum()), float((b ** 2).sum())
                if ea == 0 or eb == 0:
                    continue
                xc = signal.correlate(a, b, mode="full", method="fft")  # xc[n-1+k] = Σ a[i+k] b[i]
                lags = np.arange(-(a.size - 1), a.size)
                inside = np.abs(lags) <= s
                j_best = int(np.argmax(np.where(inside, xc, -np.inf)))
                sh = int(lags[j_best])
                best = ea + eb - 2.0 * float(xc[j_best])
                if best <= theta * min(ea, eb):
                    big, small, shift = (i, j, -sh) if len(units[i]) >= len(units[j]) else (j, i, sh)
                    # y[c_b + i] ≈ b[i] ≈ a[i + sh]: a discharge at c_b in j is at c_b − sh aligned like i
                    cand = np.sort(np.concatenate([units[big], units[small] + shift]))
                    keep = np.concatenate([[True], np.diff(cand) > int(fs / 1000.0)])
                    new = [u for k2, u in enumerate(units) if k2 not in (i, j)] + [cand[keep]]
                    units = new
                    merged = True
                    break
            if merged:
                break
    return units


def centre_on_peak(y: np.ndarray, units: list[np.ndarray], *, pre: int, post: int) -> list[np.ndarray]:
    """Shift each unit's discharge indices so that its median template's largest |value| is at the centre.

    After merging, a unit may be aligned on a minor phase; clinicians (and :func:`measure_template`)
    align a MUP on its main peak.
    """
    offs = np.arange(-pre, post + 1)
    out = []
    for u in units:
        ok = u[(u - pre >= 0) & (u + post < y.size)]
        if ok.size == 0:
            out.append(u)
            continue
        t = np.median(y[ok[:, None] + offs[None, :]], axis=0)
        shift = int(np.argmax(np.abs(t))) - pre
        out.append(np.unique(u + shift))
    return out
