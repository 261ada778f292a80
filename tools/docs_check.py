"""Offline check of the docs site: process the notebooks as `nbdev_docs` does, render them to HTML, load them in Chromium.

Quarto cannot be installed on the offline build machines, so this builds what can be checked without it:
1. every notebook in `nbs/` goes through nbdev's own docs processors (`nbdev.serve_drv.main` with `FilterDefaults`,
   as `nbdev_proc_nbs` runs them: show_doc cells added after exports and executed, `#| hide`/`#| export` cells dropped,
   frontmatter taken from the `# Title` cell, backticked names linked);
2. the Quarto cell options nbdev leaves for Quarto (`echo`, `output`, `include`) are applied, and each notebook is
   rendered with its saved outputs by nbconvert to the page name Quarto would give it (`00_core.ipynb` -> `core.html`),
   with a sidebar in nbdev's order (`nbdev_sidebar`) and `nbs/styles.css`;
3. headless Chromium loads every page and the check asserts: it renders with its title; no cell shows an error;
   narratives (`10_*` and later) show result tables and loaded plot images; every public exported symbol
   (`fastrepro/_modidx.py` and each module's `__all__`) has its show_doc section on its page; every link between
   pages reaches an existing page and anchor.

Writes the pages to `_docs_check/site/` and a screenshot of the narrative page (else the home page) to
`_docs_check/`, both outside git. Exits 1 with one line per problem.
`python tools/docs_check.py [--out DIR] [--narrative NAME.ipynb ...] [--no-browser]`"""
from __future__ import annotations
import argparse, contextlib, io, json, os, re, shutil, sys, tempfile, time, warnings
from pathlib import Path
from urllib.parse import urlparse, unquote

root = Path(__file__).resolve().parent.parent

# ---------------------------------------------------------------- nbdev processing (one spawned process per notebook)
def _proc_one(args):
    "Run nbdev's docs processors on one notebook, as `nbdev_proc_nbs` does; return what happened"
    src, dst = args
    os.chdir(root)
    t0 = time.time()
    res = dict(src=str(src), dst=str(dst), error=None, warnings=[], secs=0.)
    with warnings.catch_warnings(record=True) as ws, contextlib.redirect_stdout(io.StringIO()):
        warnings.simplefilter('always')
        try:
            import nbdev.serve_drv
            from nbdev.processors import FilterDefaults
            nbdev.serve_drv.main((Path(src), Path(dst), FilterDefaults))
        except BaseException as e:
            msgs = []
            while e is not None:
                lines = str(e).strip().splitlines() or ['']
                # nbdev's message quotes the whole cell: keep its first lines
                msgs.append(f'{type(e).__name__}: ' + ' | '.join(l.strip() for l in lines[:4] if l.strip()) + (' | ...' if len(lines) > 4 else ''))
                e = e.__cause__ or e.__context__
            res['error'] = ' <- caused by '.join(msgs)
    for w in ws:
        msg = str(w.message).strip()
        if 'imports and other code' in msg: res['warnings'].append(msg.replace('\n---\n', ': ', 1).split('\n')[0])
    res['secs'] = round(time.time() - t0, 1)
    return res

def process_notebooks(nbs, dest, workers):
    "Each notebook in its own Python process, as nbdev's `proc_nbs` does, `workers` at a time"
    import subprocess
    from concurrent.futures import ThreadPoolExecutor
    def run(nb):
        p = subprocess.run([sys.executable, __file__, '--proc-one', str(nb), str(dest/nb.name)],
                           capture_output=True, text=True, cwd=root)
        try: return json.loads(p.stdout.strip().splitlines()[-1])
        except Exception: return dict(src=str(nb), dst='', error=f'processor crashed: {p.stderr[-500:]}', warnings=[], secs=0)
    with ThreadPoolExecutor(workers) as ex: return list(ex.map(run, nbs))

# ---------------------------------------------------------------- Quarto's share of the work, done with nbconvert
_re_dir = re.compile(r'^\s*#\s*\|\s*([\w-]+)\s*:?\s*(.*?)\s*$')

