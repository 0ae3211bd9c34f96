"""Benchmark: spontaneous-activity detection (`emgviz.spontaneous_activity`) against simulator truth.

Event F1 per type on seeded needle simulations at rest (`emgviz.simulate_needle(force=0)`),
10 s each, baseline noise 10 µV RMS (a concentric needle: 5–10 µV), at 20 kHz (even seeds)
and 10 kHz (odd seeds):

* one scenario per type (2 fibrillating fibres, 2 positive-sharp-wave fibres, 1 fasciculating
  unit, 2 myotonic / complex repetitive / insertional runs), on each preset's muscle;
* a mixed scenario with every type at once (overlaps make it harder);
* false alarms on the three real needle recordings (PhysioNet emgdb, 4 kHz), with the
  automatic rest screen and with the whole record forced to count as rest.

Matching (`emgviz.simulate.score_events`): a potential is found when a detection of the same
type lies within 5 ms of its largest peak; a run when a detection of the same type overlaps it.

Run: ``PYTHONPATH=. EMGVIZ_SHARED_DATA=../shared/data .venv/bin/python benchmarks/bench_spontaneous.py [--seeds 4]``
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from emgviz import read_file, simulate_needle, spontaneous_activity  # noqa: E402
from emgviz.simulate import score_events  # noqa: E402

PRESETS = ("normal", "myopathic", "neurogenic")
SCENARIOS = {"fibrillation": {"fibrillation": 2}, "positive_sharp_wave": {"positive_sharp_wave": 2},
             "fasciculation": {"fasciculation": 1}, "myotonic": {"myotonic": 2},
             "complex_repetitive": {"complex_repetitive": 2}, "insertional": {"insertional": 2},
             "mixed": {"fibrillation": 1, "positive_sharp_wave": 1, "fasciculation": 1, "myotonic": 1,
                       "complex_repetitive": 1, "insertional": 1}}
NOISE_UV = 10.0


def f1_table(seeds: int, scenarios=SCENARIOS, presets=PRESETS) -> pd.DataFrame:
    """Pooled hits, precision, recall and F1 per (scenario, type) over ``seeds`` seeds × presets."""
    rows = []
    for seed in range(seeds):
        fs = 20_000.0 if seed % 2 == 0 else 10_000.0
        for preset in presets:
            for name, spec in scenarios.items():
                sim = simulate_needle(preset, force=0, duration_s=10, fs=fs, spontaneous=spec,
                                      noise_uv=NOISE_UV, seed=seed)
                sc = score_events(spontaneous_activity(sim.recording), sim.truth.spontaneous)
                rows.append(sc.assign(scenario=name))
    r = pd.concat(rows)
    g = r.groupby(["scenario", "type"], sort=False)[["true", "detected", "hits"]].sum()
    g["precision"] = g.hits / g.detected
    g["recall"] = g.hits / g.true
    g["F1"] = 2 * g.hits / (g.true + g.detected)
    return g.reset_index()


def real_false_alarms(data_dir: Path) -> pd.DataFrame:
    rows = []
    for name in ("emg_healthy", "emg_myopathy", "emg_neuropathy"):
        path = data_dir / f"{name}.hea"
        if not path.exists():
            continue
        rec = read_file(path)
        auto = spontaneous_activity(rec)
        forced = spontaneous_activity(rec, rest=[(rec.t0, rec.t0 + rec.n_samples / rec.fs)])
        rows.append({"record": name, "rest found": auto.attrs["notes"][1],
                     "events (auto rest)": len(auto),
                     "events if all were rest": ", ".join(f"{k} {v}" for k, v in forced["type"].value_counts().items())})
    return pd.DataFrame(rows)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=4)
    args = ap.parse_args(argv)
    table = f1_table(args.seeds)
    print(table.round(3).to_string(index=False), flush=True)
    data_dir = Path(os.environ.get("EMGVIZ_SHARED_DATA", Path(__file__).resolve().parents[1] / ".." / "shared" / "data"))
    real = real_false_alarms(data_dir)
    print(real.to_string(index=False))
    try:
        from _results import machine, write_section
    except ImportError:  # run from elsewhere
        return table, real
    md = [f"## Spontaneous activity: event F1 on simulator truth (`benchmarks/bench_spontaneous.py`)", "",
          f"Machine: {machine()}, load average {os.getloadavg()[0]:.0f} (shared). {args.seeds} seeds × 3 presets × 10 s at rest, noise {NOISE_UV:g} µV RMS, "
          "20 kHz (even seeds) and 10 kHz (odd). A potential is found within ±5 ms of its peak; a run by overlap.", "",
          "| scenario | type | true | detected | hits | precision | recall | F1 |", "|---|---|---:|---:|---:|---:|---:|---:|"]
    for r in table.itertuples():
        md.append(f"| {r.scenario} | {r.type} | {r.true} | {r.detected} | {int(r.hits)} | {r.precision:.3f} | "
                  f"{r.recall:.3f} | {r.F1:.3f} |")
    md += ["", "Real needle recordings (PhysioNet emgdb, tibialis anterior, 4 kHz; none documented with spontaneous activity):", "",
           "| record | rest found | events (auto rest) | events if the whole record were rest |", "|---|---|---:|---|"]
    for r in real.itertuples():
        md.append(f"| {r.record} | {r[2]} | {r[3]} | {r[4]} |")
    write_section("spontaneous", "\n".join(md))
    return table, real


if __name__ == "__main__":
    main()
