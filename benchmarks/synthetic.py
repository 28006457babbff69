"""Realistic synthetic datasets for the statements.csv schema, for the scale benchmarks.

    python benchmarks/synthetic.py ROWS OUT_DIR [--seed N]

writes OUT_DIR/statements.csv, places.csv, parties.csv and sources.csv, valid for
`chronology.load.load_dataset` (columns and allowed values come from chronology.schema).
The same ROWS and seed give the same bytes. A million rows take a few seconds: every column
is drawn with numpy and joined as object arrays, and pandas writes the CSV.

What the data looks like:
- parties: the bundled ones plus synthetic ones, about 50 at 10k rows and 1,000 at 1M rows
  (a power law in between), each on a side from schema.SIDES; a few parties say most things;
- places: the bundled ones plus synthetic ones (a few hundred), named in three conventions,
  in the Caucasus (latitude 38-42, longitude 44-50);
- topics: about 40; sources: a handful;
- kinds: about 80% statements, 10% events, 10% figures (measure, value, qualifier, unit);
- dates 2016-2022, dense around the autumn 2020 war; 60% to the day, 30% to the month,
  10% to the year; about 5% are spans with a date_end;
- about 20% of the statements and figures respond to an earlier row (denies / disputes);
- quotes on about 40% of the statements, from a few words to a few hundred characters, some
  with commas, double quotes and line breaks; summaries often name {place_id} tokens.
"""

from __future__ import annotations

import argparse
import csv
import json
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

try:
    from chronology import paths
    from chronology.schema import MEASURES, PARTIES, PLACES, QUALIFIERS, SIDES, SOURCES, STATEMENTS
except ImportError:  # run from a checkout without `pip install -e .`
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    from chronology import paths
    from chronology.schema import MEASURES, PARTIES, PLACES, QUALIFIERS, SIDES, SOURCES, STATEMENTS

GENERATOR_VERSION = 2  # bump when the output for a given (rows, seed) changes: invalidates caches

_SYLLABLES = (
    "ag ak al am an ar as ba bar ber da dag dam dar de der ga gan gar gor gu ha ham han "
    "ja jar ka kal kan kar ke kel ker kha ko kub la lach lik ma mar me mir na nak nor "
    "ra ran sa sar shu sha ta tal tar ter tu va van ver ya zan za zar fu fuz hov "
).split()
_FIRST = (
    "Ilham Nikol Anar Armen Elnur Davit Rashad Tigran Leyla Ani Hikmet Arayik Jeyhun Gohar "
    "Vugar Hayk Samir Narek Aysel Lusine Orkhan Artak Farid Karen Nigar Mariam Elchin Vahe "
    "Sergei Recep Maria Mevlut Dmitry Hulusi Antony Josep Charles Ned Zakharova Olivier"
).split()
_LAST = (
    "Aliyev Pashinyan Mammadov Hovhannisyan Hasanov Babayan Bayramov Stepanyan Guliyev Harutyunyan "
    "Ismayilov Sargsyan Huseynov Grigoryan Abbasov Petrosyan Rzayev Avetisyan Karimov Mkrtchyan "
    "Lavrov Peskov Cavusoglu Akar Blinken Borrell Michel Price Shoigu Le-Drian Ivanov Yilmaz"
).split()
_ROLES = (
    "President", "Prime Minister", "Foreign Minister", "Defence Minister", "spokeswoman, defence ministry",
    "spokesman, foreign ministry", "presidential aide", "member of parliament", "ombudsman",
    "military commander", "press secretary", "envoy", "mayor", "head of the security council",
)
_CHANNELS = (
    "televised address", "Facebook post", "press conference", "interview with the BBC", "written statement",
    "Twitter post", "Telegram channel", "briefing for journalists", "speech to parliament", "telephone call",
    "interview with Reuters", "statement on the ministry's website", "video address", "joint statement",
)
_VIA = ("Reuters news agency", "AFP", "the Kremlin", "TASS", "APA news agency", "Armenpress", "Anadolu Agency", "Interfax")
_AS_REPORTED = (
    "on Sunday", "on Saturday", "last month", "overnight", "earlier this week", "in September", "in October",
    "on 8 November", "(not stated)", "(not dated: during the fighting)", "the day before", "this morning",
    "in a statement late on Friday", "(as of the article)",
)
_TOPIC_BASE = (
    "control-of-shusha", "control-of-karabakh", "casualties", "ceasefire", "civilians", "negotiations",
    "reactions", "outbreak", "cathedral", "front-line", "background", "prisoners", "refugees",
    "humanitarian-aid", "drones", "cluster-munitions", "mercenaries", "border-clashes", "corridor",
    "peacekeepers", "mines", "cultural-heritage", "pipeline", "sanctions", "elections", "protests",
    "water-supply", "energy", "roads", "airspace", "shelling", "evacuation", "hostages", "monuments",
    "journalists", "cyberattacks", "blockade", "territory-exchange", "demarcation", "recognition",
)
_WORDS = (
    "we our forces the enemy will never give up territory people land peace war must stop attack city town "
    "village soldiers civilians army positions road defend liberate occupied historic justice truth lies "
    "propaganda international community ceasefire violation shelling homes children families victory "
    "struggle continue negotiations table withdraw troops immediately responsibility crimes humanitarian "
    "corridor world history nation homeland sovereignty border security artillery drones fighting "
    "every building control heights hills region settlement losses heavy significant advance retreat "
    "statement false reports confirm deny claims evidence witnesses monitor observers mission"
).split()
_VERBS = ("says", "claims", "insists", "reports", "warns", "announces", "states", "alleges", "tells journalists")
_SUMMARY_WHAT = (
    "that fighting continues", "that its forces have advanced", "that the enemy has suffered losses",
    "that civilians have been hit", "that a ceasefire has been violated", "that talks should resume",
    "that the road is under control", "that reports of a retreat are false", "that observers should be sent",
    "that the situation is stable", "that aid has been delivered", "that heavy shelling took place",
)
_EVENT_WHAT = (
    "Fighting is reported near", "Shelling hits", "Troops move towards", "A truce is announced around",
    "Residents flee", "Aid convoys reach", "A drone strike is reported in", "Crowds gather in",
    "Power is cut in", "Observers visit",
)
_RESPONSE_WHAT = ("denies", "disputes", "rejects", "calls false")