def _split_directives(src):
    "Quarto `#| key: value` options at the top of a cell, and the code below them"
    lines, opts = src.splitlines(), {}
    i = 0
    while i < len(lines) and (_re_dir.match(lines[i]) or not lines[i].strip()):
        m = _re_dir.match(lines[i])
        if m: opts[m.group(1).lower()] = m.group(2).lower()
        i += 1
    return opts, '\n'.join(lines[i:])

_DISPLAY_CALLS = {'show_doc', 'plot', 'table', 'explain', 'audit', 'diff_env', 'repro_env', 'compare_runs', 'show_batch', 'show_results'}

def display_cells_without_output(nb_path, skip_flags) -> list:
    "Indices of code cells that display a value (their last statement is an expression) but were saved with no output."
    import ast
    nb = json.loads(Path(nb_path).read_text())
    res = []
    for i, c in enumerate(nb['cells']):
        if c['cell_type'] != 'code' or c.get('outputs'): continue
        src = ''.join(c['source'])
        direc, body = _split_directives(src)
        if {'export', 'exports', 'exporti', 'hide', 'default_exp'} & set(direc) or skip_flags & set(direc): continue
        try: tree = ast.parse('\n'.join(l for l in body.splitlines() if not l.lstrip().startswith(('!', '%'))))
        except SyntaxError: continue
        if not tree.body or not isinstance(tree.body[-1], ast.Expr): continue
        v = tree.body[-1].value
        if isinstance(v, ast.Call):
            # a call may return None (`shutil.rmtree`), so only the calls that always show something count
            f = v.func
            name = f.id if isinstance(f, ast.Name) else f.attr if isinstance(f, ast.Attribute) else ''
            if name not in _DISPLAY_CALLS: continue
        elif isinstance(v, (ast.Constant, ast.Await, ast.Yield, ast.NamedExpr)): continue
        res.append(i)
    return res

def pandoc_id(text):
    "The identifier pandoc (so Quarto) gives a heading, which nbdev's doc links point to"
    s = re.sub(r'[^\w\s.-]', '', text.strip(), flags=re.UNICODE).lower()
    s = re.sub(r'\s+', '-', s)
    s = re.sub(r'^[^a-z_]+', '', s) if re.search(r'[a-z]', s) else s
    return s or 'section'

def _nbpath2html(name):
    from nbdev.doclinks import _nbpath2html as f
    return f(Path(name)).name

