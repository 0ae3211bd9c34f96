"""AppTest of the real app with real exports: rate-group and device pickers, flat channels, reader notes."""

from __future__ import annotations

import io

import numpy as np
import pytest

from apptest_utils import assert_no_exception, new_app


def _upload(name: str, content: bytes):
    at = new_app().run()
    at.radio(key="source").set_value("Upload").run()
    at.file_uploader(key="upload").set_value((name, content, "application/octet-stream")).run()
    assert_no_exception(at)
    return at


def _by_label(widgets, start: str):
    return next(w for w in widgets if w.label.startswith(start))


def _channels(at):
    return next(w for w in at.sidebar.multiselect if w.label == "Channels")


@pytest.fixture
def mixed_edf(shared_data, shared_real) -> bytes:
    """An EDF of real signals: EMG at 1000 Hz (BioSPPy), EEG/EOG labels at 2048 Hz (GRABMyo samples)."""
    edfio = pytest.importorskip("edfio")
    wfdb = pytest.importorskip("wfdb")
    emg = np.loadtxt(shared_data / "biosppy_emg_1.txt", comments="#")[:4000] - 2000.0
    fast = wfdb.rdrecord(str(shared_real / "session1_participant1_gesture11_trial1")).p_signal[:2048 * 4, 0] * 1000
    sigs = [edfio.EdfSignal(fast, sampling_frequency=2048, label="EEG Fz", physical_dimension="uV",
                            physical_range=(-2000, 2000)),
            edfio.EdfSignal(fast, sampling_frequency=2048, label="EOG left", physical_dimension="uV",
                            physical_range=(-2000, 2000)),
            edfio.EdfSignal(emg, sampling_frequency=1000, label="Biceps", physical_dimension="uV",
                            physical_range=(-2100, 2100))]
    buf = io.BytesIO()
    edfio.Edf(sigs).write(buf)
    return buf.getvalue()


def test_mixed_rate_edf_opens_on_its_emg_and_reaches_the_other_group(mixed_edf):
    at = _upload("mixed.edf", mixed_edf)
    picker = _by_label(at.sidebar.selectbox, "Rate group")
    assert picker.value == "1000 Hz" and list(picker.options) == ["2048 Hz: EEG Fz, EOG left", "1000 Hz: Biceps"]
    assert _channels(at).value == ["Biceps"]
    picker.set_value("2048 Hz").run()
    assert_no_exception(at)
    assert _channels(at).options == ["EEG Fz (eeg)", "EOG left (eog)"]
    notes = _by_label(at.expander, "Reader notes")
    assert "no EMG channel" in notes.markdown[0].value


def test_both_devices_of_a_two_device_hdf5_are_reachable(shared_real):
    at = _upload("two.h5", (shared_real / "opensignals_emg_two_devices_1000hz_10hz.h5").read_bytes())
    assert _channels(at).value == ["A7:F9 CH6"]
    _by_label(at.sidebar.selectbox, "Rate group").set_value("10 Hz").run()
    assert_no_exception(at)
    assert _channels(at).value == ["A8:82 CH5"]
    device = _by_label(at.sidebar.selectbox, "Device")
    assert device.options == ["All devices", "00:07:80:D8:A7:F9", "00:07:80:D8:A8:82"]
    device.set_value("00:07:80:D8:A7:F9").run()
    assert_no_exception(at)
    assert _channels(at).value == ["A7:F9 CH6"]


def test_flat_channels_of_a_many_channel_file_are_hidden_with_a_count(shared_data):
    at = _upload("qualisys.c3d", (shared_data / "qualisys_ezc3d_testfile.c3d").read_bytes())
    show = _by_label(at.sidebar.checkbox, "Show 1 flat channel")
    assert show.value is False
    chans = _channels(at)
    assert "Sync (trigger)" not in chans.options and len(chans.options) == 68
    assert chans.value == [f"EMG {i}" for i in range(1, 17)]
    show.check().run()
    assert_no_exception(at)
    assert "Sync (trigger)" in _channels(at).options


def test_reader_notes_appear_under_the_file_name(shared_real):
    at = _upload("uci_lowerlimb_3Asen.txt", (shared_real / "uci_lowerlimb_3Asen.txt").read_bytes())
    at.sidebar.number_input[0].set_value(1000.0).run()  # the file states no rate
    assert_no_exception(at)
    text = _by_label(at.expander, "Reader notes").markdown[0].value
    assert "trimmed 1 trailing row" in text and "fs= given by the caller" in text