def _zipf_choice(rng: np.random.Generator, n_items: int, size: int, a: float = 1.1) -> np.ndarray:
    """Indices 0..n_items-1, the first few much more often than the rest (a power law)."""
    weights = 1.0 / np.arange(1, n_items + 1) ** a
    return rng.choice(n_items, size=size, p=weights / weights.sum())


def _obj(values) -> np.ndarray:
    values = list(values)
    out = np.empty(len(values), dtype=object)
    out[:] = values
    return out


def _join(*parts) -> np.ndarray:
    """Element-wise concatenation of equal-length arrays and constant strings, in one pass."""
    arrays = [p if isinstance(p, np.ndarray) else None for p in parts]
    n = next(len(a) for a in arrays if a is not None)
    cols = [a if a is not None else [p] * n for a, p in zip(arrays, parts)]
    out = np.empty(n, dtype=object)
    out[:] = ["".join(t) for t in zip(*cols)]
    return out


def _where(mask: np.ndarray, a, b) -> np.ndarray:
    return np.where(mask, a, b).astype(object)


def n_parties_for(rows: int) -> int:
    """About 50 parties at 10k rows and 1,000 at 1M rows."""
    return int(max(8, round(50 * (max(rows, 1) / 10_000) ** (np.log(20) / np.log(100)))))


def n_places_for(rows: int) -> int:
    """A few hundred places (fewer for small files)."""
    return int(min(400, max(20, round(120 * (max(rows, 1) / 10_000) ** 0.25))))


def _names(rng: np.random.Generator, n: int, syllables: int) -> list[str]:
    parts = rng.integers(0, len(_SYLLABLES), size=(n, syllables))
    return ["".join(_SYLLABLES[k] for k in row).capitalize() for row in parts]