class Site:
    def __init__(self, cfg, out):
        self.cfg, self.out = cfg, out
        self.base = f"{cfg.doc_host}{cfg.doc_baseurl}".rstrip('/') + '/'

    def local_links(self, text):
        "Links to the published site become relative, `x.ipynb` links become Quarto's page names; pandoc attrs go"
        text = text.replace(self.base, '')
        text = re.sub(r'(\]\([^)\s]*\))\{[^}\n]*\}', r'\1', text)
        return re.sub(r'\]\((?!https?:|//)([^)#\s]*?)\.ipynb(#[^)\s]*)?\)',
                      lambda m: '](' + _nbpath2html(m.group(1) + '.ipynb') + (m.group(2) or '') + ')', text)

    def to_page(self, proc_nb):
        "Apply Quarto's cell options and frontmatter to a processed notebook; returns (nbformat node, frontmatter)"
        import nbformat, yaml
        nb = nbformat.read(proc_nb, as_version=4)
        fm, cells = {}, []
        for c in nb.cells:
            if c.cell_type == 'raw' and c.source.lstrip().startswith('---') and not fm:
                fm = yaml.safe_load(c.source.strip().strip('-')) or {}
                continue
            if c.cell_type == 'markdown':
                c.source = self.local_links('\n'.join(l for l in c.source.splitlines() if not re.match(r'^\s*:::', l)))
            elif c.cell_type == 'code':
                opts, c.source = _split_directives(c.source)
                if opts.get('include') == 'false': continue
                tags = c.metadata.setdefault('tags', [])
                if opts.get('echo') == 'false': tags.append('fr-remove-input')
                if opts.get('output') == 'false': tags.append('fr-remove-output')
                if any(o.output_type == 'error' for o in c.get('outputs', [])): tags.append('fr-error-output')
                if any(o.output_type == 'stream' and o.get('name') == 'stderr' for o in c.get('outputs', [])):
                    tags.append('fr-stderr')
                for o in c.get('outputs', []):
                    for k in ('text/markdown', 'text/html'):
                        if k in o.get('data', {}):
                            v = o.data[k]
                            o.data[k] = self.local_links(''.join(v) if isinstance(v, list) else v)
            cells.append(c)
        title = fm.get('title') or Path(proc_nb).stem
        head = f'# {title}'
        if fm.get('description'): head += f'\n\n<div class="description">{fm["description"]}</div>'
        cells.insert(0, nbformat.v4.new_markdown_cell(head))
        nb.cells = cells
        return nb, fm

    def render(self, nb, title, sidebar, page):
        from nbconvert import HTMLExporter
        from traitlets.config import Config
        from bs4 import BeautifulSoup
        c = Config()
        c.TagRemovePreprocessor.enabled = True
        c.TagRemovePreprocessor.remove_input_tags = {'fr-remove-input'}
        c.TagRemovePreprocessor.remove_all_outputs_tags = {'fr-remove-output'}
        html, _ = HTMLExporter(config=c, template_name='lab').from_notebook_node(nb)
        soup = BeautifulSoup(html, 'html.parser')
        seen = {}
        for h in soup.find_all(re.compile(r'^h[1-6]$')):
            for a in h.find_all('a', class_='anchor-link'): a.decompose()
            i = pandoc_id(h.get_text())
            n = seen.get(i, 0); seen[i] = n + 1
            h['id'] = i if n == 0 else f'{i}-{n}'
        soup.title.string = title
        soup.head.append(soup.new_tag('link', rel='stylesheet', href='styles.css'))
        nav = soup.new_tag('nav', id='fr-sidebar')
        for href, t in sidebar:
            a = soup.new_tag('a', href=href); a.string = t
            if href == page: a['class'] = 'active'
            nav.append(a)
        soup.body.insert(0, nav)
        return str(soup)

_site_css = """
nav#fr-sidebar { position: fixed; top: 0; left: 0; width: 200px; height: 100%; padding: 1rem; border-right: 1px solid #ddd;
  font-family: sans-serif; font-size: 14px; background: #fafafa; overflow: auto; }
nav#fr-sidebar a { display: block; margin: .3rem 0; color: #2780e3; text-decoration: none; }
nav#fr-sidebar a.active { font-weight: 600; color: #000; }
body { margin-left: 220px !important; }
"""

# ---------------------------------------------------------------- the browser
_js_page = r"""
const out = el => el.closest('.jp-OutputArea-output, .jp-OutputArea');
const heads = [...document.querySelectorAll('h1,h2,h3,h4,h5,h6')];
return {
  ready: document.readyState,
  title: document.title,
  text: document.body.innerText,
  h1: (document.querySelector('h1') || {}).textContent || '',
  text_len: document.body.innerText.length,
  height: document.documentElement.scrollHeight,
  ids: [...document.querySelectorAll('[id]')].map(e => e.id),
  heads: heads.map(h => ({id: h.id, tag: h.tagName, text: h.textContent.trim(),
                          next: (h.nextElementSibling || {}).tagName || ''})),
  links: [...document.querySelectorAll('a[href]')].map(a => ({href: a.href, raw: a.getAttribute('href'), text: a.textContent.trim()})),
  out_tables: [...document.querySelectorAll('.jp-OutputArea-output table')].filter(t => t.rows.length > 1).length,
  out_imgs: [...document.querySelectorAll('.jp-OutputArea-output img')].map(i => ({w: i.naturalWidth, h: i.naturalHeight, ok: i.complete && i.naturalWidth > 0})),
  error_cells: [...document.querySelectorAll('.celltag_fr-error-output')].length,
  tracebacks: [...document.querySelectorAll('.jp-OutputArea-output')].map(o => o.innerText)
                 .filter(t => /^Traceback \(most recent call last\)|^-{20,}\s*\n?\w*(Error|Exception)/m.test(t)).map(t => t.slice(0, 300)),
  stderr: [...document.querySelectorAll('.celltag_fr-stderr [data-mime-type="application/vnd.jupyter.stderr"]')].map(o => o.innerText.slice(0, 200)),
};
"""

