"""The learner of `06_checkpoint`'s tests, imported by the notebook and run as a new process to resume a checkpoint.

    python resume_checkpoint.py DEST [DEVICE]   # load checkpoint 'cycle' under DEST, finish the fit, print the result as JSON
"""
import sys, json, warnings
from fastai.vision.all import *
from fastrepro.core import seed_everything, model_digest
from fastrepro.data import synth_pets, is_cat
from fastrepro.checkpoint import ReproCheckpoint, load_checkpoint

def tiny_cnn(n_out=2):
    "A small CNN: two conv blocks (with batch norm), pooling, dropout (a draw from the torch RNG) and a linear head."
    return nn.Sequential(ConvLayer(3, 8, stride=2), ConvLayer(8, 16, stride=2), nn.AdaptiveAvgPool2d(1), Flatten(),
                         nn.Dropout(0.25), nn.Linear(16, n_out))

def body_and_head(m): return [params(m[:2]), params(m[2:])]

def make_learner(dest, # where the learner keeps its checkpoints (`dest/models`)
                 device='cpu', seed=42, n_out=2, opt_func=Adam,
                 groups=False, # two parameter groups (body and head), so that `freeze` and `fine_tune` work
                ):
    "A new plain `Learner` on a small Pets stand-in with random batch augmentations, seeded as every run of the tests."
    seed_everything(seed)
    path = synth_pets(n_per_breed=3, size=32)
    dls = ImageDataLoaders.from_name_func(path, get_image_files(path).sorted(), valid_pct=0.25, seed=21, label_func=is_cat,
                                          item_tfms=Resize(32), batch_tfms=aug_transforms(size=24, min_scale=0.75), bs=9,
                                          num_workers=0, device=device)
    return Learner(dls, tiny_cnn(n_out), metrics=error_rate, path=dest, opt_func=opt_func,
                   splitter=body_and_head if groups else trainable_params)

def train(learn, start_epoch=0, cbs=None):
    "The run of the tests: a 3-epoch `fit_one_cycle` that saves checkpoint 'cycle' after every epoch."
    with learn.no_logging(), learn.no_bar():
        learn.fit_one_cycle(3, 2e-3, cbs=[ReproCheckpoint(fname='cycle')] + (cbs or []), start_epoch=start_epoch)
    return dict(digest=model_digest(learn), values=[list(map(float, v)) for v in learn.recorder.values])

if __name__ == '__main__': # resume in this new process, report as JSON
    learn = make_learner(sys.argv[1], device=sys.argv[2] if len(sys.argv) > 2 else 'cpu')
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter('always')
        k = load_checkpoint(learn, 'cycle')
        res = train(learn, start_epoch=k)
    print(json.dumps(dict(res, k=k, warnings=[str(o.message) for o in w])))
