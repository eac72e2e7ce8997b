"""Build the text-layout fixtures (run by hand; outputs are committed).

- huaian-city-2024-pdftext.txt: pdfplumber's page text of the real PDF (labels wrapped around
  their numbers, rotated group labels one character per line, page numbers between rows), with
  the real PDF's golden numbers (written by reading that document), only "source" changed.
- 003-pipes-*.txt and 003-cell-per-paragraph.txt: the layout of the seed report
  003_c261cf9df1aa1cd4.txt (templates/003-seed-layout.txt: the seed's text with each statistics
  cell's number replaced by a placeholder) filled with our numbers, fixture_numbers.report_numbers(K,
  FEE), then printed as `| a | b |` rows, as `a | b |` rows (as markdown converters print them) and
  as one cell per paragraph (blank line between cells). Each expected record is written from the
  same numbers.
"""

import json
from pathlib import Path

import pdfplumber
from fixture_numbers import expected_record, report_numbers, write_expected
from make_layout_fixtures import TEMPLATES, render

HERE = Path(__file__).parent
K, FEE = 9, 64.32
IDENTITY = {
    "title": "阜新市海州区2024年政府信息公开工作年度报告",
    "agency": "阜新市海州区",
    "year": 2024,
    "format": "2021",
    "published": None,  # the text states the statistics period, not a publication date
    "warnings_exclude": ["read as 0", "not found", "no statistics tables"],
}


def _copy_golden(src: str, name: str) -> None:
    expected = json.loads((HERE / f"{src}.expected.json").read_text(encoding="utf-8"))
    expected["source"] = name
    write_expected(HERE / f"{name.rsplit('.', 1)[0]}.expected.json", expected)


def _write(name: str, lines: list[str], sep: str, numbers: dict) -> None:
    (HERE / name).write_text(sep.join(lines) + "\n", encoding="utf-8")
    write_expected(HERE / f"{name.rsplit('.', 1)[0]}.expected.json",
                   expected_record({"source": name, **IDENTITY}, numbers))


def main() -> None:
    with pdfplumber.open(HERE / "huaian-city-2024.pdf") as pdf:
        text = "\n".join(page.extract_text() or "" for page in pdf.pages)
    (HERE / "huaian-city-2024-pdftext.txt").write_text(text, encoding="utf-8")
    _copy_golden("huaian-city-2024", "huaian-city-2024-pdftext.txt")

    numbers = report_numbers(K, FEE)
    seed = render((TEMPLATES / "003-seed-layout.txt").read_text(encoding="utf-8"), numbers).splitlines()
    full = ["| " + " | ".join(line.split("\t")) + " |" if "\t" in line else line for line in seed]
    _write("003-pipes-full.txt", full, "\n", numbers)
    half = [" | ".join(c for c in line.split("\t") if c.strip()) + " |" if "\t" in line else line for line in seed]
    _write("003-pipes-trailing.txt", half, "\n", numbers)
    cells = []
    for line in seed:
        cells.extend([c for c in line.split("\t") if c.strip()] if "\t" in line else [line])
    _write("003-cell-per-paragraph.txt", cells, "\n\n", numbers)


if __name__ == "__main__":
    main()
