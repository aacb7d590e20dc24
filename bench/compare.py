#!/usr/bin/env python3
"""marquee's title search against rapidfuzz, on the same titles and the same sloppy queries.

    python3 bench/compare.py --marquee target/release/marquee --db ARCHIVE.db TRUTH.jsonl

TRUTH.jsonl is the generator's truth file for the archive in ARCHIVE.db (the archive imported
from the same files), e.g. ../shared/corpus/truth.jsonl after `marquee import
../shared/corpus/reviews`. The script

1. generates sloppy queries from the titles with its own generator (seeded; not the one the
   Rust tests use, so these queries are held out from the ones marquee was tuned on),
2. answers them with rapidfuzz `process.extractOne` over the same titles (alternative
   titles included), once with `WRatio` and once with `token_set_ratio`, both with
   `utils.default_process`,
3. answers them with `marquee lookup -` (one process, one query per line, JSON out),
4. prints precision@1 per kind and overall, the time per query of each, and the ratio.

A query counts as right when the film found has the expected title and year. marquee's time
per query is (wall time for all queries - wall time for the first alone) / (queries - 1), so
start-up and index build are left out, as rapidfuzz's are (its choices are prepared before
the clock starts). Needs `pip install rapidfuzz`.
"""

import argparse
import json
import random
import resource
import re
import statistics
import subprocess
import sys
import time
import unicodedata
from collections import defaultdict

ARTICLES = ("the ", "a ", "an ")
ROMAN = {"2": "ii", "3": "iii", "4": "iv", "5": "v", "6": "vi", "ii": "2", "iii": "3",
         "iv": "4", "v": "5", "vi": "6"}
WORDS = {"2": "two", "3": "three", "4": "four", "two": "2", "three": "3", "four": "4",
         "and": "&", "&": "and"}
KEYBOARD = "qwertyuiopasdfghjklzxcvbnm"


def load(path):
    films = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            row = json.loads(line)
            year = row.get("year")
            key = (row["title"].casefold(), year)
            # A later file of the same film updates it, as the import does.
            films[key] = {"title": row["title"], "year": year,
                          "alt": row.get("alt_title") or ""}
    films = list(films.values())
    owners = defaultdict(int)
    for film in films:
        if film["alt"]:
            owners[film["alt"].casefold()] += 1
    for film in films:
        film["alt_unique"] = owners[film["alt"].casefold()] == 1
    return films


def strip_accents(text):
    return "".join(c for c in unicodedata.normalize("NFD", text)
                   if unicodedata.category(c) != "Mn")


def typo(text, rng):
    letters = [i for i, c in enumerate(text) if c.isalpha()]
    if len(letters) < 4:
        return None
    i = rng.choice(letters[1:])
    op = rng.randrange(4)
    if op == 0:  # substitution
        return text[:i] + rng.choice(KEYBOARD) + text[i + 1:]
    if op == 1:  # deletion
        return text[:i] + text[i + 1:]
    if op == 2:  # insertion
        return text[:i] + rng.choice(KEYBOARD) + text[i:]
    if i + 1 < len(text):  # transposition
        return text[:i] + text[i + 1] + text[i] + text[i + 2:]
    return None


def sloppy(film, rng, kind):
    """One query of `kind` for `film`, or None when the kind does not apply."""
    title = film["title"]
    low = title.lower()
    words = low.split()
    if kind == "typo":
        return typo(low, rng)
    if kind == "two typos":
        once = typo(low, rng)
        return typo(once, rng) if once and len(low) >= 8 else None
    if kind == "no article":
        for a in ARTICLES:
            if low.startswith(a) and len(low) > len(a) + 2:
                return low[len(a):]
        return None
    if kind == "no punctuation":
        bare = re.sub(r"[^\w\s]", "", low)
        bare = re.sub(r"\s+", " ", bare).strip()
        return bare if bare != low and bare else None
    if kind == "prefix":
        if len(low) < 10:
            return None
        cut = rng.randrange(5, min(len(low) - 2, 14))
        return low[:cut]
    if kind == "missing word":
        if len(words) < 4:
            return None
        i = rng.randrange(1, len(words))
        return " ".join(words[:i] + words[i + 1:])
    if kind == "no accents":
        bare = strip_accents(low)
        return bare if bare != low else None
    if kind == "numerals":
        swapped = [ROMAN.get(w) or WORDS.get(w) or w for w in words]
        return " ".join(swapped) if swapped != words else None
    if kind == "with year":
        return f"{low} {film['year']}" if film["year"] else None
    if kind == "alt title":
        # Only an alternative title that one film alone has: the generator gives some to
        # several films, and then no answer is right.
        return film["alt"].lower() if film["alt"] and film.get("alt_unique") else None
    raise ValueError(kind)


KINDS = ["typo", "two typos", "no article", "no punctuation", "prefix", "missing word",
         "no accents", "numerals", "with year", "alt title"]


def generate(films, per_kind, seed):
    rng = random.Random(seed)
    queries = []
    for kind in KINDS:
        order = list(range(len(films)))
        rng.shuffle(order)
        made = 0
        for i in order:
            if made == per_kind:
                break
            q = sloppy(films[i], rng, kind)
            if q and q.strip():
                queries.append((kind, q.strip(), films[i]))
                made += 1
    return queries


def is_right(found_title, found_year, film):
    return (found_title is not None and found_title.casefold() == film["title"].casefold()
            and found_year == film["year"])


