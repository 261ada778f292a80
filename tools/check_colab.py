"""Check that every notebook opens in Colab: an "Open in Colab" badge to its own path and a guarded install cell.

For each notebook under `nbs/` (names starting with `_` or `.` skipped, as nbdev does), before its first `##` section:
- a markdown cell with the badge `[![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](URL)`
  where URL is `https://colab.research.google.com/github/{user}/{repo}/blob/{branch}/{nbs_path}/{notebook path}`
  (user, repo, branch and nbs_path from settings.ini), and no Colab link to another notebook;
- a code cell `! [ -e /content ] && pip install ...` that installs this package in Colab and does nothing elsewhere.
Then the same checks on a copy cleaned by `nbdev_clean`: cleaning must keep both.
`python tools/check_colab.py [--nbs DIR]` exits 1 with one line per problem, naming the notebook."""
import argparse, re, shutil, sys, tempfile, json, io, contextlib
from configparser import ConfigParser
from pathlib import Path

root = Path(__file__).resolve().parent.parent
BADGE_IMG = 'https://colab.research.google.com/assets/colab-badge.svg'
_re_badge = re.compile(r'\[!\[[^\]]*\]\(' + re.escape(BADGE_IMG) + r'\)\]\(([^)\s]+)\)')
_re_colab = re.compile(r'https://colab\.research\.google\.com/github/[^)\s"\'>]+')
_re_install = re.compile(r'^\s*!\s*\[\s+-e\s+/content\s+\]\s*&&\s*(?:python3?\s+-m\s+)?pip3?\s+install\s+(.+?)\s*$', re.M)

def settings():
    cp = ConfigParser(delimiters=['='])
    cp.read(root/'settings.ini', encoding='utf-8')
    return cp['DEFAULT']

def notebooks(nbs):
    return sorted(p for p in nbs.rglob('*.ipynb')
                  if not any(part.startswith(('_', '.')) for part in p.relative_to(nbs).parts))

def _src(c): return ''.join(c['source']) if isinstance(c['source'], list) else c['source']

def check_nb(path, rel, cfg):
    "Problems with `path`'s badge and install cell; `rel` is its path under nbs/ on GitHub"
    want = f"https://colab.research.google.com/github/{cfg['user']}/{cfg['repo']}/blob/{cfg['branch']}/{cfg['nbs_path']}/{rel}"
    try: cells = json.loads(path.read_text(encoding='utf-8'))['cells']
    except Exception as e: return [f'{rel}: cannot read the notebook ({type(e).__name__}: {e})']
    first_sec = next((i for i, c in enumerate(cells) if c['cell_type'] == 'markdown' and re.search(r'^##\s', _src(c), re.M)), len(cells))
    probs, badges, installs = [], [], []
    for i, c in enumerate(cells):
        s = _src(c)
        if c['cell_type'] == 'markdown':
            for url in _re_colab.findall(s):
                if url != want: probs.append(f'{rel}: cell {i} links Colab to {url}, not to this notebook ({want})')
            badges += [i for url in _re_badge.findall(s) if url == want]
        elif c['cell_type'] == 'code':
            for m in _re_install.finditer(s):
                what = m.group(1)
                if cfg['lib_name'] in what or cfg['git_url'].split('//', 1)[-1] in what: installs.append(i)
                else: probs.append(f'{rel}: cell {i} Colab install line installs {what!r}, not {cfg["lib_name"]}')
    if not badges: probs.append(f'{rel}: no "Open in Colab" badge [![Open In Colab]({BADGE_IMG})]({want})')
    elif badges[0] > first_sec: probs.append(f'{rel}: the Colab badge (cell {badges[0]}) comes after the first ## section: put it under the title')
    if not installs: probs.append(f'{rel}: no guarded install cell `! [ -e /content ] && pip install -Uqq {cfg["lib_name"]}` (or from {cfg["git_url"]})')
    elif installs[0] > first_sec: probs.append(f'{rel}: the Colab install cell (cell {installs[0]}) comes after the first ## section')
    return probs

def check_all(nbs, cfg):
    nbs = Path(nbs)
    paths = notebooks(nbs)
    if not paths: return 0, [f'no notebooks found in {nbs}']
    probs = []
    for p in paths: probs += check_nb(p, p.relative_to(nbs).as_posix(), cfg)
    return len(paths), probs

def check_cleaned(nbs, cfg):
    "Run nbdev_clean on a copy of the notebooks and check again: cleaning must keep badge and install cell"
    from nbdev.clean import nbdev_clean
    tmp = Path(tempfile.mkdtemp(prefix='fr-colab-'))
    try:
        shutil.copytree(nbs, tmp/'nbs', ignore=shutil.ignore_patterns('.ipynb_checkpoints'))
        with contextlib.redirect_stdout(io.StringIO()): nbdev_clean.__wrapped__(fname=str(tmp/'nbs'))
        n, probs = check_all(tmp/'nbs', cfg)
        return [f'after nbdev_clean: {p}' for p in probs]
    finally: shutil.rmtree(tmp, ignore_errors=True)

def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--nbs', default=None, help="notebook folder to check (default: settings.ini's nbs_path)")
    ap.add_argument('--no-clean', action='store_true', help='skip the nbdev_clean round')
    a = ap.parse_args(argv)
    cfg = settings()
    nbs = Path(a.nbs) if a.nbs else root/cfg['nbs_path']
    n, probs = check_all(nbs, cfg)
    cleaned = not a.no_clean and not probs
    if cleaned: probs += check_cleaned(nbs, cfg)
    for p in probs: print('check_colab:', p)
    print(f'check_colab: {n} notebooks, {len(probs)} problem(s)' + (', checked again after nbdev_clean' if cleaned else ''))
    return 1 if probs else 0

if __name__ == '__main__': sys.exit(main())
