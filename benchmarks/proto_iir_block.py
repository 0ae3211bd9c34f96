"""Prototype (#21, s4-iir): zero-phase SOS filtering by the block state-space method, in NumPy + BLAS.

NOT used by emgviz: measured by ``benchmarks/bench_iir.py`` against ``emgviz.filters`` (SciPy's compiled
section loop) and found slower on this machine, so it was not adopted (see RESULTS.md, section ``iir_block``).
It is kept so that the measurement can be repeated on another machine or BLAS.

Method (block processing of a recursive filter: Burrus, "Block, Multi-rate, Multi-dimensional Processing and
Distributed Arithmetic", OpenStax CNX m16914, 2008, section "Block recursion", after C. S. Burrus, "Block
realization of digital filters", IEEE Trans. Audio Electroacoust., 1972). The cascade of transposed direct
form II sections is one state-space system ``s[n+1] = A s[n] + B x[n]``, ``y[n] = C s[n] + D x[n]`` of order
``p = 2 * n_sections`` whose state is exactly ``sosfilt``'s ``zi`` (flattened). For blocks of ``L`` samples,

    y_k = O s_k + T x_k,    s_{k+1} = A^L s_k + R x_k,

with ``O = [C; CA; ...; CA^(L-1)]``, ``T`` the L×L lower-triangular Toeplitz matrix of the impulse response
``h[0..L-1]`` and ``R = [A^(L-1)B ... AB B]``. ``T x_k`` and ``R x_k`` for all blocks of all channels are two
matrix products (BLAS); only the block-to-block state recursion is sequential. It is made cheap by
diagonalising ``A = V Λ V⁻¹`` (the poles, distinct for Butterworth band-/low-passes and notches): in modal
coordinates ``z = V⁻¹ s`` the recursion is ``p`` independent first-order recursions ``z_{k+1} = λ^L z_k + w_k``.
Each conjugate pair runs as one real second-order section (SciPy's section loop, over ``n / L`` values
instead of ``n``; the initial state enters as ``λ^(Lk) z_0``), and ``O V`` is folded into the output product:
the buffer holds, per block, the ``p`` real modal state values followed by the ``L`` samples, and one product
``[2Re(OV) | -2Im(OV) | T]`` (L × (p+L)) gives every output sample. ``sosfiltfilt`` semantics are kept:
odd/even extension of ``padlen`` samples, initial state ``sosfilt_zi · first sample``, forward, then backward
from ``sosfilt_zi · last output``; only rounding differs (≈1e-13 of the output RMS for the EMG filters).
"""

from __future__ import annotations

import functools

import numpy as np