def browser():
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    o = webdriver.ChromeOptions()
    # Debian's chromium here; google-chrome where a CI image ships that instead (GitHub's ubuntu runners)
    o.binary_location = next(filter(None, map(shutil.which, ['chromium', 'chromium-browser', 'google-chrome'])), '/usr/bin/chromium')
    profile = tempfile.mkdtemp(prefix='fr-chromium-')
    for a in ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
              '--disable-background-networking', '--disable-component-update', '--disable-sync',
              '--disable-dev-shm-usage', f'--user-data-dir={profile}', '--window-size=1280,900',
              # offline: CDN scripts (require.js, MathJax) and the Colab badge fail at once instead of timing out
              '--host-resolver-rules=MAP * ~NOTFOUND']:
        o.add_argument(a)
    drv = shutil.which('chromedriver') or '/usr/bin/chromedriver'
    d = webdriver.Chrome(options=o, service=Service(executable_path=drv))
    d.set_page_load_timeout(60)
    return d, profile

# ---------------------------------------------------------------- what the docs must show
def public_symbols(cfg):
    "Public exported names per page: top-level entries of `_modidx.py` plus each module's `__all__`"
    import importlib
    modidx = importlib.import_module(f'{cfg.lib_name}._modidx').d
    res = {}  # (page, anchor) -> qualified name
    for mod, syms in modidx['syms'].items():
        for q, (loc, _) in syms.items():
            nm = q[len(mod) + 1:]
            if '.' in nm or nm.startswith('_'): continue
            page, _, anchor = loc.partition('#')
            res[(page, anchor)] = q
        try: m = importlib.import_module(mod)
        except Exception as e:
            res[('?', mod)] = f'{mod} (import failed: {type(e).__name__}: {e})'; continue
        mod_page = next(iter(syms.values()), ('?',))[0].partition('#')[0]
        for nm in getattr(m, '__all__', []):
            loc = syms.get(f'{mod}.{nm}')
            home = getattr(getattr(m, nm, None), '__module__', mod)
            if loc is None and home != mod and home.startswith(f'{cfg.lib_name}.') and f'{home}.{nm}' in modidx['syms'].get(home, {}):
                continue # re-exported from the module that documents it (an old import path kept working)
            if loc is None:
                if callable(getattr(m, nm, None)): res[('?', f'{mod}.{nm}')] = f'{mod}.{nm} is in __all__ but not in _modidx (run nbdev_export)'
                # a constant: nbdev gives it no show_doc; its page must name it
                else: res[(mod_page, '=' + nm)] = f'{mod}.{nm}'
            else:
                page, _, anchor = loc[0].partition('#')
                res[(page, anchor)] = f'{mod}.{nm}'
    return res

def numbered_key(name):
    m = re.match(r'^(\d+)', name)
    return (0 if name.startswith('index.') else 1, int(m.group(1)) if m else 10**9, name)

