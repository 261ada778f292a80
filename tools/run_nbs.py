"""Re-execute notebooks and save their outputs in place, or check that re-executing reproduces the saved outputs.

    python tools/run_nbs.py                      # every notebook in nbs/: execute, save outputs, nbdev_clean
    python tools/run_nbs.py nbs/10_pets.ipynb    # only these
    python tools/run_nbs.py --check nbs/10_pets.ipynb nbs/04_fingerprint.ipynb

Cells run as `nbdev_test` runs them (the flags of settings.ini's `tst_flags` are skipped and get no outputs).
Each notebook runs in a fresh process (two at a time). Saving sets `FASTREPRO_SAVE_OUTPUTS=1` for the notebooks
and writes `nbs/_outputs_env.json`: the `repro_env()` the outputs came from.
`--check` executes in memory and compares every text output with the saved one. Outputs must match exactly; when
they differ only in numbers and digests *and* this machine's environment differs from the saved one (CPU capability,
threads, versions: `diff_env`), the check passes and says which setting explains it. Exits 1 on a real difference.
"""
import os, re, sys, json, difflib, argparse, subprocess
from pathlib import Path
from execnb.nbio import read_nb, write_nb
from execnb.shell import CaptureShell
from nbdev.config import get_config

ENV_FILE = '_outputs_env.json'

def directives(src:str) -> set:
    "The `#| name` directives at the top of a cell's source."
    out = set()
    for line in src.splitlines():
        s = line.strip()
        if not s: continue
        if not s.startswith('#|'): break
        out.update(s[2:].replace(':', ' ').split())
    return out

def _library_noise(o) -> bool:
    "A warning printed from inside an installed library: it names the venv's path, which differs between clones."
    return o.get('output_type') == 'stream' and o.get('name') == 'stderr' and 'site-packages' in ''.join(o.get('text', ''))

# Run before a notebook's first cell when saving or checking pages (not part of the notebook a reader runs): progress
# bars and fastai's epoch `time` column are wall-clock readings, which would make every re-execution a different page.
SETUP = """
import warnings as _w
_w.filterwarnings('ignore', message='.*torch.jit.script.*') # printed from inside torch when fastai is imported
import fastprogress.fastprogress as _fp
_fp.NO_BAR = True
from fastai.learner import Recorder as _R
_R.__init__.__defaults__ = (False,) + _R.__init__.__defaults__[1:] # add_time=False
"""

def execute(fn:Path, skip:set):
    "`fn` executed top to bottom in a fresh shell, in its own folder (flagged cells skipped, left without outputs)."
    nb = read_nb(fn)
    def no_eval(cell):
        if cell.cell_type != 'code': return True
        d = directives(cell.source)
        cell.outputs, cell.execution_count = [], None # execnb replaces outputs only when a cell shows something
        return bool(skip & d or ('eval' in d and 'false' in d))
    cwd = os.getcwd()
    try:
        os.chdir(fn.parent)
        sh = CaptureShell(fn)
        sh.run(SETUP)
        sh.run_all(nb, exc_stop=True, preproc=no_eval)
    finally: os.chdir(cwd)
    for c in nb.cells:
        if c.cell_type == 'code': c.outputs = [o for o in c.get('outputs', []) if not _library_noise(o)]
    return nb

def _texts(outputs) -> list:
    "The text forms of a cell's outputs (images are compared by presence only: their bytes depend on the renderer)."
    res = []
    for o in outputs:
        if o.get('output_type') == 'stream': res.append(''.join(o.get('text', '')))
        elif 'data' in o:
            d = o['data']
            for k in ('text/markdown', 'text/html', 'text/plain'):
                if k in d:
                    t = ''.join(d[k])
                    res.append(re.sub(r'data:image/png;base64,[A-Za-z0-9+/=]+', 'data:image/png;base64,<png>', t)); break
            if 'image/png' in d: res.append('<png>')
        elif o.get('output_type') == 'error': res.append(f"ERROR {o.get('ename')}: {o.get('evalue')}")
    return res

_NUM = re.compile(r'(?<![\w.])-?(?:\d+\.\d+(?:e[-+]?\d+)?|\d+e[-+]?\d+|0x[0-9a-f]+|[0-9a-f]{8,64})(?![\w.])', re.I)
def masked(t:str) -> str: return _NUM.sub('<n>', t)

