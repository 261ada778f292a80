"""Time a mid-epoch checkpoint of the demo model against a training step, and print the ratio; also the share of it that the
order check takes (replaying the epoch's order from what the checkpoint holds, at save and again at load).

Usage: python tools/bench_checkpoint.py [--size 64] [--n-per-breed 16] [--bs 8] [--every 2] [--threads N] [--device cpu|cuda]
                                        [--order-items 1000000]
A benchmark, not a test: it prints numbers and asserts nothing."""
import argparse, statistics, tempfile, time, warnings
from pathlib import Path
import torch
from fastai.vision.all import ImageDataLoaders, Resize, get_image_files, vision_learner, resnet18, error_rate, Callback
from fastrepro.core import seed_everything
from fastrepro.data import synth_pets, is_cat
from fastrepro.checkpoint import ReproCheckpoint, save_checkpoint
from fastrepro.bridge import order_state, order_record, replay_order
from fastai.data.load import DataLoader

class TimeSteps(Callback):
    "Time each training batch (`before_batch` to `after_batch`), and a `save_checkpoint` after every `every` batches."
    order = 80 # after ReproCheckpoint (70), whose epoch-start note a checkpoint inside an epoch needs
    def __init__(self, every): self.every, self.steps, self.saves, self.checks = every, [], [], []
    def _sync(self):
        if torch.device(self.dls.device).type == 'cuda': torch.cuda.synchronize()
    def before_batch(self):
        self._sync(); self.t = (time.perf_counter(), time.process_time())
    def after_batch(self):
        if not self.training: return
        self._sync(); self.steps.append((time.perf_counter() - self.t[0], time.process_time() - self.t[1]))
        if (self.iter + 1) % self.every: return
        t = (time.perf_counter(), time.process_time())
        save_checkpoint(self.learn, 'bench')
        self.saves.append((time.perf_counter() - t[0], time.process_time() - t[1]))
        # the order check on its own: the save-time replay and comparison, and the load-time replay
        st = next(cb for cb in self.learn.cbs if isinstance(cb, ReproCheckpoint))._epoch_start
        t = (time.perf_counter(), time.process_time())
        order_record(self.dls.train, st); replay_order(self.dls.train, st)
        self.checks.append((time.perf_counter() - t[0], time.process_time() - t[1]))

def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--size', type=int, default=64)
    p.add_argument('--n-per-breed', type=int, default=16, help='images per breed (12 breeds)')
    p.add_argument('--bs', type=int, default=8)
    p.add_argument('--every', type=int, default=2, help='save after every this many batches')
    p.add_argument('--epochs', type=int, default=2)
    p.add_argument('--threads', type=int, default=None, help="torch CPU threads (default: torch's own choice)")
    p.add_argument('--device', default='cuda' if torch.cuda.is_available() else 'cpu')
    p.add_argument('--order-items', type=int, default=1_000_000, help="also time the order check of a shuffled loader of this many items")
    a = p.parse_args()
    warnings.filterwarnings('ignore')
    if a.threads: torch.set_num_threads(a.threads)
    path = synth_pets(n_per_breed=a.n_per_breed, size=a.size)
    seed_everything(42)
    dls = ImageDataLoaders.from_name_func(path, get_image_files(path).sorted(), valid_pct=0.25, seed=21, label_func=is_cat,
                                          item_tfms=Resize(a.size), bs=a.bs, num_workers=0, device=a.device)
    learn = vision_learner(dls, resnet18, pretrained=False, metrics=error_rate, path=tempfile.mkdtemp())
    timer = TimeSteps(a.every)
    with learn.no_logging(), learn.no_bar(): learn.fit_one_cycle(a.epochs, cbs=[ReproCheckpoint(every=None), timer])
    steps, saves, checks = timer.steps[a.every:], timer.saves[1:], timer.checks[1:] # the first ones pay one-time costs
    size = sum(f.stat().st_size for f in (Path(learn.path)/'models'/'bench').iterdir())
    print(f"device={a.device} torch threads={torch.get_num_threads()} resnet18 (untrained) at {a.size} px, bs={a.bs}, "
          f"{len(steps)} steps and {len(saves)} mid-epoch checkpoints timed; checkpoint size {size/2**20:.1f} MiB")
    for k, name in ((0, 'wall'), (1, 'CPU')):
        step, save = statistics.median(o[k] for o in steps), statistics.median(o[k] for o in saves)
        print(f"{name:4}: median training step {step*1000:.1f} ms, median mid-epoch checkpoint {save*1000:.1f} ms; "
              f"checkpoint / step = {save/step:.2f}")
        check = statistics.median(o[k] for o in checks)
        print(f"{name:4}: order check (save + load) {check*1000:.2f} ms = {check/save:.2%} of a checkpoint ({len(learn.dls.train.dataset)} items)")
    big = DataLoader(range(a.order_items), bs=64, shuffle=True)
    st, t = order_state(big), time.perf_counter()
    it = iter(big); next(it) # the pass draws its order
    order_record(big, st); replay_order(big, st)
    print(f"order check (save + load) of a shuffled loader of {a.order_items} items: {(time.perf_counter() - t)*1000:.0f} ms "
          "(it grows with the items; a checkpoint grows with the weights)")

if __name__ == '__main__': main()
