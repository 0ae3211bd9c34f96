"""Live EMG: stream sources (LSL, file replay, simulator), a ring buffer and a recorder."""
