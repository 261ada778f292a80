"""The training job that 07_distrib launches on two CPU ranks, as a user's training module would be.

`train` builds the data and the learner the same way on every rank (unless asked to seed the splitter per rank), fits
inside `repro_distrib` with batch augmentations and dropout, and returns what each rank saw: the weights after each
epoch, the rank, the first draw after entering `repro_distrib`, the shuffle stream. It can save a checkpoint after
every epoch, stop after some epochs (as a crash would), resume from a checkpoint, and try a split seeded per rank."""
import os, torch
from fastai.vision.all import *
from fastrepro.core import seed_everything, model_digest
from fastrepro.data import is_cat
from fastrepro.distrib import repro_distrib, distrib_info, DistribError
from fastrepro.checkpoint import ReproCheckpoint, load_checkpoint

class Digests(Callback):
    "The weights after each epoch, and a crash after `stop_after` epochs."
    order = 60 # after ReproCheckpoint has saved the epoch
    def __init__(self, stop_after=None): self.stop_after, self.seen = stop_after, []
    def after_epoch(self):
        self.seen.append(model_digest(self.learn))
        if self.epoch + 1 == self.stop_after: raise CancelFitException()

def make_learner(path, ckpt_dir=None, per_rank_split=False):
    rank = int(os.environ['RANK'])
    files = get_image_files(path).sorted()
    dls = ImageDataLoaders.from_name_func(path, files, valid_pct=0.25, seed=21 + (rank if per_rank_split else 0),
                                          label_func=is_cat, item_tfms=Resize(32), bs=8, num_workers=0,
                                          batch_tfms=aug_transforms(size=32, min_scale=0.75))
    return vision_learner(dls, resnet18, pretrained=False, path=ckpt_dir or '.', model_dir='.')

def train(path, ckpt_dir=None, seed=42, epochs=2, per_rank_split=False, save=None, stop_after=None, resume=None,
          try_per_rank_split=False):
    seed_everything(seed)
    learn = make_learner(path, ckpt_dir, per_rank_split)
    digests = Digests(stop_after)
    cbs = [digests] + ([ReproCheckpoint(fname=save)] if save else [])
    with repro_distrib(learn, seed):
        info = distrib_info()
        draw, dl_rng = torch.rand(1).item(), learn.dls.train.rng.getstate()
        k = load_checkpoint(learn, resume) if resume else 0
        with learn.no_bar(), learn.no_logging(): learn.fit_one_cycle(epochs, start_epoch=k, cbs=cbs)
    res = dict(digest=model_digest(learn), epochs=digests.seen, info=info, draw=draw, dl_rng=dl_rng,
               threads=torch.get_num_threads(), start_epoch=k)
    if try_per_rank_split: # the same launch, a second learner whose splitter is seeded per rank
        other = make_learner(path, per_rank_split=True)
        try:
            with repro_distrib(other, seed): res['split_error'] = None
        except DistribError as e: res['split_error'] = str(e)
    return res
