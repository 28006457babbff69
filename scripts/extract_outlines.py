"""Write data/outlines.geojson: country outlines around Nagorno-Karabakh for the report's map.

Source: Natural Earth 1:110m admin-0 countries (public domain), as shipped inside the
geopandas 0.14.4 wheel on PyPI under geopandas/datasets/naturalearth_lowres/.

This is a one-off, run by hand; the project does not depend on pyshp. To re-run it:

    python3 -m pip download geopandas==0.14.4 --no-deps -d /tmp/gp
    python3 -m venv /tmp/shpvenv && /tmp/shpvenv/bin/pip install pyshp
    /tmp/shpvenv/bin/python scripts/extract_outlines.py /tmp/gp/geopandas-0.14.4-py3-none-any.whl

What it writes:
- one Feature per country in COUNTRIES, properties `name` and `iso_a3` only;
- countries are matched by name (Natural Earth lowres has iso_a3 = -99 for some countries);
- Russia keeps only the polygons whose bounding box intersects RUSSIA_WINDOW, so the file stays small;
- coordinates rounded to 3 decimals (about 100 m, far finer than the 1:110m source),
  repeated points that rounding creates are dropped;
- rings wound as d3-geo (and so Vega/Altair's geoshape) expects: exterior rings clockwise,
  holes counter-clockwise, which is also the shapefile convention. RFC 7946 recommends the
  opposite order, and d3 would then fill the whole globe except the country; pass
  `--winding rfc7946` for tools that need it;
- compact JSON (no indentation), UTF-8, ending with a newline.
"""

from __future__ import annotations

import argparse
import io
import json
import sys
import zipfile
from pathlib import Path

try:
    import shapefile  # pyshp
except ImportError:  # pragma: no cover - a one-off script
    sys.exit("this script needs pyshp: python3 -m venv /tmp/shpvenv && /tmp/shpvenv/bin/pip install pyshp, then run it with /tmp/shpvenv/bin/python")

MEMBER = "geopandas/datasets/naturalearth_lowres/naturalearth_lowres"
COUNTRIES = ("Armenia", "Azerbaijan", "Georgia", "Iran", "Turkey", "Russia")
RUSSIA_WINDOW = (36.0, 36.0, 52.0, 46.0)  # lon_min, lat_min, lon_max, lat_max
DECIMALS = 3
OUT = Path(__file__).resolve().parents[1] / "data" / "outlines.geojson"


def signed_area(ring: list[tuple[float, float]]) -> float:
    """Shoelace area in the lon/lat plane: positive when counter-clockwise."""
    return sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in zip(ring, ring[1:])) / 2.0


def round_ring(ring, decimals: int = DECIMALS) -> list[list[float]] | None:
    """Round, drop consecutive duplicates, keep the ring closed; None if it collapses."""
    out: list[list[float]] = []
    for x, y in ring:
        p = [round(x, decimals), round(y, decimals)]
        if not out or p != out[-1]:
            out.append(p)
    if out[0] != out[-1]:
        out.append(list(out[0]))
    if len(out) < 4 or signed_area(out) == 0:
        return None
    return out


def wind(ring: list[list[float]], clockwise: bool) -> list[list[float]]:
    is_cw = signed_area(ring) < 0
    return ring if is_cw == clockwise else ring[::-1]


def bbox_intersects(ring, window) -> bool:
    xs = [p[0] for p in ring]
    ys = [p[1] for p in ring]
    x0, y0, x1, y1 = window
    return min(xs) <= x1 and max(xs) >= x0 and min(ys) <= y1 and max(ys) >= y0


def polygons(shape) -> list[list[list[tuple[float, float]]]]:
    """A shapefile polygon shape -> [[exterior, hole, ...], ...] (pyshp groups the rings)."""
    bounds = list(shape.parts) + [len(shape.points)]
    rings = [[tuple(p) for p in shape.points[a:b]] for a, b in zip(bounds, bounds[1:])]
    return shapefile.organize_polygon_rings(rings)


def read_countries(wheel: Path) -> dict[str, tuple[str, object]]:
    with zipfile.ZipFile(wheel) as z:
        parts = {ext: io.BytesIO(z.read(f"{MEMBER}.{ext}")) for ext in ("shp", "shx", "dbf")}
        encoding = z.read(f"{MEMBER}.cpg").decode("ascii").strip() or "utf-8"
    reader = shapefile.Reader(shp=parts["shp"], shx=parts["shx"], dbf=parts["dbf"], encoding=encoding)
    found = {}
    for sr in reader.iterShapeRecords():
        name = sr.record["name"]
        if name in COUNTRIES:
            found[name] = (sr.record["iso_a3"], sr.shape)
    missing = [c for c in COUNTRIES if c not in found]
    if missing:
        sys.exit(f"not found in {wheel.name}: {', '.join(missing)}")
    return found


def feature(name: str, iso_a3: str, shape, winding: str) -> dict:
    exterior_cw = winding == "d3"
    polys = []
    for poly in polygons(shape):
        if name == "Russia" and not bbox_intersects(poly[0], RUSSIA_WINDOW):
            continue
        rings = [round_ring(r) for r in poly]
        if rings[0] is None:
            continue
        rings = [wind(rings[0], exterior_cw)] + [wind(r, not exterior_cw) for r in rings[1:] if r is not None]
        polys.append(rings)
    geometry = {"type": "Polygon", "coordinates": polys[0]} if len(polys) == 1 else {"type": "MultiPolygon", "coordinates": polys}
    return {"type": "Feature", "properties": {"name": name, "iso_a3": iso_a3}, "geometry": geometry}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("wheel", type=Path, help="path of geopandas-0.14.4-py3-none-any.whl")
    parser.add_argument("--out", type=Path, default=OUT, help=f"where to write (default: {OUT})")
    parser.add_argument("--winding", choices=("d3", "rfc7946"), default="d3", help="ring order (default: d3, as Vega/Altair needs)")
    args = parser.parse_args(argv)

    countries = read_countries(args.wheel)
    collection = {
        "type": "FeatureCollection",
        "features": [feature(name, *countries[name], args.winding) for name in COUNTRIES],
    }
    text = json.dumps(collection, separators=(",", ":"), ensure_ascii=False) + "\n"
    tmp = args.out.with_suffix(".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(args.out)
    print(f"wrote {args.out} ({len(text.encode('utf-8')):,} bytes, {len(collection['features'])} countries)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