def _parties(rng: np.random.Generator, n: int) -> pd.DataFrame:
    bundled = pd.read_csv(paths.PARTIES_CSV, dtype=str, keep_default_na=False)
    extra = max(0, n - len(bundled))
    kinds = ("ministry of defence", "foreign ministry", "parliament", "army", "news agency", "party", "ombudsman", "government", "militia", "embassy")
    names = _names(rng, extra, 2)
    kind = rng.integers(0, len(kinds), size=extra)
    side = rng.choice(len(SIDES), size=extra, p=[0.35, 0.35, 0.2, 0.1])
    rows = pd.DataFrame(
        {
            "id": [f"{nm.lower()}-{kinds[k].split()[0]}-{i + 1}" for i, (nm, k) in enumerate(zip(names, kind))],
            "name": [f"{nm} {kinds[k]}" for nm, k in zip(names, kind)],
            "side": [SIDES[s] for s in side],
            "note": [f"synthetic party {i + 1}; {kinds[k]}, {SIDES[s]} side" if i % 3 else "" for i, (k, s) in enumerate(zip(kind, side))],
        }
    )
    return pd.concat([bundled, rows], ignore_index=True)[[c.name for c in PARTIES.columns]]


def _places(rng: np.random.Generator, n: int) -> pd.DataFrame:
    bundled = pd.read_csv(paths.PLACES_CSV, dtype=str, keep_default_na=False)
    extra = max(0, n - len(bundled))
    base = _names(rng, extra, 2)
    az_sfx = rng.choice(["", "", "li", "ly", "kend", "abad"], size=extra)
    ar_sfx = rng.choice(["", "", "an", "avan", "shen", "ashen"], size=extra)
    kinds = rng.choice(["village", "village", "town", "city", "district", "hill", "river crossing"], size=extra)
    rows = pd.DataFrame(
        {
            "id": [f"{b.lower()}-{i + 1}" for i, b in enumerate(base)],
            "name_international": base,
            "name_azerbaijani": [b + s for b, s in zip(base, az_sfx)],
            "name_armenian": [(b.replace("k", "gh") if s else b) + s for b, s in zip(base, ar_sfx)],
            "kind": kinds,
            "country": rng.choice(["Azerbaijan", "Azerbaijan", "Azerbaijan", "Armenia", "Georgia"], size=extra),
            "latitude": np.round(rng.uniform(38.0, 42.0, size=extra), 4).astype(str),
            "longitude": np.round(rng.uniform(44.0, 50.0, size=extra), 4).astype(str),
            "note": [f"synthetic place, \"{k}\", near the front line" if i % 4 == 0 else "" for i, k in enumerate(kinds)],
        }
    )
    return pd.concat([bundled, rows], ignore_index=True)[[c.name for c in PLACES.columns]]


def _sources(rng: np.random.Generator) -> pd.DataFrame:
    bundled = pd.read_csv(paths.SOURCES_CSV, dtype=str, keep_default_na=False)
    pubs = ("Reuters", "Agence France-Presse", "Eurasianet", "OC Media", "Al Jazeera", "The Guardian")
    rows = pd.DataFrame(
        {
            "id": [f"{p.lower().replace(' ', '-').replace('é', 'e')}-{i + 1}" for i, p in enumerate(pubs)],
            "publisher": list(pubs),
            "title": [f"Nagorno-Karabakh: report {i + 1}, \"{w}\"" for i, w in enumerate(("fighting", "truce", "talks", "casualties", "reactions", "aftermath"))],
            "published": ["2020-11-08", "2020-10-27", "2020-11", "2021-03-02", "2020", "2022-09-14"],
            "url": [f"https://example.org/{i + 1}" if i % 2 == 0 else "" for i in range(len(pubs))],
            "obtained": "synthetic benchmark data",
        }
    )
    return pd.concat([bundled, rows], ignore_index=True)[[c.name for c in SOURCES.columns]]


