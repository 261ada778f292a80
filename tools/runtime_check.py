"""Runtime checks of an installed fastrepro, run in a fresh venv that has only the wheel and its runtime requirements.

This is what a user gets from `pip install fastrepro` (today: the newest fastai and fastcore 2.x), without the dev
stack (no nbdev, no test helpers): so only the standard library, torch and fastai are used here.
Checks: imports; each console script's `--help` (a script whose module is not in the install is skipped with a
note: the wheel check decides whether it must be there); seeding round trips; `reseed_dls` on a reused DataLoaders
is bitwise identical; `keep_rng` around `lr_find`; the parts that lean on fastai's internals (`fastrepro.bridge`):
a recorded text classifier, mid-epoch resumes of a language model, a tabular and a vision learner, and an
`invariant_items` run with 0 and 1 workers; `fastrepro_demo` itself when it is installed.
Run it from outside the repository so the installed package, not the checkout, is imported:
`cd /tmp && VENV/bin/python /path/to/tools/runtime_check.py [--no-demo]`. Exits 1 on the first failed check."""
from pathlib import Path
import os, sys, time, random, subprocess, shutil, tempfile, importlib.util
from importlib import metadata

t_start = time.time()
results = []
def check(name, cond, detail=''):
    results.append((name, bool(cond)))
    print(f"  {'ok  ' if cond else 'FAIL'} {name}" + (f': {detail}' if detail else ''), flush=True)
    if not cond: sys.exit(f'runtime_check: FAILED: {name}' + (f' ({detail})' if detail else ''))

def must_raise(f, exc, contains):
    try: f()
    except exc as e: return contains in str(e)
    return False

os.environ.setdefault('FASTREPRO_OFFLINE', '1')
os.environ.setdefault('MPLBACKEND', 'Agg')
os.environ.setdefault('FASTREPRO_HOME', tempfile.mkdtemp(prefix='fr-home-'))  # keep generated data out of ~

import warnings
warnings.filterwarnings('ignore', message='.*torch.jit.script.*')  # printed from inside torch when fastai is imported
import fastrepro, fastai, fastcore, torch, numpy as np
print(f'runtime_check: fastrepro {fastrepro.__version__} from {os.path.dirname(fastrepro.__file__)}')
print(f'  fastai {fastai.__version__}, fastcore {fastcore.__version__}, torch {torch.__version__}, numpy {np.__version__}, python {sys.version.split()[0]}')
check('fastrepro is the installed package, not a checkout',
      os.path.realpath(fastrepro.__file__).startswith(os.path.realpath(sys.prefix)), fastrepro.__file__)
check('no dev stack in this environment', importlib.util.find_spec('nbdev') is None, 'nbdev importable')

from fastrepro.core import (check_seed, seed_everything, get_rng_state, set_rng_state, keep_rng, seeded,
                            reseed_dls, model_digest)
from fastrepro.data import synth_pets, is_cat
check('import fastrepro.core, fastrepro.data', True)

# ---- console scripts
bindir = os.path.dirname(sys.executable)
scripts = [e for e in metadata.distribution('fastrepro').entry_points if e.group == 'console_scripts']
check('console scripts declared', len(scripts) > 0, ', '.join(e.name for e in scripts))
have = {}
for e in scripts:
    mod = e.value.split(':')[0]
    have[e.name] = importlib.util.find_spec(mod) is not None
    if not have[e.name]:
        print(f'  SKIP {e.name} --help: module {mod} is not in this install (not written yet?)')
        continue
    exe = shutil.which(e.name, path=bindir)
    check(f'{e.name} installed in the venv', exe is not None, bindir)
    p = subprocess.run([exe, '--help'], capture_output=True, text=True, timeout=300)
    check(f'{e.name} --help', p.returncode == 0 and 'usage' in (p.stdout + p.stderr).lower(),
          f'rc {p.returncode}: {(p.stdout + p.stderr).strip()[-300:]}')

