"""The one exception type for input that emgviz cannot read."""

from __future__ import annotations

__all__ = ["ReadError", "NeedsSamplingRate", "NeedsChoice", "within_archive"]


class ReadError(ValueError):
    """A file (or bytes) that emgviz cannot turn into a :class:`~emgviz.Recording`.

    Every reader raises this type, wrapping the errors of the library it uses, so a
    caller needs one ``except`` clause. The message names the file, the problem and
    the fix.

    Parameters
    ----------
    file : str
        The file name as the user knows it (the uploaded name or the path).
    problem : str
        What is wrong, with the numbers (``"the time column is not increasing at row 12"``).
    fix : str
        What the user can do about it (``"sort the rows by time or pass fs="``).
    """

    def __init__(self, file: str, problem: str, fix: str = ""):
        self.file = str(file)
        self.problem = problem.strip().rstrip(".")
        self.fix = fix.strip().rstrip(".")
        msg = f"Cannot read {self.file!r}: {self.problem}."
        if self.fix:
            msg += f" {self.fix[0].upper()}{self.fix[1:]}."
        super().__init__(msg)

    def __reduce__(self):  # keep pickling (multiprocessing) working with 3 args
        return (type(self), (self.file, self.problem, self.fix))


class NeedsSamplingRate(ReadError):
    """The file holds samples but no sampling rate: call again with ``fs=`` (Hz)."""

    def __init__(self, file: str, problem: str = "the file states no sampling rate and has no time column",
                 fix: str = "pass the sampling rate in Hz, e.g. read_file(path, fs=1000)"):
        super().__init__(file, problem, fix)


class NeedsChoice(ReadError):
    """The file holds several candidates (variables, devices, rate groups): pick one.

    Attributes
    ----------
    option : str
        The keyword to pass to ``read_file``/``read_bytes`` (e.g. ``"variable"`` or ``"group"``).
    candidates : tuple of str
        The values that keyword accepts, in the order they were found.
    """

    def __init__(self, file: str, problem: str, option: str, candidates):
        self.option = option
        self.candidates = tuple(str(c) for c in candidates)
        self._bare_problem = problem
        listing = ", ".join(repr(c) for c in self.candidates)
        fix = (f"choose one with {option}=..., e.g. {option}={self.candidates[0]!r}"
               if self.candidates else f"choose one with {option}=...")
        super().__init__(file, f"{problem} (candidates: {listing})", fix)

    def __reduce__(self):
        return (type(self), (self.file, self._bare_problem, self.option, self.candidates))


def within_archive(exc: ReadError, archive: str) -> ReadError:
    """The same error (same type, so prompts still work) naming the archive the member came from."""
    import copy

    new = copy.copy(exc)
    new.args = (str(exc).replace(f"Cannot read {exc.file!r}", f"Cannot read {archive!r} (member {exc.file!r})", 1),)
    new.file = archive
    return new
