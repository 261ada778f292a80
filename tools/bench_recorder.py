"""Time the training of the demo model with and without a `RunRecorder`, interleaved, and print the ratio.

Usage: python tools/bench_recorder.py [--reps 5] [--threads N] [--size 64] [--n-per-breed 8] [--bs 8] [--fit fine_tune|fit] [--epochs 1] [--layers] [--device cpu|cuda]
A benchmark, not a test: it prints numbers and asserts nothing."""
import argparse, statistics, time, warnings
import torch
from fastai.vision.all import ImageDataLoaders, Resize, get_image_files, vision_learner, resnet18, error_rate
from fastrepro.core import seed_everything
from fastrepro.data import synth_pets, is_cat
from fastrepro.fingerprint import RunRecorder

def make_learner(path, files, size, bs, device):
    seed_everything(42)
    dls = ImageDataLoaders.from_name_func(path, files, valid_pct=0.25, seed=21, label_func=is_cat, item_tfms=Resize(size),
                                          bs=bs, num_workers=0, device=device)
    return vision_learner(dls, resnet18, pretrained=False, metrics=error_rate)

def time_fit(learn, how, epochs, cbs):
    if learn.dls.device.type == 'cuda': torch.cuda.synchronize()
    t, c = time.perf_counter(), time.process_time()
    with learn.no_logging(), learn.no_bar(): getattr(learn, how)(epochs, cbs=cbs)
    if learn.dls.device.type == 'cuda': torch.cuda.synchronize()
    return time.perf_counter() - t, time.process_time() - c

def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--reps', type=int, default=5)
    p.add_argument('--size', type=int, default=64)
    p.add_argument('--n-per-breed', type=int, default=16, help='images per breed (12 breeds)')
    p.add_argument('--bs', type=int, default=8)
    p.add_argument('--fit', default='fine_tune', choices=['fine_tune', 'fit', 'fit_one_cycle'], help='the Learner method that trains')
    p.add_argument('--epochs', type=int, default=1)
    p.add_argument('--layers', action='store_true', help='record every layer output too (RunRecorder(layers=True))')
    p.add_argument('--threads', type=int, default=None, help="torch CPU threads (default: torch's own choice)")
    p.add_argument('--device', default='cuda' if torch.cuda.is_available() else 'cpu')
    a = p.parse_args()
    warnings.filterwarnings('ignore')
    if a.threads: torch.set_num_threads(a.threads)
    path = synth_pets(n_per_breed=a.n_per_breed, size=a.size)
    files = get_image_files(path).sorted()
    device = torch.device(a.device)
    mk = lambda: make_learner(path, files, a.size, a.bs, device)
    # warm-up: one-time costs (first kernels and allocations, the digest weights cached per process) hit neither side
    time_fit(mk(), 'fit', 1, None); time_fit(mk(), 'fit', 1, [RunRecorder(layers=a.layers)])
    without, with_ = [], [] # (wall seconds, CPU seconds of this process) per fit
    for r in range(a.reps):
        # alternate which side goes first, so that drift in machine load hits both sides alike
        order = [(without, None), (with_, 'rec')] if r % 2 == 0 else [(with_, 'rec'), (without, None)]
        for times, cb in order:
            times.append(time_fit(mk(), a.fit, a.epochs, [RunRecorder(layers=a.layers)] if cb else None))
        print(f"rep {r}: wall without {without[-1][0]:.3f}s with {with_[-1][0]:.3f}s ratio {with_[-1][0]/without[-1][0]:.4f} | "
              f"CPU without {without[-1][1]:.3f}s with {with_[-1][1]:.3f}s ratio {with_[-1][1]/without[-1][1]:.4f}", flush=True)
    print(f"device={device} torch threads={torch.get_num_threads()} size={a.size} images={12*a.n_per_breed} bs={a.bs} "
          f"{a.fit}({a.epochs}) layers={a.layers} reps={a.reps}")
    for k, name in ((0, 'wall'), (1, 'CPU')):
        wo, wi = [t[k] for t in without], [t[k] for t in with_]
        ratios = [w/o for w, o in zip(wi, wo)]
        print(f"{name:4}: median fit time without {statistics.median(wo):.3f}s, with RunRecorder {statistics.median(wi):.3f}s; "
              f"fit-time-with-RunRecorder / fit-time-without = {statistics.median(ratios):.4f} (median of ratios; "
              f"min {min(ratios):.4f}, max {max(ratios):.4f})")

if __name__ == '__main__': main()
