"""Write README.md from nbs/index.ipynb without Quarto (which cannot be installed offline).

Cells marked `#| hide` are left out, other `#|` directives are stripped, stderr output is dropped.
`--check` exits 1 when README.md differs from what would be written."""
import sys, re, copy
from pathlib import Path
import nbformat
from nbconvert import MarkdownExporter

root = Path(__file__).resolve().parent.parent
_directive = re.compile(r'^\s*#\s*\|')

def _is_hidden(cell):
    return any(re.match(r'^\s*#\s*\|\s*hide\s*$', l) for l in cell.source.splitlines())

def readme_text(nb_path=root/'nbs'/'index.ipynb') -> str:
    nb = nbformat.read(nb_path, as_version=4)
    nb = copy.deepcopy(nb)
    cells = []
    for c in nb.cells:
        if _is_hidden(c): continue
        if c.cell_type == 'code':
            c.source = '\n'.join(l for l in c.source.splitlines() if not _directive.match(l))
            c.outputs = [o for o in c.outputs if not (o.output_type == 'stream' and o.get('name') == 'stderr')]
        cells.append(c)
    nb.cells = cells
    body, _ = MarkdownExporter().from_notebook_node(nb)
    body = re.sub(r'\n{3,}', '\n\n', body).strip() + '\n'
    return '<!-- generated from nbs/index.ipynb by tools/make_readme.py: edit the notebook, not this file -->\n\n' + body

if __name__ == '__main__':
    text, dest = readme_text(), root/'README.md'
    if '--check' in sys.argv:
        if dest.read_text() != text:
            sys.exit('README.md is not current: run `python tools/make_readme.py` and commit it')
        print('README.md is current')
    else:
        dest.write_text(text); print('wrote', dest)
