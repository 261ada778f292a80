"""Time `fastrepro_check --batches K` on the tabular example script against the script's own full training; print the ratio.

    python tools/bench_check.py                          # 30,000 rows, 3 epochs, --batches 3, 2 repetitions
    python tools/bench_check.py --rows 30000 --epochs 2 --reps 1

Both sides start fresh Python processes (the full training is `python SCRIPT --epochs E`; the check makes 2 runs, one after
the other), alternating (full, check, full, check...) so that a drift in the machine's load hits both. The stand-in data
lives in a temporary FASTAI_HOME.
"""
import os, sys, time, shutil, argparse, tempfile, statistics, subprocess
from pathlib import Path
from fastrepro.check import stand_in_fastai_home

def timed(cmd:list, env:dict) -> float:
    "Wall seconds of `cmd`; exits with its output if it fails (status 1 is a check that found differences: fine here)."
    t = time.perf_counter()
    p = subprocess.run(cmd, env=env, capture_output=True, text=True)
    dt = time.perf_counter() - t
    if p.returncode not in (0, 1): sys.exit(f"{' '.join(cmd)} failed (status {p.returncode}):\n{p.stdout[-3000:]}\n{p.stderr[-3000:]}")
    return dt

def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--script', default=str(Path(__file__).parent.parent/'nbs'/'_examples'/'train_tabular.py'))
    p.add_argument('--rows', type=int, default=30_000, help='rows of the ADULT_SAMPLE stand-in')
    p.add_argument('--epochs', type=int, default=3, help="the script's --epochs")
    p.add_argument('--batches', type=int, default=3, help="fastrepro_check's --batches")
    p.add_argument('--reps', type=int, default=2, help='repetitions of each side')
    a = p.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix='bench_check-'))
    try:
        home = stand_in_fastai_home(tmp/'fastai_home', adult_rows=a.rows, pets_per_breed=0)
        env = {**os.environ, 'FASTAI_HOME': str(home), 'MPLBACKEND': 'Agg'}
        full_cmd = [sys.executable, a.script, '--epochs', str(a.epochs)]
        check_cmd = [sys.executable, '-m', 'fastrepro.check', '--batches', str(a.batches), a.script, '--epochs', str(a.epochs)]
        full, check = [], []
        for _ in range(a.reps):
            full.append(timed(full_cmd, env))
            check.append(timed(check_cmd, env))
        f, c = statistics.median(full), statistics.median(check)
        print(f"full training ({a.rows:,} rows, {a.epochs} epochs): {f:.1f} s; fastrepro_check --batches {a.batches} (2 runs): "
              f"{c:.1f} s; check/full = {c/f:.2f}  (reps: full {[round(o, 1) for o in full]}, check {[round(o, 1) for o in check]})")
    finally: shutil.rmtree(tmp, ignore_errors=True)

if __name__ == '__main__': main()