def compare(saved, fresh) -> tuple[list, list]:
    "Cells whose text outputs differ exactly, and those that differ even with numbers and digests masked."
    exact, real = [], []
    for i, (a, b) in enumerate(zip(saved.cells, fresh.cells)):
        if a.cell_type != 'code': continue
        ta, tb = _texts(a.get('outputs', [])), _texts(b.get('outputs', []))
        if ta != tb:
            exact.append((i, ta, tb))
            if [masked(t) for t in ta] != [masked(t) for t in tb]: real.append((i, ta, tb))
    return exact, real

def env_now() -> dict:
    from fastrepro.env import repro_env
    return json.loads(json.dumps(repro_env()))

def env_diffs(nbs_path:Path) -> list:
    "The settings in which this machine differs from the one the saved outputs came from."
    from fastrepro.env import diff_env
    p = nbs_path/ENV_FILE
    if not p.exists(): return ['(no saved environment: nbs/_outputs_env.json is missing)']
    return [f"{d.key}: {d.a} -> {d.b}" for d in diff_env(json.loads(p.read_text()), env_now()) if d.key not in ('fastrepro',)]

def check(fns, skip, nbs_path) -> int:
    bad = 0
    diffs = None
    for fn in fns:
        saved, fresh = read_nb(fn), execute(fn, skip)
        exact, real = compare(saved, fresh)
        if not exact: print(f'  same outputs: {fn.name}'); continue
        if diffs is None: diffs = env_diffs(nbs_path)
        if not real and diffs:
            print(f'  same outputs up to numbers: {fn.name} ({len(exact)} cells differ in numbers; this machine differs in {"; ".join(diffs[:4])})')
            continue
        bad += 1
        i, ta, tb = (real or exact)[0]
        print(f'  CHANGED: {fn.name}: {len(real or exact)} cell(s) differ' + ('' if real else ' in numbers, on the same environment') + f'; first is cell {i}:')
        for l in list(difflib.unified_diff('\n'.join(ta).splitlines(), '\n'.join(tb).splitlines(), 'saved', 're-executed', lineterm='', n=1))[:30]:
            print('    ' + l[:160])
    return bad

def _one(fn:Path, check_only:bool) -> tuple[int, str]:
    "Run this script on one notebook in a fresh Python process (no state leaks from one page into the next)."
    env = dict(os.environ)
    if not check_only: env['FASTREPRO_SAVE_OUTPUTS'] = '1' # a page that saves files of its own (10_pets) does so only then
    args = [sys.executable, __file__, '--one'] + (['--check'] if check_only else []) + [str(fn)]
    r = subprocess.run(args, capture_output=True, text=True, env=env)
    return r.returncode, r.stdout + (r.stderr[-3000:] if r.returncode else '')

def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('notebooks', nargs='*', help='notebooks (default: every notebook in nbs/)')
    p.add_argument('--check', action='store_true', help='re-execute and compare with the saved outputs; change nothing')
    p.add_argument('--one', action='store_true', help=argparse.SUPPRESS) # internal: this process runs one notebook
    p.add_argument('--workers', type=int, default=2, help='notebooks run at once, each in its own process')
    a = p.parse_args(argv)
    cfg = get_config()
    nbs_path = Path(cfg.nbs_path)
    fns = [Path(o).resolve() for o in a.notebooks] or sorted(p.resolve() for p in nbs_path.glob('*.ipynb') if not p.name.startswith('_'))
    skip = set(cfg.tst_flags.split())
    if a.one:
        if a.check: return 1 if check(fns, skip, nbs_path) else 0
        for fn in fns: write_nb(execute(fn, skip), fn)
        return 0
    from concurrent.futures import ThreadPoolExecutor
    with ThreadPoolExecutor(max(1, a.workers)) as ex:
        futs = [(fn, ex.submit(_one, fn, a.check)) for fn in fns]
        bad = []
        for fn, f in futs:
            rc, out = f.result()
            print(out.rstrip() if a.check or rc else f'  saved {fn.name}', flush=True)
            if rc: bad.append(fn.name)
    if a.check:
        print(f'run_nbs --check: {len(fns) - len(bad)} of {len(fns)} notebooks reproduce their saved outputs')
        return 1 if bad else 0
    if bad: print(f'run_nbs: failed: {" ".join(bad)}'); return 1
    (nbs_path/ENV_FILE).write_text(json.dumps(env_now(), indent=1, sort_keys=True) + '\n')
    subprocess.run(['nbdev_clean'], check=True)
    return 0

if __name__ == '__main__': sys.exit(main())
