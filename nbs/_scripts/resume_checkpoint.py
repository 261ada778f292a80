"""The learner of `06_checkpoint`'s tests, imported by the notebook, and the runs it starts as new processes.

    python resume_checkpoint.py run DEST --pause-at EPOCH BATCH   # train; at that batch print 'ready' and wait for a signal
    python resume_checkpoint.py resume DEST [--device cuda]       # load checkpoint 'cycle' under DEST and finish the fit

Both print their result as one line of JSON.
"""
import sys, json, time, argparse, warnings
from fastai.vision.all import *
from fastrepro.core import seed_everything, model_digest
from fastrepro.data import synth_pets, is_cat
from fastrepro.items import invariant_items
from fastrepro.checkpoint import ReproCheckpoint, load_checkpoint

def tiny_cnn(n_out=2):
    "A small CNN: two conv blocks (with batch norm), pooling, dropout (a draw from the torch RNG) and a linear head."
    return nn.Sequential(ConvLayer(3, 8, stride=2), ConvLayer(8, 16, stride=2), nn.AdaptiveAvgPool2d(1), Flatten(),
                         nn.Dropout(0.25), nn.Linear(16, n_out))

def body_and_head(m): return [params(m[:2]), params(m[2:])]

def make_learner(dest, # where the learner keeps its checkpoints (`dest/models`)
                 device='cpu', seed=42, n_out=2, opt_func=Adam,
                 groups=False, # two parameter groups (body and head), so that `freeze` and `fine_tune` work
                 workers=0, # DataLoader worker processes
                 invariant=False, # `invariant_items`: each item's random transforms drawn from (seed, epoch, index)
                ):
    "A new plain `Learner` on a small Pets stand-in with random item and batch augmentations, seeded as every run of the tests."
    seed_everything(seed)
    path = synth_pets(n_per_breed=3, size=32)
    dls = ImageDataLoaders.from_name_func(path, get_image_files(path).sorted(), valid_pct=0.25, seed=21, label_func=is_cat,
                                          item_tfms=RandomResizedCrop(28, min_scale=0.5),
                                          batch_tfms=aug_transforms(size=24, min_scale=0.75), bs=9, num_workers=workers, device=device)
    if invariant: invariant_items(dls, seed)
    return Learner(dls, tiny_cnn(n_out), metrics=error_rate, path=dest, opt_func=opt_func,
                   splitter=body_and_head if groups else trainable_params)

def result(learn) -> dict:
    "What the tests compare: the weights' digest, each epoch's losses and metric, and the smoothed loss of every batch."
    rec = learn.recorder
    return dict(digest=model_digest(learn), values=[list(map(float, v)) for v in rec.values], losses=[float(o) for o in rec.losses],
                resumed=getattr(rec, 'resumed', None))

def train(learn, start_epoch=0, cbs=None, on_signal=False):
    "The run of the tests: a 3-epoch `fit_one_cycle` that saves checkpoint 'cycle' after every epoch (and when told to stop)."
    with learn.no_logging(), learn.no_bar():
        learn.fit_one_cycle(3, 2e-3, cbs=[ReproCheckpoint(fname='cycle', on_signal=on_signal)] + (cbs or []), start_epoch=start_epoch)
    return result(learn)

class PauseAt(Callback):
    "At batch `batch` of epoch `epoch`, say 'ready' on stdout and wait until a signal asks the `ReproCheckpoint` to stop."
    order = 65 # after the schedule and the trackers, before `ReproCheckpoint` (70), which saves at this batch's end
    def __init__(self, epoch, batch): self.at = (epoch, batch)
    def after_batch(self):
        if not self.training or (self.epoch, self.iter) != self.at: return
        print('ready', flush=True)
        rc = next(cb for cb in self.learn.cbs if isinstance(cb, ReproCheckpoint))
        for _ in range(60_000):
            if rc.stop_requested: return
            time.sleep(0.01)
        raise TimeoutError('no signal came')

def _main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('mode', choices=['run', 'resume'])
    p.add_argument('dest')
    p.add_argument('--device', default='cpu')
    p.add_argument('--pause-at', nargs=2, type=int, metavar=('EPOCH', 'BATCH'))
    p.add_argument('--workers', type=int, default=0)
    p.add_argument('--invariant', action='store_true')
    a = p.parse_args(argv)
    learn = make_learner(a.dest, device=a.device, workers=a.workers, invariant=a.invariant)
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter('always')
        if a.mode == 'run':
            res = train(learn, cbs=[PauseAt(*a.pause_at)] if a.pause_at else [], on_signal=True)
            learn.save('cycle_fastai', with_opt=True) # what fastai's own save has at the same moment
        else:
            k = load_checkpoint(learn, 'cycle')
            res = dict(train(learn, start_epoch=k), k=k)
    print(json.dumps(dict(res, warnings=[str(o.message) for o in w])))

if __name__ == '__main__': _main()
