"""Re-execute notebooks and save their outputs in place (the one command that refreshes the docs pages' results).

    python tools/run_nbs.py                 # every notebook in nbs/
    python tools/run_nbs.py nbs/10_pets.ipynb nbs/04_fingerprint.ipynb

Cells are run as `nbdev_test` runs them (same skipped flags from settings.ini, `IN_TEST` unset so the pages show
what a reader sees); cells that were skipped get no outputs. Run `nbdev_clean` afterwards (this script does).
"""
import os, sys, subprocess, argparse
from pathlib import Path
from execnb.nbio import read_nb, write_nb
from execnb.shell import CaptureShell
from nbdev.config import get_config

def directives(src:str) -> set:
    "The `#| name` directives at the top of a cell's source."
    out = set()
    for line in src.splitlines():
        s = line.strip()
        if not s: continue
        if not s.startswith('#|'): break
        out.update(s[2:].split())
    return out

def run_nb(fn:Path, skip:set) -> None:
    "Execute `fn` top to bottom in a fresh shell, in its own folder, and write it back with the new outputs."
    nb = read_nb(fn)
    def no_eval(cell):
        if cell.cell_type != 'code': return True
        d = directives(cell.source)
        if skip & d or 'eval:' in d and 'false' in d:
            cell.outputs, cell.execution_count = [], None
            return True
        return False
    cwd = os.getcwd()
    try:
        os.chdir(fn.parent)
        shell = CaptureShell(fn)
        # importing fastai warns that torch.jit.script is deprecated (torch >= 2.10), with a site-packages path: the
        # first cell that imports it would save that machine-specific line; nbdev_test ignores it anyway
        shell.run("import warnings; warnings.filterwarnings('ignore', message='.*torch.jit.script.* is deprecated')")
        shell.run_all(nb, exc_stop=True, preproc=no_eval)
    finally: os.chdir(cwd)
    write_nb(nb, fn)

def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('notebooks', nargs='*', help='notebooks to run (default: every notebook in nbs/)')
    a = p.parse_args(argv)
    cfg = get_config()
    fns = [Path(o).resolve() for o in a.notebooks] or sorted(p for p in cfg.nbs_path.glob('*.ipynb') if not p.name.startswith('_'))
    skip = set(cfg.tst_flags.split())
    for fn in fns:
        print(f'running {fn.name}', flush=True)
        run_nb(fn, skip)
    subprocess.run(['nbdev_clean'], check=True)

if __name__ == '__main__': main()