def state_space(sos: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
    """(A, B, C, D) of the SOS cascade in transposed direct form II; the state is ``sosfilt``'s ``zi`` raveled.

    Built by applying one step of the cascade (as ``scipy.signal.sosfilt`` computes it) to unit states and
    a unit input; ``sos[:, 3]`` must be 1.
    """
    sos = np.asarray(sos, dtype=np.float64)
    ns = sos.shape[0]
    p = 2 * ns

    def step(s: np.ndarray, u: float) -> tuple[np.ndarray, float]:
        s = s.reshape(ns, 2)
        out = np.empty_like(s)
        for i in range(ns):
            b0, b1, b2, _, a1, a2 = sos[i]
            y = b0 * u + s[i, 0]
            out[i, 0] = b1 * u - a1 * y + s[i, 1]
            out[i, 1] = b2 * u - a2 * y
            u = y
        return out.ravel(), u

    A = np.empty((p, p))
    C = np.empty(p)
    for j in range(p):
        e = np.zeros(p)
        e[j] = 1.0
        A[:, j], C[j] = step(e, 0.0)
    B, D = step(np.zeros(p), 1.0)
    return A, B, C, float(D)


class BlockFilter:
    """The block matrices of one SOS cascade for blocks of ``L`` samples (see the module docstring).

    Attributes: ``p`` (order), ``L``, ``cond`` (condition number of the eigenvector matrix V), ``Rw``
    (p × L: modal input matrix, real and imaginary rows), ``TO`` (L × (p+L), Fortran order: output matrix).
    Raises ValueError when A has repeated or nearly defective eigenvalues (cond(V) > 1e8).
    """

    def __init__(self, sos: np.ndarray, L: int):
        A, B, C, D = state_space(sos)
        p = A.shape[0]
        self.p, self.L = p, L
        O = np.empty((L, p))
        h = np.empty(L)
        h[0] = D
        row = C.copy()
        for m in range(L):
            O[m] = row
            if m + 1 < L:
                h[m + 1] = row @ B          # h[m+1] = C A^m B
            row = row @ A
        R = np.empty((p, L))
        col = B.copy()
        for j in range(L - 1, -1, -1):
            R[:, j] = col                   # A^(L-1-j) B
            col = A @ col
        idx = np.arange(L)
        lag = idx[:, None] - idx[None, :]
        T = np.where(lag >= 0, h[np.clip(lag, 0, None)], 0.0)
        lam, V = np.linalg.eig(A)
        self.cond = float(np.linalg.cond(V))
        if not np.isfinite(self.cond) or self.cond > 1e8:
            raise ValueError(f"the cascade's state matrix is not safely diagonalisable (cond(V) = {self.cond:.3g})")
        Vinv = np.linalg.inv(V)
        pairs = [i for i in range(p) if lam[i].imag > 1e-12]
        reals = [i for i in range(p) if abs(lam[i].imag) <= 1e-12]
        if 2 * len(pairs) + len(reals) != p:
            raise ValueError("unpaired complex eigenvalues")
        self.n_pairs, self.n_real = len(pairs), len(reals)
        wp = Vinv[pairs] @ R
        self.Rw = np.ascontiguousarray(np.vstack([wp.real, wp.imag, (Vinv[reals] @ R).real]))
        ovp = O @ V[:, pairs]
        self.TO = np.asfortranarray(np.hstack([2 * ovp.real, -2 * ovp.imag, (O @ V[:, reals]).real, T]))
        self.mu_p = lam[pairs] ** L
        self.mu_r = (lam[reals] ** L).real
        self.vinv_p = Vinv[pairs]
        self.vinv_r = Vinv[reals].real
        self.sec_p = [np.array([[1.0, 0.0, 0.0, 1.0, -2.0 * m.real, abs(m) ** 2]]) for m in self.mu_p]
        self.sec_r = [np.array([[1.0, 0.0, 0.0, 1.0, -m, 0.0]]) for m in self.mu_r]

    def run(self, blocks: np.ndarray, s0: np.ndarray, out: np.ndarray) -> None:
        """One pass (forward filtering) of every row.

        ``blocks`` (m, nb, p+L), C-contiguous: the samples in ``[..., p:]`` (zero after the end); its state
        slots ``[..., :p]`` are overwritten. ``s0`` (m, p): initial states (``sosfilt``'s zi raveled).
        ``out`` (m, nb*L), C-contiguous: receives the outputs.
        """
        from emgviz.filters import _inplace_sosfilt
        kernel = _inplace_sosfilt()
        m, nb, width = blocks.shape
        L, p, h = self.L, self.p, self.n_pairs
        cols = blocks.reshape(m * nb, width).T               # (p+L, m*nb), Fortran order
        w = (self.Rw @ cols[p:]).reshape(p, m, nb)            # modal inputs of every block
        st = blocks[:, :, :p]
        if h:
            mr, mi = self.mu_p.real[:, None, None], self.mu_p.imag[:, None, None]
            wr, wi = w[:h], w[h:2 * h]
            num = np.empty((h, 2, m, nb))                     # (1 - conj(mu) q^-1) w, real and imaginary
            num[:, 0] = wr
            num[:, 1] = wi
            num[:, 0, :, 1:] -= mr * wr[..., :-1] + mi * wi[..., :-1]
            num[:, 1, :, 1:] -= mr * wi[..., :-1] - mi * wr[..., :-1]
            z0 = s0 @ self.vinv_p.T
            for i in range(h):
                f = num[i].reshape(2 * m, nb)                 # / (1 - 2Re(mu) q^-1 + |mu|^2 q^-2)
                kernel(self.sec_p[i], f, np.zeros((2 * m, 1, 2)))
                st[:, 0, i] = 0.0
                st[:, 1:, i] = f[:m, :-1]
                st[:, 0, h + i] = 0.0
                st[:, 1:, h + i] = f[m:, :-1]
                _add_free_response(st, i, h + i, self.mu_p[i], z0[:, i])
        for j in range(self.n_real):
            c = 2 * h + j
            f = np.ascontiguousarray(w[c])
            kernel(self.sec_r[j], f, np.zeros((m, 1, 2)))
            st[:, 0, c] = 0.0
            st[:, 1:, c] = f[:, :-1]
            _add_free_response(st, c, None, self.mu_r[j], s0 @ self.vinv_r[j])
        np.matmul(self.TO, cols, out=out.reshape(m * nb, L).T)


def _add_free_response(st: np.ndarray, col_re: int, col_im, mu, z0: np.ndarray) -> None:
    """Add ``mu**k * z0`` to the modal state of block k, for the k where it is not below 1e-18 of z0."""
    nb = st.shape[1]
    a = abs(mu)
    k = nb if a >= 1 else (1 if a == 0 else min(nb, 1 + int(np.ceil(np.log(1e-18) / np.log(a)))))
    add = z0[:, None] * (mu ** np.arange(k))[None, :]
    st[:, :k, col_re] += add.real
    if col_im is not None:
        st[:, :k, col_im] += add.imag


@functools.lru_cache(maxsize=32)
def block_filter(sos_bytes: bytes, n_sections: int, L: int) -> BlockFilter:
    """:class:`BlockFilter` of the SOS matrix given by its bytes, cached."""
    return BlockFilter(np.frombuffer(sos_bytes, dtype=np.float64).reshape(n_sections, 6), L)


def _put(blocks: np.ndarray, off: int, L: int, start: int, values: np.ndarray) -> None:
    """Write ``values`` (m, k) to flat sample positions ``[start, start+k)`` of ``blocks[..., off:off+L]``."""
    m, k = values.shape
    if k == 0:
        return
    end = start + k
    b0, o0 = divmod(start, L)
    if o0:                                                    # head of a partly filled block
        e = min(end, (b0 + 1) * L)
        blocks[:, b0, off + o0:off + o0 + e - start] = values[:, :e - start]
        values = values[:, e - start:]
        start = e
        if start == end:
            return
    b0 = start // L
    nfull = (end - start) // L
    if nfull:
        blocks[:, b0:b0 + nfull, off:] = values[:, :nfull * L].reshape(m, nfull, L)
    rest = values[:, nfull * L:]
    if rest.shape[1]:
        blocks[:, b0 + nfull, off:off + rest.shape[1]] = rest


def block_filtfilt(sos, arr: np.ndarray, *, padtype: str = "odd", padlen: int | None = None,
                   subtract: np.ndarray | None = None, out: np.ndarray | None = None, L: int = 64) -> np.ndarray:
    """The arguments and result of ``emgviz.filters._filtfilt`` (zero-phase, last axis), by blocks of ``L``.

    Work buffers come from ``emgviz.filters._work`` slots 10 and 11 (reused inside ``scratch_buffers()``).
    """
    from emgviz.filters import _sosfilt_zi, _work, pad_length
    sos = np.asarray(sos, dtype=np.float64)
    n = arr.shape[-1]
    pad = pad_length(sos) if padlen is None else int(padlen)
    pad = max(0, min(pad, n - 1))
    bf = block_filter(sos.tobytes(), sos.shape[0], L)
    zi = _sosfilt_zi(sos.tobytes(), sos.shape[0]).ravel()
    rows = arr.reshape(-1, n)
    m = rows.shape[0]
    sub = None if subtract is None else np.broadcast_to(subtract, arr.shape[:-1] + (1,)).reshape(m, 1)
    total = n + 2 * pad
    nb = -(-total // L)
    p = bf.p
    blocks = _work(10, (m, nb, p + L))
    if pad:
        left, right = rows[:, pad:0:-1], rows[:, -2:-pad - 2:-1]
        if padtype == "odd":
            left, right = 2 * rows[:, :1] - left, 2 * rows[:, -1:] - right
        if sub is not None:
            left, right = left - sub, right - sub
        _put(blocks, p, L, 0, left)
        _put(blocks, p, L, pad + n, right)
    if sub is None:
        _put(blocks, p, L, pad, rows)
    else:
        for a in range(0, n, 1 << 16):                        # subtract piece by piece on the way in
            _put(blocks, p, L, pad + a, rows[:, a:a + (1 << 16)] - sub)
    _put(blocks, p, L, total, np.zeros((m, nb * L - total)))
    y = _work(11, (m, nb * L))
    first = blocks[:, 0, p:p + 1].copy()
    bf.run(blocks, zi[None, :] * first, y)                    # forward
    _put(blocks, p, L, 0, y[:, total - 1::-1])                # reversed, for the backward pass
    _put(blocks, p, L, total, np.zeros((m, nb * L - total)))
    bf.run(blocks, zi[None, :] * y[:, total - 1:total], y)    # backward
    res = y[:, total - 1 - pad::-1][:, :n].reshape(arr.shape)
    if out is None:
        return np.array(res, dtype=np.float64, order="C")
    out[...] = res
    return out