# ---- user errors from the console scripts: one line on stderr, exit status 2, no traceback
for args in (['fastrepro_check'], ['fastrepro_check', 'no_such_script.py'], ['fastrepro_env', 'no_such_env.json'],
             ['fastrepro_demo', '--size', '4']):
    exe = shutil.which(args[0], path=bindir)
    if exe is None or not have.get(args[0], False): print(f'  SKIP {" ".join(args)}: not installed'); continue
    p = subprocess.run([exe] + args[1:], capture_output=True, text=True, timeout=300, cwd=tempfile.mkdtemp())
    err = p.stderr.strip().splitlines()
    check(f'{" ".join(args)}: exit 2 with one line', p.returncode == 2 and len(err) == 1 and 'Traceback' not in p.stderr,
          f'rc {p.returncode}: {p.stderr.strip()[-300:]}')

# ---- fastrepro_check on a tiny unseeded script: the runs part, and --seed makes them equal
target = Path(tempfile.mkdtemp())/'train.py'
target.write_text("""from fastai.tabular.all import *
import pandas as pd, numpy as np
df = pd.DataFrame({'a': np.arange(64) % 7, 'b': np.arange(64) / 64, 'y': (np.arange(64) % 3 == 0).astype(int)})
dls = TabularDataLoaders.from_df(df, procs=[Categorify, Normalize], cat_names=['a'], cont_names=['b'], y_names='y', y_block=CategoryBlock(), bs=8)
learn = tabular_learner(dls, layers=[8])
learn.fit(1)
""")
if have.get('fastrepro_check', False):
    exe = shutil.which('fastrepro_check', path=bindir)
    p1 = subprocess.run([exe, '--batches', '2', '--no-audit', str(target)], capture_output=True, text=True, timeout=600)
    p2 = subprocess.run([exe, '--batches', '2', '--no-audit', '--seed', '42', str(target)], capture_output=True, text=True, timeout=600)
    check('fastrepro_check: an unseeded script differs (exit 1), seeded it repeats (exit 0)', (p1.returncode, p2.returncode) == (1, 0),
          f'rc {p1.returncode} {p2.returncode}: {(p1.stdout + p1.stderr)[-400:]} | {(p2.stdout + p2.stderr)[-400:]}')

# ---- seeding round trips
def draws(): return random.random(), float(np.random.rand()), torch.rand(3).tolist()
seed_everything(42); a = draws()
seed_everything(42); b = draws()
seed_everything(43); c = draws()
check('seed_everything repeats Python, NumPy and torch draws', a == b and a != c)
st = get_rng_state(); x = draws(); y = draws()
set_rng_state(st)
check('get_rng_state/set_rng_state replay the same draws', draws() == x and draws() == y)
with seeded(7): s1 = draws()
after = draws()
with seeded(7): s2 = draws()
check('seeded(7) repeats, and restores the outer streams', s1 == s2 and after != s1 and draws() != after)
check('bad seeds fail clearly', must_raise(lambda: check_seed(-1), ValueError, '[0, 2**32)')
      and must_raise(lambda: seed_everything(0.5), TypeError, 'int'))

# ---- tiny fastai runs on the offline stand-in
from fastai.vision.all import ImageDataLoaders, get_image_files, Resize, vision_learner, resnet18, error_rate
torch.set_num_threads(min(2, torch.get_num_threads()))
path = synth_pets(n_per_breed=4, size=32)
seed_everything(42)
dls = ImageDataLoaders.from_name_func(path, get_image_files(path).sorted(), valid_pct=0.2, seed=21, label_func=is_cat,
                                      item_tfms=Resize(32), bs=8, num_workers=0)

def learner():
    learn = vision_learner(dls, resnet18, pretrained=False, metrics=error_rate)
    return learn

def train(reseed):
    seed_everything(42)
    if reseed: reseed_dls(dls, 42)
    learn = learner()
    with learn.no_bar(), learn.no_logging(): learn.fit(1)
    return model_digest(learn)

t0 = time.time()
print(f'  stand-in data and DataLoaders ready ({time.time()-t_start:.1f}s since start)', flush=True)
r1, r2, u1, u2 = train(True), train(True), train(False), train(False)
check('reseed_dls: two runs on one reused DataLoaders are bitwise identical', r1 == r2, f'{r1} {r2}')
check('without reseed_dls the reused DataLoaders gives a different run (the check can fail)', u1 != u2, f'{u1} {u2}')
print(f'  4 fits: {time.time()-t0:.1f}s', flush=True)

