"A snapshot taken before CUDA starts leaves CUDA alone, and its restore seeds CUDA's generators as torch would have (00_core)."
import torch, warnings
from fastrepro.core import keep_rng, seed_everything

torch.manual_seed(7)
with keep_rng(): seed_everything(1)   # inside: CUDA's generators queued for seed 1
assert not torch.cuda.is_initialized()
with warnings.catch_warnings():
    warnings.simplefilter('error')
    seed_everything(7, strict=True)  # CUDA not started yet: no 'too late' warning
torch.use_deterministic_algorithms(False)
torch.manual_seed(7)
with keep_rng(): seed_everything(1)
a = torch.rand(3, device='cuda')     # the block left no trace on CUDA's stream
torch.manual_seed(7); b = torch.rand(3, device='cuda')
assert torch.equal(a, b), (a, b)
