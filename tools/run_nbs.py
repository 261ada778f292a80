"""Re-execute notebooks and save their outputs in place, or check that re-executing reproduces the saved outputs.

    python tools/run_nbs.py                      # every notebook in nbs/: execute, save outputs, nbdev_clean
    python tools/run_nbs.py nbs/10_pets.ipynb    # only these
    python tools/run_nbs.py --check nbs/10_pets.ipynb nbs/04_fingerprint.ipynb
    python tools/run_nbs.py --check --other-cpu  # as a machine with the other CPU capability would (AVX2 <-> AVX512)
    python tools/run_nbs.py --classify           # mark the cells whose numbers depend on the CPU's kernels

Cells run as `nbdev_test` runs them (the flags of settings.ini's `tst_flags` are skipped and get no outputs).
Each notebook runs in a fresh process (two at a time). Saving sets `FASTREPRO_SAVE_OUTPUTS=1` for the notebooks
and writes `nbs/_outputs_env.json`: the `repro_env()` the outputs came from.

`--check` executes in memory and compares every text output with the saved one. On the environment the outputs came
from (`_outputs_env.json`) every output must match exactly. Where this machine differs from it (CPU capability,
threads, versions: `diff_env`), a cell marked `machine_numbers` in its metadata (by `--classify`) may differ in its
numbers and digests, nothing else; every other cell, and every word, stays exact. The values of the differing
settings themselves (an environment table) are masked on both sides.

`--classify` re-executes each notebook as a machine with the other CPU capability would (`ATEN_CPU_CAPABILITY`,
`ONEDNN_MAX_CPU_ISA`, `MKL_ENABLE_INSTRUCTIONS`) and marks the cells whose numbers changed (and unmarks the others);
a cell whose *words* change with the CPU is an error (a verdict must not depend on the machine). `--check --other-cpu`
checks that way, so that CI on one machine knows a machine with the other CPU passes too. Exits 1 on a real
difference.
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

# a number (integer, decimal, exponent) or a hex digest; a sentence's full stop may follow it ("b - a = 0.3867.")
_NUM = re.compile(r'(?<![\w.])-?(?:\d+\.\d+(?:e[-+]?\d+)?|\d+e[-+]?\d+|0x[0-9a-f]+|[0-9a-f]{8,64}|\d+)(?!\w|\.\w)', re.I)
def masked(t:str) -> str: return _NUM.sub('<n>', t)

# cell metadata keys (settings.ini allowed_cell_metadata_keys keeps them through nbdev_clean): `machine_numbers`, set by
# --classify, where the numbers depend on the CPU; `machine_env`, set by hand, where the cell shows how this machine
# differs from the page's own (its words are expected to differ on another machine, not its number of outputs)
MARK, ENV_MARK = 'machine_numbers', 'machine_env'
def is_marked(cell, key=MARK) -> bool: return bool(cell.get('metadata', {}).get(key))

def saved_env(nbs_path:Path) -> dict|None:
    p = nbs_path/ENV_FILE
    return json.loads(p.read_text()) if p.exists() else None

def env_masks(saved:dict|None, now:dict) -> list:
    "For each setting that differs from the saved environment: both its values, masked alike on both sides."
    if not saved: return []
    def maskable(v): return isinstance(v, str) and len(v) >= 3 and not v.isdigit() # never a bare number: it would match anywhere
    keys = [k for k in saved if k in now and saved[k] != now[k] and maskable(saved[k]) and maskable(now[k])]
    return [(str(v), f'<env:{k}>') for k in keys for v in (saved[k], now[k])]

def _mask_env(texts, masks):
    for old, new in masks: texts = [t.replace(old, new) for t in texts]
    return texts

def compare(saved, fresh, masks=(), numbers_may_differ=False) -> tuple[list, list]:
    """The cells whose outputs differ, and those among them that count as changed: where `numbers_may_differ` (this
    machine's environment differs from the saved one), a cell marked `machine_numbers` counts only if more than its
    numbers and digests differ; every other cell counts at any difference."""
    differ, changed = [], []
    for i, (a, b) in enumerate(zip(saved.cells, fresh.cells)):
        if a.cell_type != 'code': continue
        ta, tb = _mask_env(_texts(a.get('outputs', [])), masks), _mask_env(_texts(b.get('outputs', [])), masks)
        if ta == tb: continue
        differ.append((i, ta, tb))
        if numbers_may_differ and is_marked(a, ENV_MARK) and len(ta) == len(tb): continue
        words = [masked(t) for t in ta] != [masked(t) for t in tb]
        if words or not (numbers_may_differ and is_marked(a)): changed.append((i, ta, tb, 'words' if words else 'numbers'))
    if len(saved.cells) != len(fresh.cells): changed.append((len(saved.cells), ['(cell count)'], ['(cell count)'], 'words'))
    return differ, changed

def env_now() -> dict:
    from fastrepro.env import repro_env
    return json.loads(json.dumps(repro_env()))

def env_diffs(saved:dict|None, now:dict) -> list:
    "The settings in which this machine differs from the one the saved outputs came from."
    from fastrepro.env import diff_env
    if not saved: return ['(no saved environment: nbs/_outputs_env.json is missing)']
    return [f"{d.key}: {d.a} -> {d.b}" for d in diff_env(saved, now) if d.key not in ('fastrepro',)]

def _show(fn, what, i, ta, tb):
    print(f'  CHANGED: {fn.name}: {what}; first is cell {i}:')
    for l in list(difflib.unified_diff('\n'.join(ta).splitlines(), '\n'.join(tb).splitlines(), 'saved', 're-executed', lineterm='', n=1))[:30]:
        print('    ' + l[:160])

def check(fns, skip, nbs_path) -> int:
    saved_e, now = saved_env(nbs_path), env_now()
    diffs, masks = env_diffs(saved_e, now), env_masks(saved_e, now)
    bad = 0
    for fn in fns:
        saved, fresh = read_nb(fn), execute(fn, skip)
        differ, changed = compare(saved, fresh, masks, numbers_may_differ=bool(diffs))
        if not differ: print(f'  same outputs: {fn.name}'); continue
        if not changed:
            print(f'  same outputs up to the numbers of cells marked {MARK}: {fn.name} ({len(differ)} cells differ in numbers; this machine differs in {"; ".join(diffs[:4])})')
            continue
        bad += 1
        i, ta, tb, kind = changed[0]
        why = ('differ in more than numbers' if kind == 'words' else
               f'not marked {MARK} differ in numbers (if they depend on the CPU: python tools/run_nbs.py --classify)' if diffs else
               'differ in numbers, on the same environment')
        _show(fn, f'{len(changed)} cell(s) {why}', i, ta, tb)
    return bad

def classify(fns, skip, nbs_path) -> int:
    "Mark the cells whose numbers differ on this (simulated) machine; a cell whose words differ is an error."
    saved_e, now = saved_env(nbs_path), env_now()
    if not env_diffs(saved_e, now): print('classify: this environment is the saved one; run with --other-cpu'); return 1
    masks, bad = env_masks(saved_e, now), 0
    for fn in fns:
        saved, fresh = read_nb(fn), execute(fn, skip)
        differ, changed = compare(saved, fresh, masks)
        words = [o for o in changed if o[3] == 'words' and not is_marked(saved.cells[o[0]], ENV_MARK)]
        if words: bad += 1; _show(fn, f'{len(words)} cell(s) differ in more than numbers on another CPU', *words[0][:3]); continue
        marked = {o[0] for o in differ if not is_marked(saved.cells[o[0]], ENV_MARK)}
        for i, c in enumerate(saved.cells):
            if c.cell_type != 'code': continue
            md = c.setdefault('metadata', {})
            if i in marked: md[MARK] = True
            else: md.pop(MARK, None)
        write_nb(saved, fn)
        print(f'  {fn.name}: {len(marked)} cell(s) marked {MARK}')
    return bad

def other_cpu_env() -> dict:
    "Environment variables that make torch, oneDNN and MKL pick the kernels of the other common x86 capability."
    import torch
    cap = torch.backends.cpu.get_cpu_capability()
    if cap.startswith('AVX512'): return dict(ATEN_CPU_CAPABILITY='avx2', ONEDNN_MAX_CPU_ISA='AVX2', MKL_ENABLE_INSTRUCTIONS='AVX2')
    return dict(ATEN_CPU_CAPABILITY='default', ONEDNN_MAX_CPU_ISA='SSE41', MKL_ENABLE_INSTRUCTIONS='SSE4_2')

def _one(fn:Path, mode:str, other_cpu:bool) -> tuple[int, str]:
    "Run this script on one notebook in a fresh Python process (no state leaks from one page into the next)."
    env = dict(os.environ)
    if mode == 'save': env['FASTREPRO_SAVE_OUTPUTS'] = '1' # a page that saves files of its own (10_pets) does so only then
    if other_cpu: env.update(other_cpu_env())
    args = [sys.executable, __file__, '--one'] + ([f'--{mode}'] if mode != 'save' else []) + [str(fn)]
    r = subprocess.run(args, capture_output=True, text=True, env=env)
    return r.returncode, r.stdout + (r.stderr[-3000:] if r.returncode else '')

def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('notebooks', nargs='*', help='notebooks (default: every notebook in nbs/)')
    p.add_argument('--check', action='store_true', help='re-execute and compare with the saved outputs; change nothing')
    p.add_argument('--classify', action='store_true', help=f'mark the cells whose numbers change on the other CPU capability ({MARK})')
    p.add_argument('--other-cpu', action='store_true', help='run as a machine with the other CPU capability would')
    p.add_argument('--one', action='store_true', help=argparse.SUPPRESS) # internal: this process runs one notebook
    p.add_argument('--workers', type=int, default=2, help='notebooks run at once, each in its own process')
    a = p.parse_args(argv)
    if a.check and a.classify: p.error('--check or --classify, not both')
    mode = 'check' if a.check else 'classify' if a.classify else 'save'
    if mode == 'save' and a.other_cpu: p.error('--other-cpu goes with --check (saved pages come from the machine itself)')
    cfg = get_config()
    nbs_path = Path(cfg.nbs_path)
    fns = [Path(o).resolve() for o in a.notebooks] or sorted(p.resolve() for p in nbs_path.glob('*.ipynb') if not p.name.startswith('_'))
    skip = set(cfg.tst_flags.split())
    saved_cap = (saved_env(nbs_path) or {}).get('cpu_capability')
    if a.other_cpu and not a.one and saved_cap != env_now()['cpu_capability']:
        print(f"run_nbs --other-cpu: this machine's CPU capability ({env_now()['cpu_capability']}) already differs from the saved pages' ({saved_cap}): the plain --check covers it")
        return 0
    if a.one:
        if mode == 'check': return 1 if check(fns, skip, nbs_path) else 0
        if mode == 'classify': return 1 if classify(fns, skip, nbs_path) else 0
        for fn in fns: write_nb(execute(fn, skip), fn)
        return 0
    from concurrent.futures import ThreadPoolExecutor
    with ThreadPoolExecutor(max(1, a.workers)) as ex:
        futs = [(fn, ex.submit(_one, fn, mode, a.other_cpu or mode == 'classify')) for fn in fns]
        bad = []
        for fn, f in futs:
            rc, out = f.result()
            print(out.rstrip() if mode != 'save' or rc else f'  saved {fn.name}', flush=True)
            if rc: bad.append(fn.name)
    if mode == 'check':
        print(f'run_nbs --check{" --other-cpu" if a.other_cpu else ""}: {len(fns) - len(bad)} of {len(fns)} notebooks reproduce their saved outputs')
        return 1 if bad else 0
    if bad: print(f'run_nbs: failed: {" ".join(bad)}'); return 1
    if mode == 'save': (nbs_path/ENV_FILE).write_text(json.dumps(env_now(), indent=1, sort_keys=True) + '\n')
    subprocess.run(['nbdev_clean'], check=True)
    return 0

if __name__ == '__main__': sys.exit(main())
