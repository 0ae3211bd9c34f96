"""EMG-BIDS (BIDS 1.11, BEP042): read a dataset's EMG recordings with their sidecars, write new ones.

A dataset is a folder with ``dataset_description.json`` and
``sub-<label>/[ses-<label>/]emg/sub-<label>[_ses-<label>]_task-<label>[_acq-<label>][_run-<index>]_emg.edf|bdf``
files, each with ``_emg.json`` (metadata), ``_channels.tsv`` (names, types, units, status) and,
when there are events, ``_events.tsv``.
"""

from .layout import bids_entities, bids_name, find_bids_root, list_bids_recordings
from .read import read_bids_file, read_bids_dataset
from .write import write_bids

__all__ = ["bids_entities", "bids_name", "find_bids_root", "list_bids_recordings",
           "read_bids_file", "read_bids_dataset", "write_bids"]