def _quote_pool(rng: np.random.Generator, n: int) -> np.ndarray:
    """n distinct-ish quote fragments: a few words to a few hundred characters, some with , " and newlines."""
    lengths = np.clip(np.round(rng.lognormal(2.3, 0.7, size=n)).astype(int), 2, 60)
    words = np.asarray(_WORDS, dtype=object)
    flat = words[rng.integers(0, len(words), size=int(lengths.sum()))]
    commas = rng.random(len(flat)) < 0.08
    flat = np.where(commas, flat + ",", flat)
    bounds = np.concatenate(([0], np.cumsum(lengths)))
    out = np.empty(n, dtype=object)
    out[:] = [" ".join(flat[bounds[i]:bounds[i + 1]]) for i in range(n)]
    out = np.char.capitalize(out.astype(str)).astype(object)
    marks = rng.random(n)
    out = np.where(marks < 0.08, out + ', "' + words[rng.integers(0, len(words), size=n)] + '" they call it', out)
    out = np.where((marks >= 0.08) & (marks < 0.11), out + ".\n" + words[rng.integers(0, len(words), size=n)] + " - and more", out)
    return out.astype(object)


def generate(rows: int, out_dir: Path | str, seed: int = 0) -> dict[str, Path]:
    """Write the four CSV files for `rows` statements into out_dir; return their paths."""
    if rows < 1:
        raise ValueError("rows must be at least 1")
    rng = np.random.default_rng(seed)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    n = rows

    parties = _parties(rng, n_parties_for(rows))
    places = _places(rng, n_places_for(rows))
    sources = _sources(rng)
    topics = np.asarray(_TOPIC_BASE, dtype=object)

    # Speakers: about three per party, each with a role; the first parties speak most.
    n_speakers = 3 * len(parties)
    sp_party = np.concatenate((np.arange(len(parties)), rng.integers(0, len(parties), size=n_speakers - len(parties))))
    sp_name = _obj(f"{_FIRST[a]} {_LAST[b]}" for a, b in zip(rng.integers(0, len(_FIRST), n_speakers), rng.integers(0, len(_LAST), n_speakers)))
    party_names = parties["name"].to_numpy(dtype=object)
    sp_name = np.where(rng.random(n_speakers) < 0.15, party_names[sp_party], sp_name)  # "Azerbaijan" speaking as a body
    sp_role = _obj(_ROLES[k] if r < 0.6 else "" for k, r in zip(rng.integers(0, len(_ROLES), n_speakers), rng.random(n_speakers)))
    party_ids = parties["id"].to_numpy(dtype=object)

    # Kinds.
    u = rng.random(n)
    kind_idx = np.where(u < 0.10, 2, np.where(u < 0.20, 1, 0))  # 0 statement, 1 event, 2 figure
    is_event, is_figure = kind_idx == 1, kind_idx == 2
    claim = ~is_event
    kind = np.asarray(["statement", "event", "figure"], dtype=object)[kind_idx]

    # Dates: 2016-2022, half of them in the autumn 2020 war; sorted so answers come after claims.
    lo, hi = np.datetime64("2016-01-01"), np.datetime64("2022-12-31")
    war_lo, war_hi = np.datetime64("2020-09-27"), np.datetime64("2020-11-15")
    in_war = rng.random(n) < 0.5
    days = np.where(
        in_war,
        rng.integers(0, (war_hi - war_lo).astype(int) + 1, size=n) + (war_lo - lo).astype(int),
        rng.integers(0, (hi - lo).astype(int) + 1, size=n),
    )
    order = np.argsort(days, kind="stable")
    days = days[order]
    start = lo + days.astype("timedelta64[D]")
    iso = np.datetime_as_string(start, unit="D")  # 'YYYY-MM-DD'
    p = rng.random(n)
    date = np.where(p < 0.6, iso, np.where(p < 0.9, iso.astype("U7"), iso.astype("U4"))).astype(object)
    span = rng.random(n) < 0.05
    end_iso = np.datetime_as_string(start + rng.integers(1, 400, size=n).astype("timedelta64[D]"), unit="D")
    pe = rng.random(n)
    date_end = np.where(span, np.where(pe < 0.5, end_iso, np.where(pe < 0.85, end_iso.astype("U7"), end_iso.astype("U4"))), "").astype(object)
    as_reported = np.where(rng.random(n) < 0.5, np.asarray(_AS_REPORTED, dtype=object)[rng.integers(0, len(_AS_REPORTED), n)], "").astype(object)

    # Who: speakers by a power law over the parties' speakers.
    speaker_idx = _zipf_choice(rng, n_speakers, n, a=0.9)
    speaker = _where(claim, sp_name[speaker_idx], "")
    role = _where(claim, sp_role[speaker_idx], "")
    party = _where(claim, party_ids[sp_party[speaker_idx]], "")
    party_name = party_names[sp_party[speaker_idx]]
    channel = _where(claim & (rng.random(n) < 0.7), np.asarray(_CHANNELS, dtype=object)[rng.integers(0, len(_CHANNELS), n)], "")
    via = _where(claim & (rng.random(n) < 0.1), np.asarray(_VIA, dtype=object)[rng.integers(0, len(_VIA), n)], "")

    # What about: places (power law), topics (power law).
    place_ids = places["id"].to_numpy(dtype=object)
    place_idx = _zipf_choice(rng, len(place_ids), n, a=1.0)
    has_place = rng.random(n) < np.where(is_event, 0.9, 0.7)
    place_id = _where(has_place, place_ids[place_idx], "")
    topic_idx = _zipf_choice(rng, len(topics), n, a=0.8)
    topic = topics[topic_idx]

    # Responses: about 20% of the claims answer an earlier row (usually a recent one).
    idx = np.arange(n)
    responds = claim & (rng.random(n) < 0.2) & (idx > 0)
    back = 1 + np.minimum(rng.exponential(300, size=n).astype(np.int64), idx)
    target = np.maximum(idx - back, 0)
    responds &= target < idx

    # Ids: unique, readable.
    ids = _join(topic, "-", (idx + 1).astype(str))
    responds_to = np.full(n, "", dtype=object)
    responds_to[responds] = ids[target[responds]]

    stance_pool = np.asarray(["asserts", "asserts", "asserts", "reports", "accuses", "demands"], dtype=object)
    stance = _where(claim, stance_pool[rng.integers(0, len(stance_pool), n)], "")
    stance = _where(is_figure, np.where(rng.random(n) < 0.75, "asserts", "reports"), stance)
    stance = _where(responds, np.where(rng.random(n) < 0.6, "denies", "disputes"), stance)

    # Quotes on ~40% of the statements, ~15% of figures: fragments combined, so most are distinct.
    pool = _quote_pool(rng, min(max(n // 10, 500), 50_000))
    qa, qb = rng.integers(0, len(pool), n), rng.integers(0, len(pool), n)
    two = rng.random(n) < 0.5
    has_quote = (kind_idx == 0) & (rng.random(n) < 0.4) | is_figure & (rng.random(n) < 0.15)
    quote = np.full(n, "", dtype=object)
    one, both = has_quote & ~two, has_quote & two
    quote[one] = pool[qa[one]]
    quote[both] = _join(pool[qa[both]], ". ", pool[qb[both]])

    # Figures: measure, value, qualifier, unit.
    measures = np.asarray(MEASURES, dtype=object)
    measure = _where(is_figure, measures[rng.integers(0, len(MEASURES), n)], "")
    values = np.maximum(1, np.round(rng.lognormal(4.0, 2.0, n))).astype(np.int64)
    value = np.full(n, "", dtype=object)
    value[is_figure] = values[is_figure].astype(str).astype(object)
    qual_p = np.array([0.3, 0.25, 0.1, 0.05, 0.05, 0.05, 0.15, 0.05])
    qualifier = _where(is_figure, np.asarray(QUALIFIERS, dtype=object)[rng.choice(len(QUALIFIERS), n, p=qual_p / qual_p.sum())], "")
    unit = _where(is_figure, np.where(measure == "equipment_destroyed", np.where(rng.random(n) < 0.5, "vehicles", "tanks"), "people"), "")

    # Summaries: our own neutral words, with {place_id} tokens; each kind of row built on its own rows.
    place_tokens = np.asarray(["{" + p + "}" for p in place_ids], dtype=object)
    token = place_tokens[place_idx]
    what = np.asarray(_SUMMARY_WHAT, dtype=object)[rng.integers(0, len(_SUMMARY_WHAT), n)]
    verbs = np.asarray(_VERBS, dtype=object)[rng.integers(0, len(_VERBS), n)]
    where_text = np.full(n, "", dtype=object)
    in_place = has_place & (rng.random(n) < 0.8)
    where_text[in_place] = _join(" in ", token[in_place])
    topic_words = np.asarray([" (" + t.replace("-", " ") + ")" for t in topics], dtype=object)
    topic_text = topic_words[topic_idx]
    measure_words = {m: " " + m.replace("_", " ") for m in MEASURES}
    summary = np.empty(n, dtype=object)
    plain = claim & ~responds & ~is_figure
    summary[plain] = _join(party_name[plain], " ", verbs[plain], " ", what[plain], where_text[plain], topic_text[plain], ".")
    fig = is_figure & ~responds
    summary[fig] = _join(party_name[fig], " ", verbs[fig], " ", value[fig], np.asarray([measure_words[m] for m in measure[fig]], dtype=object), where_text[fig], ".")
    r = np.flatnonzero(responds)
    answered = np.where(claim[target[r]], "the claim by " + party_name[target[r]], "the report of that event")
    summary[r] = _join(party_name[r], " ", np.asarray(_RESPONSE_WHAT, dtype=object)[rng.integers(0, len(_RESPONSE_WHAT), len(r))], ": ", answered, where_text[r], ".")
    ev = np.flatnonzero(is_event)
    summary[ev] = _join(np.asarray(_EVENT_WHAT, dtype=object)[rng.integers(0, len(_EVENT_WHAT), len(ev))], " ", np.where(has_place[ev], token[ev], "the region"), ".")

    source_ids = sources["id"].to_numpy(dtype=object)
    source_id = source_ids[_zipf_choice(rng, len(source_ids), n, a=1.0)]

    columns = {
        "id": ids, "date": date, "date_end": date_end, "date_as_reported": as_reported, "kind": kind,
        "speaker": speaker, "role": role, "party": party, "channel": channel, "via": via,
        "place_id": place_id, "topic": topic, "stance": stance, "responds_to": responds_to, "quote": quote,
        "summary": summary, "measure": measure, "value": value, "qualifier": qualifier, "unit": unit,
        "source_id": source_id,
    }
    header = [c.name for c in STATEMENTS.columns]

    files = {"statements": _write_csv(out / "statements.csv", header, [columns[h] for h in header])}
    for name, frame in (("places", places), ("parties", parties), ("sources", sources)):
        files[name] = _write_csv(out / f"{name}.csv", list(frame.columns), [frame[c].to_numpy(dtype=object) for c in frame.columns])
    return files


def _write_csv(target: Path, header: list[str], columns: list[np.ndarray]) -> Path:
    """RFC 4180 CSV (quotes only where needed, "\\n" line ends), written beside the target then renamed."""
    tmp = target.with_suffix(".csv.partial")
    with open(tmp, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(zip(*columns))
    tmp.replace(target)
    return target


def cached(rows: int, root: Path | str = "/tmp/chronology-bench", seed: int = 0, *, python: str | None = None) -> tuple[Path, float | None]:
    """ROOT/ROWS/statements.csv, generated once and reused: (path, seconds spent generating or None).

    With `python`, the data is generated by that interpreter in a subprocess (this script's CLI),
    so the caller's memory stays small (a benchmark that forks measured commands wants that).
    """
    folder = Path(root) / str(rows)
    stamp = folder / "generated.json"
    want = {"rows": rows, "seed": seed, "version": GENERATOR_VERSION}
    if stamp.exists() and (folder / "statements.csv").exists():
        try:
            if json.loads(stamp.read_text()) == want:
                return folder / "statements.csv", None
        except ValueError:
            pass
    stamp.unlink(missing_ok=True)
    t0 = time.perf_counter()
    if python:
        subprocess.run([python, str(Path(__file__).resolve()), str(rows), str(folder), "--seed", str(seed)], check=True, stdout=subprocess.DEVNULL)
    else:
        generate(rows, folder, seed)
    stamp.write_text(json.dumps(want))
    return folder / "statements.csv", time.perf_counter() - t0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("rows", type=lambda s: int(s.replace(",", "").replace("_", "")), help="number of statements rows")
    ap.add_argument("out_dir", help="folder to write statements.csv, places.csv, parties.csv, sources.csv into")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    files = generate(args.rows, args.out_dir, args.seed)
    size = files["statements"].stat().st_size
    print(f"wrote {args.rows:,} rows ({size / 1e6:.1f} MB) to {files['statements']} and its places, parties, sources in {time.perf_counter() - t0:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
