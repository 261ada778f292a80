"""Time `gpu_forecast` of a resnet18 learner against one plain training step of the same learner, and print the ratio.

Usage: python tools/bench_forecast.py [--size 64] [--bs 16] [--reps 5] [--threads N]
The plain step is what the forecast runs (a batch from `dls.train`, forward, loss, backward, optimizer step), without
the op recorder; the catalogue lookup (`cuda_catalogue` + `forecast_calls` on the recorded calls) is timed apart.
A benchmark, not a test: it prints numbers and asserts nothing."""
import argparse, statistics, time, warnings
import torch
from fastai.vision.all import ImageDataLoaders, Resize, get_image_files, vision_learner, resnet18
from fastrepro.core import seed_everything, keep_rng
from fastrepro.data import synth_pets, is_cat
from fastrepro.forecast import gpu_forecast, cuda_catalogue, forecast_calls

def plain_step(learn):
    with keep_rng(learn):
        xb, yb = learn.dls.train.one_batch()
        learn.model.train()
        loss = learn.loss_func(learn.model(xb), yb)
        loss.backward()
        if learn.opt is None: learn.create_opt()
        learn.opt.step(); learn.opt.zero_grad()

def timed(f):
    "Wall time and this process's CPU time of `f()`, and its result."
    t, c = time.perf_counter(), time.process_time()
    r = f()
    return (time.perf_counter() - t, time.process_time() - c), r

def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--size', type=int, default=64)
    p.add_argument('--bs', type=int, default=16)
    p.add_argument('--reps', type=int, default=5)
    p.add_argument('--threads', type=int, default=None, help="torch CPU threads (default: torch's own choice)")
    a = p.parse_args()
    warnings.filterwarnings('ignore')
    if a.threads: torch.set_num_threads(a.threads)
    path = synth_pets(n_per_breed=8, size=a.size)
    seed_everything(42)
    dls = ImageDataLoaders.from_name_func(path, get_image_files(path).sorted(), valid_pct=0.25, seed=21, label_func=is_cat,
                                          item_tfms=Resize(a.size), bs=a.bs, num_workers=0)
    learn = vision_learner(dls, resnet18, pretrained=False)
    plain_step(learn); gpu_forecast(learn) # warm up
    steps, forecasts, lookups = [], [], []
    for _ in range(a.reps): # interleaved, so that the machine's load hits both alike
        steps.append(timed(lambda: plain_step(learn))[0])
        t, f = timed(lambda: gpu_forecast(learn))
        forecasts.append(t)
        lookups.append(timed(lambda: forecast_calls(f.calls, cuda_catalogue()))[0])
    print(f"resnet18 at {a.size} px, bs {a.bs}, {torch.get_num_threads()} threads, {a.reps} reps (medians); "
          f"{sum(f.calls.values())} aten calls of {len(f.calls)} kinds, {len(f)} findings ({len(f.raises)} raise)")
    for i, kind in enumerate(('wall', 'CPU')):
        s, fc, lk = (statistics.median(o[i] for o in rows) for rows in (steps, forecasts, lookups))
        print(f"{kind}: training step {s*1000:.0f} ms; gpu_forecast {fc*1000:.0f} ms (catalogue lookup {lk*1000:.1f} ms); "
              f"forecast / step = {fc/s:.2f}")

if __name__ == '__main__': main()
