#!/usr/bin/env python3
"""Build regions/data/cities.csv (GB/T 2260 prefecture-level list) from an
``adcodes.csv`` file in the cpca format (12-digit ``adcode``, ``name``, ...).

Usage::

    python regions/data/build_cities.py /path/to/adcodes.csv [--crosscheck /path/to/pca.csv]

Standard library only. Writes ``cities.csv`` next to this script and prints a
count summary. See SOURCE.md for where adcodes.csv comes from.

Output columns: province_code,province_name,city_code,city_name,kind

* 31 mainland provinces (codes 11..65); 71 Taiwan, 81 Hong Kong, 82 Macau and
  anything else outside 11..65 are left out.
* The municipalities 11/12/31/50 become one row each, city_code PP0000,
  kind ``municipality``.
* Every other prefecture-level division (PPCC00 with CC not 00/90, and a name
  ending in 市, 地区, 自治州 or 盟) becomes kind ``prefecture``.
* The children of the pseudo-groupings PP90 (省/自治区直辖县级行政区划) are
  listed one by one with their own 6-digit code, kind ``province_administered``.
"""

import argparse
import csv
import sys
from collections import Counter, defaultdict
from pathlib import Path

HEADER = ["province_code", "province_name", "city_code", "city_name", "kind"]
MUNICIPALITIES = {"11", "12", "31", "50"}
PREFECTURE_SUFFIXES = ("市", "地区", "自治州", "盟")
EXPECTED_PROVINCES = 31


def load_adcodes(path):
    """Return {12-digit code: name}. Stops with an error on a malformed or duplicate code."""
    codes = {}
    with open(path, encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        missing = {"adcode", "name"} - set(reader.fieldnames or [])
        if missing:
            sys.exit(f"error: {path} lacks column(s) {sorted(missing)}")
        for lineno, row in enumerate(reader, start=2):
            code = (row["adcode"] or "").strip()
            name = (row["name"] or "").strip()
            if len(code) != 12 or not code.isdigit():
                sys.exit(f"error: line {lineno}: adcode {code!r} is not 12 digits")
            if code in codes and codes[code] != name:
                sys.exit(f"error: line {lineno}: {code} both {codes[code]!r} and {name!r}")
            codes[code] = name
    return codes


def build(codes):
    """Return (rows, notes). rows are dicts with the HEADER keys."""
    notes = []
    # Only levels down to county are used; the 6 trailing digits must be zero.
    six = {}
    for code, name in codes.items():
        if code[6:] != "000000":
            continue
        six[code[:6]] = name

    provinces = {
        c[:2]: n for c, n in six.items() if c[2:] == "0000" and 11 <= int(c[:2]) <= 65
    }
    ignored = sorted(
        f"{c[:2]} {n}" for c, n in six.items() if c[2:] == "0000" and c[:2] not in provinces
    )
    if ignored:
        notes.append("provinces left out: " + ", ".join(ignored))
    if len(provinces) != EXPECTED_PROVINCES:
        sys.exit(f"error: found {len(provinces)} mainland provinces, expected {EXPECTED_PROVINCES}")

    rows = {}

    def add(pc, city_code, city_name, kind):
        if city_code in rows:
            sys.exit(f"error: duplicate city_code {city_code}")
        rows[city_code] = {
            "province_code": pc,
            "province_name": provinces[pc],
            "city_code": city_code,
            "city_name": city_name,
            "kind": kind,
        }

    prefecture_prefixes = set()
    for pc in sorted(provinces):
        if pc in MUNICIPALITIES:
            add(pc, pc + "0000", provinces[pc], "municipality")
            continue
        for c in sorted(six):
            if c[:2] != pc or c[2:4] == "00":
                continue
            name = six[c]
            if c[2:4] == "90":
                if c[4:] != "00":
                    add(pc, c, name, "province_administered")
                continue
            if c[4:] == "00":
                if name.endswith(PREFECTURE_SUFFIXES):
                    add(pc, c, name, "prefecture")
                    prefecture_prefixes.add(c[:4])
                else:
                    notes.append(f"skipped {c} {name}: not a prefecture-level name (市/地区/自治州/盟)")

    # County-level entries whose prefecture is missing would silently vanish: report them.
    orphans = Counter(
        c[:4]
        for c in six
        if c[:2] in provinces
        and c[:2] not in MUNICIPALITIES
        and c[2:4] not in ("00", "90")
        and c[4:] != "00"
        and c[:4] not in prefecture_prefixes
    )
    for prefix, n in sorted(orphans.items()):
        notes.append(f"warning: {n} county-level code(s) under {prefix}xx have no prefecture row")

    return [rows[k] for k in sorted(rows)], notes


def crosscheck(rows, pca_path):
    """Compare (province, city) names with a cpca-style pca.csv (sheng,shi,qu)."""
    ours = {(r["province_name"], r["city_name"]) for r in rows}
    provinces = {r["province_name"] for r in rows}
    theirs = set()
    with open(pca_path, encoding="utf-8-sig", newline="") as fh:
        for row in csv.DictReader(fh):
            if row["sheng"] in provinces and row["shi"]:
                theirs.add((row["sheng"], row["shi"]))
    only_ours = sorted(ours - theirs)
    only_theirs = sorted(theirs - ours)
    print(f"crosscheck vs {pca_path}: {len(ours & theirs)} names match")
    for p, c in only_ours:
        print(f"  only in cities.csv: {p} {c}")
    for p, c in only_theirs:
        print(f"  only in pca.csv:    {p} {c}")
    return not only_ours and not only_theirs


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("adcodes", help="path to adcodes.csv (12-digit adcode,name,...)")
    parser.add_argument(
        "--crosscheck", metavar="PCA_CSV", help="optional cpca-style pca.csv to compare names with"
    )
    parser.add_argument(
        "-o", "--output", default=str(Path(__file__).resolve().with_name("cities.csv")),
        help="output file (default: cities.csv next to this script)",
    )
    args = parser.parse_args(argv)

    rows, notes = build(load_adcodes(args.adcodes))
    with open(args.output, "w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=HEADER, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)

    for note in notes:
        print(note)
    by_kind = Counter(r["kind"] for r in rows)
    per_province = defaultdict(int)
    for r in rows:
        per_province[r["province_code"]] += 1
    print(f"wrote {len(rows)} rows to {args.output}")
    print(f"provinces: {len(per_province)}")
    for kind in ("municipality", "prefecture", "province_administered"):
        print(f"  {kind}: {by_kind.get(kind, 0)}")

    if args.crosscheck and not crosscheck(rows, args.crosscheck):
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
