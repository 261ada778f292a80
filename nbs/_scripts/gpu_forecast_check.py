"""Compare `gpu_forecast` (computed on the CPU) with what strict determinism really reports on CUDA (07a_forecast).

    python nbs/_scripts/gpu_forecast_check.py          # on a GPU machine: forecast on the CPU, then the same step on CUDA
    python nbs/_scripts/gpu_forecast_check.py --cpu    # the CPU side only (what runs where there is no GPU)

For each case (the Pets `vision_learner`, the same after `deterministic_pooling`, bilinear and nearest upsampling,
`index_add`, a plain CNN) it forecasts on the CPU, then runs one training step on CUDA under
`torch.use_deterministic_algorithms(True, warn_only=True)` and collects PyTorch's "does not have a deterministic
implementation" warnings. Ops forecast as 'raises' must be exactly the ops CUDA warns about. Exits 1 on a mismatch."""
import re, sys, warnings
import torch
from torch import nn
import torch.nn.functional as F
from fastai.vision.all import ImageDataLoaders, Resize, aug_transforms, get_image_files, vision_learner, resnet18, Learner
from fastrepro.core import seed_everything, keep_rng
from fastrepro.data import synth_pets, is_cat
from fastrepro.forecast import gpu_forecast
from fastrepro.audit import deterministic_pooling

class Up(nn.Module):
    def __init__(self, mode): super().__init__(); self.mode = mode
    def forward(self, x): return F.interpolate(x, scale_factor=2, mode=self.mode)
class IndexAdd(nn.Module):
    def forward(self, x): return x.index_add(0, torch.zeros(len(x), dtype=torch.long, device=x.device), x)

def make_dls(device):
    path = synth_pets(n_per_breed=4, size=32)
    return ImageDataLoaders.from_name_func(path, get_image_files(path).sorted(), valid_pct=0.25, seed=21, label_func=is_cat,
                                           item_tfms=Resize(40), batch_tfms=aug_transforms(size=32, min_scale=0.75), bs=8,
                                           num_workers=0, device=device)

def cases(device):
    def small(*layers): return nn.Sequential(nn.Conv2d(3, 4, 3), *layers, nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(4, 2))
    def pooled():
        l = vision_learner(make_dls(device), resnet18, pretrained=False); deterministic_pooling(l); return l
    yield 'vision_learner', lambda: vision_learner(make_dls(device), resnet18, pretrained=False)
    yield 'deterministic_pooling', pooled
    yield 'bilinear', lambda: Learner(make_dls(device), small(Up('bilinear')))
    yield 'nearest', lambda: Learner(make_dls(device), small(Up('nearest')))
    yield 'index_add', lambda: Learner(make_dls(device), small(IndexAdd()))
    yield 'plain cnn', lambda: Learner(make_dls(device), nn.Sequential(nn.Conv2d(3, 8, 3), nn.ReLU(), nn.AvgPool2d(2), nn.Flatten(), nn.Linear(8*15*15, 2)))

_ALERT = re.compile(r'^(\S+) does not have a deterministic implementation')

def cuda_alerts(learn) -> set:
    "The kernels PyTorch warns about in one training step on CUDA, strict and warn-only."
    with keep_rng(learn), warnings.catch_warnings(record=True) as ws:
        warnings.simplefilter('always')
        torch.use_deterministic_algorithms(True, warn_only=True)
        learn.model.cuda().train()
        xb, yb = learn.dls.train.one_batch()
        learn.loss_func(learn.model(xb), yb).backward()
        torch.cuda.synchronize()
    return {m[1] for m in (_ALERT.match(str(w.message)) for w in ws) if m}

def matches(op, kernel): return kernel.lstrip('_').startswith(op.lstrip('_'))

def main(cpu_only):
    bad = 0
    for name, make in cases('cpu'):
        seed_everything(42)
        f = gpu_forecast(make())
        raises = sorted({o.op for o in f.raises})
        line = f"{name:22} forecast raises: {raises or '-'}; nondeterministic: {sorted({o.op for o in f.kind('nondeterministic')}) or '-'}"
        if not cpu_only:
            seed_everything(42)
            seen = sorted(cuda_alerts(make_cuda[name]()))
            ok = all(any(matches(o, k) for k in seen) for o in raises) and all(any(matches(o, k) for o in raises) for k in seen)
            bad += not ok
            line += f"; CUDA warned: {seen or '-'} -> {'agrees' if ok else 'DIFFERS'}"
        print(line)
    if not cpu_only: print(f"torch {torch.__version__}, {torch.cuda.get_device_name()}: {'all cases agree' if not bad else f'{bad} case(s) differ'}")
    return 1 if bad else 0

if __name__ == '__main__':
    cpu_only = '--cpu' in sys.argv[1:] or not torch.cuda.is_available()
    if cpu_only and '--cpu' not in sys.argv[1:]: print("no CUDA device: the CPU side only (the forecasts)")
    make_cuda = {} if cpu_only else dict(cases('cuda'))
    sys.exit(main(cpu_only))
