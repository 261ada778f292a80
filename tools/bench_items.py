"""Measure what `invariant_items` costs per item, as a share of a batch's loading time.

Usage: python tools/bench_items.py [--size 64] [--crop 32] [--n-per-breed 16] [--bs 16] [--reps 7] [--threads 1]
Two measurements in one process, `num_workers=0` so that the main process does and times all the work:
1. the cost itself: passes over a loader of 4096 items that do nothing, with and without `invariant_items`
   (interleaved; the difference is the per-item seeding plus the per-batch save and restore of the streams);
2. a batch's loading time without it: passes over the stand-in Pets images, `RandomResizedCrop` + `FlipItem`.
It prints (1) x batch size / (2) — the goal is at most 2%. Timing the image passes with and without instead would
compare different augmentations (the crops differ by design, and so does their cost). A benchmark, not a test."""
import argparse, statistics, tempfile, time, warnings
from pathlib import Path
import torch
from fastai.data.load import DataLoader
from fastai.vision.all import DataBlock, ImageBlock, CategoryBlock, get_image_files, RandomSplitter, RandomResizedCrop, FlipItem
from fastrepro.core import reseed_dls
from fastrepro.data import synth_pets, is_cat
from fastrepro.items import invariant_items

def time_pass(dl):
    "Wall and CPU seconds of one pass over `dl`, and its number of items."
    t, c = time.perf_counter(), time.process_time()
    n = sum(len(b[0]) if isinstance(b, (tuple, list)) else len(b) for b in dl)
    return time.perf_counter() - t, time.process_time() - c, n

def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--size', type=int, default=64, help='side of the stand-in images in pixels (Pets photos are ~500x375)')
    p.add_argument('--crop', type=int, default=32, help='RandomResizedCrop size')
    p.add_argument('--n-per-breed', type=int, default=16, help='images per breed (12 breeds)')
    p.add_argument('--bs', type=int, default=16)
    p.add_argument('--reps', type=int, default=7)
    p.add_argument('--threads', type=int, default=1, help='torch CPU threads')
    a = p.parse_args()
    warnings.filterwarnings('ignore')
    torch.set_num_threads(a.threads)
    # 1. the cost: items that do nothing, the same work on both sides
    nums = DataLoader(list(range(4096)), bs=a.bs, shuffle=True)
    sides = dict(without=lambda: reseed_dls(invariant_items(nums, None), 0), with_=lambda: invariant_items(nums, 0))
    for f in sides.values(): f(); time_pass(nums) # warm-up
    cost = {k: [] for k in sides}
    for r in range(a.reps):
        # alternate which side goes first, so that drift in machine load hits both sides alike
        for k in (list(sides) if r % 2 == 0 else list(sides)[::-1]):
            sides[k]()
            w, c, n = time_pass(nums)
            cost[k].append((w/n, c/n))
    # 2. a batch's loading time without it
    with tempfile.TemporaryDirectory() as d:
        path = synth_pets(Path(d)/'pets', n_per_breed=a.n_per_breed, size=a.size)
        db = DataBlock((ImageBlock, CategoryBlock), get_items=get_image_files, get_y=is_cat, splitter=RandomSplitter(seed=0),
                       item_tfms=[RandomResizedCrop(a.crop, min_scale=0.35), FlipItem()])
        dl = db.dataloaders(path, bs=a.bs, num_workers=0).train
        time_pass(dl) # warm-up: file cache
        load = []
        for r in range(a.reps):
            w, c, n = time_pass(dl)
            load.append((w/n*a.bs, c/n*a.bs))
    print(f"stand-in images {a.size}px -> RandomResizedCrop({a.crop}) + FlipItem, bs={a.bs}, reps={a.reps}, "
          f"torch threads={a.threads}, num_workers=0")
    for k, name in ((0, 'wall'), (1, 'CPU')):
        extra = statistics.median(wi[k] - wo[k] for wi, wo in zip(cost['with_'], cost['without']))
        batch = statistics.median(t[k] for t in load)
        print(f"{name:4}: invariant_items adds {extra*1e6:.1f} us per item; a batch of {a.bs} loads in {batch*1e3:.2f} ms "
              f"without it; cost per item / a batch's loading time = {extra/batch:.3%}, "
              f"the whole batch's extra time = {extra*a.bs/batch:.2%} of its loading time")

if __name__ == '__main__': main()
