"""Compiled steps of a Welch PSD around NumPy's FFT (numba; imported by :func:`emgviz.td_kernel.welch_kernels`).

:func:`emgviz.spectral._welch_sum` transforms the Hann-windowed, mean-removed segments of a long row
batch by batch. NumPy needs three passes and two temporaries per batch to prepare them (the
segment means over a strided view, the subtraction, the window) and one more to sum the squared
magnitudes; here each segment is read once into the batch buffer (:func:`welch_frames`) and the
squared magnitudes are added in one pass (:func:`power_sum`). The FFT stays NumPy's. Same
operations as the NumPy path, summed in another order: the PSD agrees to rounding (≈ 1e-15 relative).

Importing this module imports numba and loads the kernels from numba's on-disk cache (compiling
them once per install when there is no cache). Kept apart so that ``import emgviz`` never imports numba.
"""

from __future__ import annotations

from numba import njit


@njit(cache=True, nogil=True)
def welch_frames(x, first, count, hop, win, out):  # pragma: no cover - compiled; tested through emgviz.spectral
    """``out[k] = (x[s:s+n] − mean(x[s:s+n])) · win`` for ``s = (first + k)·hop``, ``k < count``; n = ``len(win)``.

    ``x`` a 1-D float64 row, ``out`` a C-contiguous (≥ count, n) float64 buffer. The mean is summed in
    four interleaved partial sums (relative error ≤ (n/4 + 2)·2⁻⁵³ of Σ|x|), then each sample is
    read again from cache, mean-subtracted and windowed.
    """
    n = win.shape[0]
    for k in range(count):
        s = (first + k) * hop
        a0 = 0.0
        a1 = 0.0
        a2 = 0.0
        a3 = 0.0
        j = 0
        while j + 4 <= n:
            a0 += x[s + j]
            a1 += x[s + j + 1]
            a2 += x[s + j + 2]
            a3 += x[s + j + 3]
            j += 4
        while j < n:
            a0 += x[s + j]
            j += 1
        m = ((a0 + a1) + (a2 + a3)) / n
        for j in range(n):
            out[k, j] = (x[s + j] - m) * win[j]


@njit(cache=True, nogil=True)
def power_sum(parts, count, acc):  # pragma: no cover - compiled; tested through emgviz.spectral
    """``acc[j] += Σ_k parts[k, j]²`` over the first ``count`` rows of ``parts`` (a complex spectrum
    viewed as float64: real and imaginary parts side by side)."""
    m = acc.shape[0]
    for k in range(count):
        for j in range(m):
            v = parts[k, j]
            acc[j] += v * v
