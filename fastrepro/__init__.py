__version__ = "0.1.0"

import warnings as _warnings
# fastai's import runs `torch.jit.script`, which torch >= 2.10 answers with a FutureWarning from inside torch: noise that
# would turn every console script's one-line error into three lines. Only that message is silenced.
_warnings.filterwarnings('ignore', message=r'.*`torch\.jit\.script` is deprecated', category=FutureWarning)