def fine_tune(lr_find):
    seed_everything(42); reseed_dls(dls, 42)
    learn = learner()
    with learn.no_bar(), learn.no_logging():
        if lr_find == 'kept':
            with keep_rng(learn): learn.lr_find(num_it=20, show_plot=False)
        elif lr_find == 'plain': learn.lr_find(num_it=20, show_plot=False)
        learn.fine_tune(1)
    return model_digest(learn)

base, kept, plain = fine_tune(None), fine_tune('kept'), fine_tune('plain')
check('keep_rng around lr_find: fine_tune bitwise equal to the run without lr_find', kept == base, f'{base} {kept}')
check('lr_find outside keep_rng changes the run (the check can fail)', plain != base, f'{base} {plain}')
print(f'  fastai runs: {time.time()-t0:.1f}s')

# ---- what leans on fastai's internals (fastrepro.bridge): every loader kind must be known on this fastai
from fastrepro.apps import tiny_learner
from fastrepro.fingerprint import check_reproducible
from fastrepro.checkpoint import ReproCheckpoint, load_checkpoint
from fastrepro.items import invariant_items
from fastrepro.bridge import LoaderWarning
from fastai.vision.all import RandomResizedCrop
apps_dir, t0 = Path(tempfile.mkdtemp()), time.time()
with warnings.catch_warnings():
    warnings.simplefilter('error', LoaderWarning) # a loader kind fastrepro does not know on this fastai fails the check
    d = check_reproducible(lambda: tiny_learner('text_clf', apps_dir/'clf'), fit=lambda l: l.fit(1), seed=1, n_batches=3)
    check('a recorded text classifier (SortedDL, token lists): two seeded runs identical', d.identical, str(d)[:300])
    def fit2(learn, **kw):
        with learn.no_bar(), learn.no_logging(): learn.fit_one_cycle(2, **kw)
        return model_digest(learn)
    for kind in ('text_lm', 'tabular', 'vision'):
        seed_everything(5); full = fit2(tiny_learner(kind, apps_dir/kind), cbs=ReproCheckpoint(every_batches=2, fname='ck{epoch}_{batch}'))
        seed_everything(5); learn = tiny_learner(kind, apps_dir/kind)
        res = fit2(learn, start_epoch=load_checkpoint(learn, 'ck1_2'))
        check(f'mid-epoch resume of {kind} ({type(learn.dls.train).__name__}): bitwise, exact', res == full and learn.recorder.resumed['exact'],
              f'{full} {res} {learn.recorder.resumed}')
    def invariant(workers):
        seed_everything(42)
        d2 = ImageDataLoaders.from_name_func(path, get_image_files(path).sorted(), valid_pct=0.2, seed=21, label_func=is_cat,
                                             item_tfms=RandomResizedCrop(24, min_scale=0.5), bs=8, num_workers=workers)
        learn = vision_learner(invariant_items(d2, 42), resnet18, pretrained=False)
        with learn.no_bar(), learn.no_logging(): learn.fit(1)
        return model_digest(learn)
    i0, i1 = invariant(0), invariant(1)
    check('invariant_items: random item transforms with 0 and 1 workers, bitwise identical', i0 == i1, f'{i0} {i1}')
print(f'  fastai internals: {time.time()-t0:.1f}s', flush=True)

# ---- the demo itself
if '--no-demo' in sys.argv: print('  SKIP fastrepro_demo: --no-demo')
elif not have.get('fastrepro_demo', False): print('  SKIP fastrepro_demo: fastrepro.demo is not in this install')
else:
    t0 = time.time()
    p = subprocess.run([shutil.which('fastrepro_demo', path=bindir)], capture_output=True, text=True, timeout=900)
    check('fastrepro_demo runs offline', p.returncode == 0, f'rc {p.returncode}: {(p.stdout + p.stderr).strip()[-500:]}')
    print(f'  fastrepro_demo: {time.time()-t0:.1f}s')

print(f'runtime_check: {len(results)} checks passed in {time.time()-t_start:.1f}s')
