import numpy as np, pandas as pd
def spontaneous_signal(spec, *, n, fs, seed, unit_templates):
    return np.zeros(n), pd.DataFrame(columns=["time_s","duration_s","type","rate (Hz)","amplitude (µV)","source"])
