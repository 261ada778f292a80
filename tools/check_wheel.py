"""Check what `python -m build` made: the wheel's files and metadata, and the sdist's files, against settings.ini.

`python tools/check_wheel.py DIST_DIR` (DIST_DIR holds one .whl and one .tar.gz). Checks: the wheel holds the package
modules and their dist-info only (no notebooks, tests, tools); METADATA (name, version, summary, long description
= README.md, license, author, keywords, Python and package requirements with the dev extra, project URLs);
entry_points.txt (console scripts from settings.ini, each pointing at a function of a module in the wheel; the
nbdev `_modidx` entry); the sdist builds the same package and holds no notebooks. A console script whose module
does not exist yet is a visible SKIP, unless a notebook declares `#| default_exp` for that module.
Exits 1 with one line per problem."""
import sys, re, ast, shlex, tarfile, zipfile
from configparser import ConfigParser
from email.parser import Parser
from pathlib import Path

root = Path(__file__).resolve().parent.parent
problems, notes = [], []
def bad(msg): problems.append(msg); print('  PROBLEM:', msg)
def ok(msg): print('  ok  ', msg)

def _norm_req(r): return re.sub(r'\s+', '', r.split(';')[0]).lower().replace('_', '-')

def default_exps():
    "Modules that some notebook exports (`#| default_exp NAME`)"
    import json
    mods = set()
    for p in (root/'nbs').rglob('*.ipynb'):
        try: cells = json.loads(p.read_text(encoding='utf-8'))['cells']
        except Exception: continue
        for c in cells:
            s = ''.join(c['source']) if isinstance(c['source'], list) else c['source']
            m = re.search(r'^\s*#\s*\|\s*default_exp\s+(\S+)', s, re.M)
            if c['cell_type'] == 'code' and m: mods.add(m.group(1))
    return mods