def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--out', default=str(root/'_docs_check'), help='where the pages and the screenshot go')
    ap.add_argument('--narrative', nargs='*', default=None, help='notebooks that must show result tables and plots (default: 10_* and later)')
    ap.add_argument('--no-browser', action='store_true', help='build the pages only')
    ap.add_argument('--workers', type=int, default=min(2, os.cpu_count() or 1))
    a = ap.parse_args(argv)
    os.chdir(root)
    from nbdev.config import get_config
    from nbdev.doclinks import nbglob
    from nbdev.quarto import nbdev_sidebar
    import yaml
    cfg = get_config()
    out = Path(a.out).resolve(); site = out/'site'
    shutil.rmtree(out, ignore_errors=True); site.mkdir(parents=True)
    problems, notes = [], []
    def bad(msg): problems.append(msg); print('  PROBLEM:', msg)
    def note(msg): notes.append(msg); print('  note:', msg)
    t0 = time.time()

    nbs = sorted(nbglob(cfg.nbs_path, as_path=True), key=lambda p: numbered_key(p.name))
    names = [p.name for p in nbs]
    print(f'docs_check: {len(nbs)} notebooks: {" ".join(names)}')

    # sidebar: what nbdev writes to sidebar.yml (custom_sidebar = False), in reading order
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf): nbdev_sidebar.__wrapped__(path=cfg.nbs_path, printit=True, force=True)
    side = []
    def walk(items):
        for it in items:
            if isinstance(it, str): side.append(Path(it).name)
            elif isinstance(it, dict): walk(it.get('contents', []))
    walk(yaml.safe_load(buf.getvalue())['website']['sidebar']['contents'])
    if side != names:
        bad(f'sidebar order from nbdev_sidebar is {side}, reading order is {names} (use two-digit NN_ prefixes; index first)')
    if str(cfg.get('custom_sidebar', False)).lower() not in ('false', '0', 'no', ''):
        note('settings.ini custom_sidebar is on: nbdev will not regenerate sidebar.yml')
    print(f'  sidebar: {" > ".join(side)}')

    # the site's Quarto config: what nbdev_docs reads and (for nbdev.yml) rewrites from settings.ini
    qy = yaml.safe_load((cfg.nbs_path/'_quarto.yml').read_text()) if (cfg.nbs_path/'_quarto.yml').exists() else None
    if qy is None: bad('nbs/_quarto.yml is missing')
    else:
        if not {'nbdev.yml', 'sidebar.yml'} <= set(qy.get('metadata-files', [])): bad('nbs/_quarto.yml metadata-files must list nbdev.yml and sidebar.yml')
        css = (qy.get('format', {}).get('html', {}) or {}).get('css')
        if css and not (cfg.nbs_path/css).exists(): bad(f'nbs/_quarto.yml names css {css}, which does not exist')
    from nbdev.quarto import _nbdev_yml
    want = _nbdev_yml.format(doc_path=cfg.doc_path.name, **{k: cfg[k] for k in ['title', 'description', 'branch', 'git_url', 'doc_host', 'doc_baseurl']})
    if not (cfg.nbs_path/'nbdev.yml').exists() or (cfg.nbs_path/'nbdev.yml').read_text() != want:
        bad('nbs/nbdev.yml differs from what nbdev_docs writes from settings.ini (refresh_quarto_yml):\n' + want)

    # 0. saved outputs: the site shows only what the notebooks were saved with
    skip = set(cfg.tst_flags.split())
    for p in nbs:
        empty = display_cells_without_output(p, skip)
        if empty: bad(f'{p.name}: {len(empty)} display cell(s) saved without output (cells {empty[:8]}): run `python tools/run_nbs.py nbs/{p.name}`')
        cells = json.loads(p.read_text())['cells']
        shown = [c for c in cells if c['cell_type'] == 'code' and not {'export', 'exports', 'exporti', 'hide', 'default_exp'} & set(_split_directives(''.join(c['source']))[0])]
        if shown and not any(c.get('outputs') for c in cells):
            bad(f'{p.name}: {len(shown)} example cells and no saved output at all: run `python tools/run_nbs.py nbs/{p.name}`')

    # 1. nbdev's processing
    proc = Path(tempfile.mkdtemp(prefix='fr-proc-'))
    t1 = time.time()
    results = process_notebooks(nbs, proc, a.workers)
    built = {}
    for r in results:
        n = Path(r['src']).name
        if r['error']: bad(f'{n}: nbdev docs processing failed (nbdev_docs would stop here): {r["error"]}')
        else: built[n] = Path(r['dst'])
        for w in r['warnings']: note(f'{n}: nbdev warns: {w}')
    timings = ', '.join(f"{Path(r['src']).name} {r['secs']}s" for r in results)
    print(f'  nbdev processing: {time.time()-t1:.1f}s ({timings})')

    # 2. pages
    S = Site(cfg, out)
    (site/'styles.css').write_text((cfg.nbs_path/'styles.css').read_text() + _site_css if (cfg.nbs_path/'styles.css').exists() else _site_css)
    if not (cfg.nbs_path/'styles.css').exists(): bad('nbs/styles.css is missing (nbs/_quarto.yml names it)')
    pages, fms = {}, {}
    for n in names:
        if n in built:
            nb, fm = S.to_page(built[n])
            fms[n] = (nb, fm)
    sidebar = [(_nbpath2html(n), (fms[n][1].get('title') if n in fms else n)) for n in side]
    for n, (nb, fm) in fms.items():
        page = fm.get('output-file') or _nbpath2html(n)
        if page != _nbpath2html(n): bad(f'{n}: output-file {page} differs from nbdev doc link target {_nbpath2html(n)}')
        if not fm.get('title'): bad(f'{n}: no title (a markdown cell `# Title` with `> summary` must come first)')
        try:
            (site/page).write_text(S.render(nb, fm.get('title', n), sidebar, page))
            pages[n] = page
        except Exception as e: bad(f'{n}: nbconvert could not render the page: {type(e).__name__}: {e}')
    shutil.rmtree(proc, ignore_errors=True)
    print(f'  pages: {len(pages)} written to {site}')

    narratives = a.narrative if a.narrative is not None else [n for n in names if 10 <= numbered_key(n)[1] < 10**9 and 'default_exp' not in (cfg.nbs_path/n).read_text()]
    for n in narratives:
        if n not in names: bad(f'narrative {n} not found in {cfg.nbs_path}')
    if not narratives: note('no narrative notebook (10_*) yet: tables and plots are checked when one exists')
    syms = public_symbols(cfg)
    for (page, anchor), q in syms.items():
        if page == '?': bad(q)

    if a.no_browser:
        print('  --no-browser: pages built, nothing loaded')
        return finish(problems, notes, t0)

    # 3. the browser
    t2 = time.time()
    try: d, profile = browser()
    except Exception as e:
        bad(f'could not start headless Chromium via chromedriver: {type(e).__name__}: {str(e).splitlines()[0] if str(e) else ""}')
        return finish(problems, notes, t0)
    info = {}
    try:
        for n, page in pages.items():
            d.get((site/page).as_uri())
            info[page] = r = d.execute_script(_js_page)
            if r['ready'] != 'complete' or r['text_len'] < 50: bad(f'{page} ({n}): did not render (readyState {r["ready"]}, {r["text_len"]} chars)')
            if r['h1'].strip() != str(fms[n][1].get('title', '')).strip(): bad(f'{page} ({n}): first heading {r["h1"]!r} is not the title')
            if r['error_cells'] or r['tracebacks']:
                bad(f'{page} ({n}): {max(r["error_cells"], len(r["tracebacks"]))} cell(s) show an error: {(r["tracebacks"] or ["error output"])[0][:200]!r}')
            if r['stderr']: note(f'{page} ({n}): {len(r["stderr"])} cell(s) show stderr, first: {r["stderr"][0][:120]!r}')
            broken = [i for i in r['out_imgs'] if not i['ok']]
            if broken: bad(f'{page} ({n}): {len(broken)} of {len(r["out_imgs"])} output images did not load')
            if n in narratives:
                if r['out_tables'] < 1: bad(f'{page} ({n}): narrative shows no result table in its saved outputs')
                if sum(i['ok'] for i in r['out_imgs']) < 1: bad(f'{page} ({n}): narrative shows no plot (<img>) in its saved outputs')
            print(f'  {page:16} {r["text_len"]:6} chars, {len(r["links"])} links, {r["out_tables"]} output tables, '
                  f'{len(r["out_imgs"])} output images, {len(r["heads"])} headings')
        failed_pages = {_nbpath2html(n) for n in names if n not in pages}
        unchecked = {}  # page that failed to build -> symbols and links to it left unchecked
        # every public symbol documented on its page
        for (page, anchor), q in sorted(syms.items(), key=lambda kv: kv[1]):
            if page == '?': continue
            r = info.get(page)
            if r is None:
                if page in failed_pages: unchecked[page] = unchecked.get(page, 0) + 1
                else: bad(f'{q}: its page {page} does not exist (no notebook renders to it)')
                continue
            if anchor.startswith('='):
                if not re.search(r'\b' + re.escape(anchor[1:]) + r'\b', r['text']): bad(f'{q} (a constant in __all__) is not mentioned on {page}')
                continue
            h = next((h for h in r['heads'] if h['id'] == anchor), None)
            nm = q.rsplit('.', 1)[-1]
            if h is None: bad(f'{q}: no show_doc section #{anchor} on {page} (is it exported in a `#| hide` cell, or shown under another name?)')
            elif nm not in h['text'] or h['next'] not in ('PRE', 'BLOCKQUOTE', 'DIV', 'P'):
                bad(f'{q}: heading #{anchor} on {page} does not look like show_doc output ({h["text"]!r} followed by {h["next"]})')
        # links between pages
        n_int = n_ext = 0
        site_uri = site.as_uri() + '/'
        for page, r in info.items():
            for l in r['links']:
                href = l['href']
                if href.startswith('file:'):
                    if not href.startswith(site_uri): bad(f'{page}: link {l["raw"]!r} leaves the site'); continue
                    n_int += 1
                    u = urlparse(href)
                    target = unquote(u.path).rsplit('/', 1)[-1]
                    if target in failed_pages: unchecked[target] = unchecked.get(target, 0) + 1; continue
                    if target not in info: bad(f'{page}: link {l["raw"]!r} ({l["text"]!r}) points to missing page {target}'); continue
                    if u.fragment and unquote(u.fragment) not in info[target]['ids']:
                        bad(f'{page}: link {l["raw"]!r} ({l["text"]!r}) points to missing anchor #{u.fragment} on {target}')
                elif href.startswith('http'): n_ext += 1
        print(f'  links: {n_int} between pages checked, {n_ext} external (not fetched offline)')
        for pg, k in unchecked.items(): note(f'{k} symbols/links on or to {pg} not checked: that page failed to build')
        shot_page = next((pages[n] for n in narratives if n in pages), pages.get('index.ipynb') or next(iter(pages.values()), None))
        if shot_page:
            d.get((site/shot_page).as_uri())
            h = min(int(d.execute_script('return document.documentElement.scrollHeight')), 12000)
            d.set_window_size(1280, max(h, 600))
            shot = out/f'{Path(shot_page).stem}.png'
            if not d.save_screenshot(str(shot)) or shot.stat().st_size < 5000: bad(f'screenshot of {shot_page} failed')
            else: print(f'  screenshot: {shot} ({shot.stat().st_size//1024} KiB, 1280x{max(h, 600)})')
    finally:
        d.quit(); shutil.rmtree(profile, ignore_errors=True)
    print(f'  browser: {time.time()-t2:.1f}s')
    (out/'report.json').write_text(json.dumps(dict(problems=problems, notes=notes, pages=pages), indent=1))
    return finish(problems, notes, t0)

def finish(problems, notes, t0):
    print(f'docs_check: {len(problems)} problem(s), {len(notes)} note(s), {time.time()-t0:.1f}s')
    for p in problems: print('  -', p)
    return 1 if problems else 0

if __name__ == '__main__':
    if sys.argv[1:2] == ['--proc-one']: print(json.dumps(_proc_one(sys.argv[2:4])))
    else: sys.exit(main())
