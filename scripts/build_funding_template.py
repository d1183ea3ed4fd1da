"""Write the empty funding template ``src/grannskap/data/templates/finansiering_mall.xlsx``.

python scripts/build_funding_template.py
"""

from pathlib import Path

from grannskap.ingest.funding_xlsx import write_template

OUT = Path(__file__).resolve().parents[1] / "src/grannskap/data/templates/finansiering_mall.xlsx"

if __name__ == "__main__":
    OUT.parent.mkdir(parents=True, exist_ok=True)
    print(write_template(OUT))
