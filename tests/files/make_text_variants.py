"""Build the text-layout fixtures from real documents (run by hand; outputs are committed).

- huaian-city-2024-pdftext.txt: pdfplumber's page text of the real PDF (labels wrapped around
  their numbers, rotated group labels one character per line, page numbers between rows).
- 003-pipes-*.txt: seed 003's tab rows as `| a | b |` and `a | b |` rows, as markdown
  converters print them.
- 003-cell-per-paragraph.txt: one cell per paragraph (blank line between cells).
Each gets the golden numbers of the document it comes from (the golden was written by reading
that document), with only "source" changed.
"""

import json
from pathlib import Path

import pdfplumber

HERE = Path(__file__).parent


def _golden(src: str, name: str) -> None:
    expected = json.loads((HERE / f"{src}.expected.json").read_text(encoding="utf-8"))
    expected["source"] = name
    stem = name.rsplit(".", 1)[0]
    (HERE / f"{stem}.expected.json").write_text(json.dumps(expected, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def main() -> None:
    with pdfplumber.open(HERE / "huaian-city-2024.pdf") as pdf:
        text = "\n".join(page.extract_text() or "" for page in pdf.pages)
    (HERE / "huaian-city-2024-pdftext.txt").write_text(text, encoding="utf-8")
    _golden("huaian-city-2024", "huaian-city-2024-pdftext.txt")

    seed = (HERE / "003_c261cf9df1aa1cd4.txt").read_text(encoding="utf-8").splitlines()
    full = ["| " + " | ".join(line.split("\t")) + " |" if "\t" in line else line for line in seed]
    (HERE / "003-pipes-full.txt").write_text("\n".join(full) + "\n", encoding="utf-8")
    _golden("003_c261cf9df1aa1cd4", "003-pipes-full.txt")
    half = [" | ".join(c for c in line.split("\t") if c.strip()) + " |" if "\t" in line else line for line in seed]
    (HERE / "003-pipes-trailing.txt").write_text("\n".join(half) + "\n", encoding="utf-8")
    _golden("003_c261cf9df1aa1cd4", "003-pipes-trailing.txt")
    cells = []
    for line in seed:
        cells.extend([c for c in line.split("\t") if c.strip()] if "\t" in line else [line])
    (HERE / "003-cell-per-paragraph.txt").write_text("\n\n".join(cells) + "\n", encoding="utf-8")
    _golden("003_c261cf9df1aa1cd4", "003-cell-per-paragraph.txt")


if __name__ == "__main__":
    main()