def run_rapidfuzz(films, queries, scorer_name):
    from rapidfuzz import fuzz, process, utils
    scorer = getattr(fuzz, scorer_name)
    choices, owner = [], []
    for film in films:
        choices.append(film["title"])
        owner.append(film)
        if film["alt"]:
            choices.append(film["alt"])
            owner.append(film)
    processed = [utils.default_process(c) for c in choices]
    answers = []
    start = time.perf_counter()
    for _, q, _ in queries:
        best = process.extractOne(utils.default_process(q), processed, scorer=scorer,
                                  processor=None)
        answers.append(owner[best[2]] if best else None)
    elapsed = time.perf_counter() - start
    right = [a is not None and is_right(a["title"], a["year"], film)
             for a, (_, _, film) in zip(answers, queries)]
    return right, elapsed / len(queries)


def run_marquee(binary, db, queries, repeats):
    def timed(lines):
        text = "".join(line + "\n" for line in lines)
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        done = subprocess.run([binary, "--db", db, "lookup", "-", "--format", "json"],
                              input=text.encode(), capture_output=True, check=True)
        wall = time.perf_counter() - start
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        return wall, done.stdout.decode().splitlines(), cpu

    # Start-up and index build (the index is built for the first query), measured with one
    # query and left out, as rapidfuzz's preparation is.
    lines = [q for _, q, _ in queries]
    firsts = [timed(lines[:1]) for _ in range(repeats)]
    start_up = statistics.median(r[0] for r in firsts)
    start_up_cpu = statistics.median(r[2] for r in firsts)
    runs = [timed(lines) for _ in range(repeats)]
    wall = statistics.median(r[0] for r in runs)
    cpu = statistics.median(r[2] for r in runs)
    right, found_all = [], []
    for line, (_, _, film) in zip(runs[0][1], queries):
        found = json.loads(line).get("match")
        found_all.append(found)
        right.append(found is not None and is_right(found.get("title"), found.get("year"),
                                                    film))
    per_query = max(len(queries) - 1, 1)
    return (right, (wall - start_up) / per_query, start_up, found_all,
            (cpu - start_up_cpu) / per_query)


def print_misses(queries, right, found):
    """One line per query marquee got wrong: kind, query, expected film, marquee's answer."""
    print("\nmarquee misses:")
    for ok, answer, (kind, q, film) in zip(right, found, queries):
        if ok:
            continue
        got = f"{answer.get('title')!r} ({answer.get('year')})" if answer else "nothing"
        print(f"  {kind:<15} {q!r:<40} want {film['title']!r} ({film['year']})  got {got}")
    print()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("truth")
    parser.add_argument("--db", required=True)
    parser.add_argument("--marquee", default="target/release/marquee")
    parser.add_argument("--per-kind", type=int, default=300)
    parser.add_argument("--seed", type=int, default=8)
    parser.add_argument("--repeats", type=int, default=3,
                        help="marquee runs, median kept (rapidfuzz runs once)")
    parser.add_argument("--misses", action="store_true",
                        help="print every query marquee got wrong, with its answer")
    parser.add_argument("--write-queries", metavar="FILE",
                        help="also write the queries, one per line, e.g. for a profiler")
    args = parser.parse_args()

    films = load(args.truth)
    queries = generate(films, args.per_kind, args.seed)
    print(f"{len(films)} films, {len(queries)} queries (seed {args.seed})")
    if args.write_queries:
        with open(args.write_queries, "w", encoding="utf-8") as f:
            f.writelines(q + "\n" for _, q, _ in queries)

    results = {}
    m_right, m_time, start_up, m_found, m_cpu = run_marquee(args.marquee, args.db, queries,
                                                     args.repeats)
    results["marquee"] = (m_right, m_time)
    if args.misses:
        print_misses(queries, m_right, m_found)
    for scorer in ("WRatio", "token_set_ratio"):
        results[f"rapidfuzz {scorer}"] = run_rapidfuzz(films, queries, scorer)

    names = list(results)
    print(f"\n{'kind':<16}" + "".join(f"{n:>28}" for n in names))
    by_kind = defaultdict(list)
    for i, (kind, _, _) in enumerate(queries):
        by_kind[kind].append(i)
    for kind in KINDS:
        idx = by_kind.get(kind, [])
        if not idx:
            continue
        cells = "".join(f"{sum(results[n][0][i] for i in idx) / len(idx):>28.3f}"
                        for n in names)
        print(f"{kind:<16}{cells}")
    print(f"{'p@1 overall':<16}" + "".join(
        f"{sum(results[n][0]) / len(queries):>28.4f}" for n in names))
    print(f"{'us per query':<16}" + "".join(f"{results[n][1] * 1e6:>28.1f}" for n in names))
    print(f"{'x marquee':<16}" + "".join(f"{results[n][1] / m_time:>28.1f}" for n in names))
    # rapidfuzz's extractOne runs on one thread, so its CPU time is its wall time; marquee
    # searches a batch of waiting lines on every core, so its CPU time is shown as well.
    print(f"{'CPU us/query':<16}{m_cpu * 1e6:>28.1f}" + "".join(
        f"{results[n][1] * 1e6:>28.1f}" for n in names[1:]))
    print(f"{'x marquee CPU':<16}{1.0:>28.1f}" + "".join(
        f"{results[n][1] / m_cpu:>28.1f}" for n in names[1:]))
    print(f"\nmarquee start-up (open, index build, one query): {start_up * 1000:.0f} ms")


if __name__ == "__main__":
    sys.exit(main())
