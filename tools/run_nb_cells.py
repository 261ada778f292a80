"""Run a notebook's test cells as plain Python, without Jupyter or nbdev (for machines that lack them, e.g. a GPU box).

Cells are run in order in one namespace, as `nbdev_test` does; cells flagged with a `tst_flags` flag (`#| slow`,
`#| cuda`, `#| notest`) are skipped unless the flag is given with `--flags`; `#| eval: false` cells are skipped;
IPython-only lines (`!cmd`, `%magic`) and `nbdev` imports are dropped.
Usage: python tools/run_nb_cells.py nbs/00_core.ipynb [more.ipynb] [--flags cuda slow]"""
import sys, os, re, json, time, argparse, traceback
from pathlib import Path

FLAGS = {'notest', 'slow', 'cuda'}
TIMING = False

def cell_flags(src):
    return {m.group(1) for m in re.finditer(r'^\s*#\s*\|\s*(\w+)\s*$', src, re.M)} & FLAGS

def runnable(src):
    keep = []
    for l in src.splitlines():
        s = l.strip()
        if s.startswith(('!', '%')) or re.match(r'(from nbdev|import nbdev)', s): continue
        keep.append(l)
    return '\n'.join(keep)

def run(path, flags):
    nb = json.loads(Path(path).read_text())
    ns = {'__name__': '__main__'}
    cwd = os.getcwd(); os.chdir(Path(path).parent)
    try:
        for i, c in enumerate(nb['cells']):
            if c['cell_type'] != 'code': continue
            src = ''.join(c['source'])
            if re.search(r'^\s*#\s*\|\s*eval\s*:\s*false', src, re.M): continue
            if cell_flags(src) - set(flags): continue
            t = time.perf_counter()
            exec(compile(runnable(src), f'{path}#cell{i}', 'exec'), ns)
            took = time.perf_counter() - t
            if 'cuda' in cell_flags(src) or (TIMING and took > 1): print(f'  cell {i} of {Path(path).name}: {took:.1f}s')
    finally: os.chdir(cwd)

if __name__ == '__main__':
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('notebooks', nargs='+'); ap.add_argument('--flags', nargs='*', default=[])
    ap.add_argument('--timing', action='store_true', help='print the time of every cell that takes over a second')
    a = ap.parse_args()
    TIMING = a.timing
    failed = []
    for p in a.notebooks:
        t = time.perf_counter()
        try: run(p, a.flags); print(f'PASS {p} ({time.perf_counter()-t:.0f}s)')
        except Exception: traceback.print_exc(); failed.append(p); print(f'FAIL {p}')
    print(f'{len(a.notebooks)-len(failed)} passed, {len(failed)} failed')
    sys.exit(1 if failed else 0)