def main(dist):
    cp = ConfigParser(delimiters=['=']); cp.read(root/'settings.ini', encoding='utf-8'); cfg = cp['DEFAULT']
    lib, ver = cfg['lib_name'], cfg['version']
    whls, sdists = sorted(Path(dist).glob('*.whl')), sorted(Path(dist).glob('*.tar.gz'))
    if len(whls) != 1 or len(sdists) != 1: bad(f'expected one wheel and one sdist in {dist}, found {[p.name for p in whls + sdists]}'); return 1
    whl, sdist = whls[0], sdists[0]
    print(f'check_wheel: {whl.name} ({whl.stat().st_size//1024} KiB), {sdist.name} ({sdist.stat().st_size//1024} KiB)')
    if not whl.name.startswith(f'{lib}-{ver}-py3-none-any'): bad(f'wheel name {whl.name}: expected a pure-Python {lib}-{ver}-py3-none-any wheel')

    # ---- files in the wheel
    z = zipfile.ZipFile(whl)
    names = z.namelist()
    info = f'{lib}-{ver}.dist-info/'
    pkg = cfg['lib_path'] + '/'
    stray = [n for n in names if not (n.startswith(pkg) or n.startswith(info))]
    if stray: bad(f'wheel holds files outside {pkg} and its dist-info: {stray[:8]}')
    testy = [n for n in names if n.endswith('.ipynb') or re.search(r'(^|/)(nbs|tools|tests?|\.ci)/|(^|/)(test_[^/]*|[^/]*_test|conftest)\.py$', n)
             or '__pycache__' in n or n.endswith('.pyc')]
    if testy: bad(f'wheel carries notebooks/tests/tools/bytecode: {testy[:8]}')
    else: ok(f'wheel: {len(names)} files, no notebooks, tests, tools or bytecode')
    src_mods = sorted(p.relative_to(root).as_posix() for p in (root/cfg['lib_path']).rglob('*.py') if '__pycache__' not in p.parts)
    missing = [m for m in src_mods if m not in names]
    if missing: bad(f'wheel lacks package modules: {missing}')
    else: ok(f'wheel has every module of {pkg}: {", ".join(Path(m).name for m in src_mods)}')
    for f in ('METADATA', 'entry_points.txt', 'WHEEL', 'RECORD'):
        if info + f not in names: bad(f'wheel lacks {info}{f}')
    if not any(n.startswith(info) and n.endswith('LICENSE') for n in names): bad('wheel lacks the LICENSE file')

    # ---- METADATA
    md = Parser().parsestr(z.read(info + 'METADATA').decode())
    def eq(field, want):
        got = md.get(field)
        if got != want: bad(f'METADATA {field}: {got!r}, expected {want!r}')
    eq('Name', lib); eq('Version', ver); eq('Summary', cfg['description']); eq('Author', cfg['author'])
    eq('Author-email', cfg['author_email']); eq('Keywords', cfg['keywords']); eq('Home-page', cfg['git_url'])
    eq('Requires-Python', f'>={cfg["min_python"]}'); eq('Description-Content-Type', 'text/markdown')
    lic_names = {'apache2': 'Apache', 'mit': 'MIT', 'gpl2': 'GPL', 'gpl3': 'GPL', 'bsd3': 'BSD'}
    lic = (md.get('License') or '') + (md.get('License-Expression') or '') + ' '.join(md.get_all('Classifier') or [])
    if lic_names.get(cfg['license'], cfg['license']) not in lic: bad(f'METADATA license {lic!r} does not match settings.ini license={cfg["license"]}')
    body = md.get_payload() or md.get('Description') or ''
    readme = (root/'README.md').read_text(encoding='utf-8')
    if body.strip() != readme.strip(): bad(f'METADATA long description ({len(body)} chars) is not README.md ({len(readme)} chars)')
    urls = dict(u.split(', ', 1) for u in md.get_all('Project-URL') or [])
    want_urls = {'Documentation': f"{cfg['doc_host']}{cfg['doc_baseurl']}", 'Source': cfg['git_url']}
    if urls != want_urls: bad(f'METADATA Project-URL {urls}, expected {want_urls}')
    reqs = md.get_all('Requires-Dist') or []
    run = sorted(_norm_req(r) for r in reqs if 'extra ==' not in r)
    dev = sorted(_norm_req(r) for r in reqs if re.search(r'extra\s*==\s*"dev"', r))
    if run != sorted(_norm_req(r) for r in shlex.split(cfg.get('requirements', ''))): bad(f'METADATA runtime requirements {run} differ from settings.ini requirements')
    if dev != sorted(_norm_req(r) for r in shlex.split(cfg.get('dev_requirements', ''))): bad(f'METADATA dev extra {dev} differs from settings.ini dev_requirements')
    if any(r.startswith('nbdev') for r in run): bad('nbdev is a runtime requirement: users would get the dev stack')
    if not problems: ok(f'METADATA: {lib} {ver}, "{md.get("Summary")}", license, README as description, '
                        f'{len(run)} requirements + {len(dev)} dev, URLs {", ".join(urls)}')

    # ---- entry points
    ep = ConfigParser(delimiters=['=']); ep.optionxform = str
    ep.read_string(z.read(info + 'entry_points.txt').decode())
    scripts = dict(ep['console_scripts']) if ep.has_section('console_scripts') else {}
    want = dict(s.split('=', 1) for s in cfg.get('console_scripts', '').split())
    if {k: v.replace(' ', '') for k, v in scripts.items()} != want: bad(f'console scripts {scripts} differ from settings.ini {want}')
    exported = default_exps()
    for name, target in want.items():
        mod, _, func = target.partition(':')
        path = mod.replace('.', '/') + '.py'
        short = mod.split('.', 1)[1] if '.' in mod else mod
        if path not in names:
            if short in exported: bad(f'console script {name} -> {target}: {path} is not in the wheel, yet a notebook exports `{short}`')
            else: notes.append(name); print(f'  SKIP console script {name} -> {target}: {path} does not exist yet (no notebook exports `{short}`)')
            continue
        tree = ast.parse(z.read(path).decode())
        if not any(isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)) and n.name == func for n in tree.body):
            bad(f'console script {name} -> {target}: no top-level function {func} in {path}')
        else: ok(f'console script {name} -> {target}')
    nb_ep = dict(ep['nbdev']) if ep.has_section('nbdev') else {}
    if nb_ep.get(lib, '').replace(' ', '') != f'{lib}._modidx:d': bad(f'nbdev entry point {nb_ep}, expected {lib} = {lib}._modidx:d')

    # ---- sdist
    t = tarfile.open(sdist)
    snames = [n.split('/', 1)[1] for n in t.getnames() if '/' in n]
    for need in ['setup.py', 'settings.ini', 'pyproject.toml', 'README.md', 'LICENSE', *src_mods]:
        if need not in snames: bad(f'sdist lacks {need}')
    sbad = [n for n in snames if n.endswith('.ipynb') or n.startswith(('nbs/', 'tools/', '.ci/', '.github/'))]
    if sbad: bad(f'sdist carries notebooks/tools/CI files: {sbad[:8]}')
    else: ok(f'sdist: {len(snames)} entries, the package + setup files, no notebooks')
    print(f'check_wheel: {len(problems)} problem(s)' + (f', {len(notes)} console script(s) skipped' if notes else ''))
    return 1 if problems else 0

if __name__ == '__main__':
    if len(sys.argv) != 2: sys.exit(__doc__)
    sys.exit(main(sys.argv[1]))
