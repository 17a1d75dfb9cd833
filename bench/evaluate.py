"""Time and measure an evaluation: 100,000 predicted articles against 100,000 gold records
(targets < 15 s, peak < 300 MB).

    python -m bench.evaluate [--articles N] [--samples 1000]

Writes a gold.jsonl (as an export gives it) and a predictions file that drops,
adds, re-labels and shifts statements, then runs `annotator evaluate GOLD
PREDICTIONS --json` as its own process, the way a pipeline would, and reports
its wall time, peak resident memory and the headline figures.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, TextIO

from bench.peak import peak_mb
from bench.workload import article_text

ACTORS = ["putin", "peskov", "lavrov", "biden", "psaki", "kirby", "zelensky", "kuleba", "erdogan", "guterres"]
TARGETS = ["us_russia_talks", "russia_ukraine_talks", "leaders_meeting", "ceasefire", "peace_process"]
STANCES = ["open", "conditional", "refuses", "noncommittal"]


def statement(rng: random.Random, text: str, slot: int, actor: str, target: str) -> dict[str, Any]:
    start = slot * 120
    span = lambda a, b: {"start": a, "end": b, "text": text[a:b]}  # noqa: E731
    stance = rng.choice(STANCES)
    return {
        "actor": {"id": actor, "span": span(start, start + 8)},
        "stance": stance,
        "target": target,
        "preconditions": [{"category": "substantive_agenda", "span": span(start + 20, start + 40)}] if stance == "conditional" else [],
        "source_outlet": {"id": "tass", "span": span(start + 50, start + 55)} if rng.random() < 0.2 else None,
        "evidence": span(start + 10, start + 100),
    }


def perturbed(rng: random.Random, text: str, statements: list[dict[str, Any]]) -> list[dict[str, Any]]:
    found = []
    for s in statements:
        if rng.random() < 0.15:
            continue  # missed
        s = json.loads(json.dumps(s))
        if rng.random() < 0.2:
            s["stance"] = "refuses" if s["stance"] != "refuses" else "open"
            s["preconditions"] = []
        if rng.random() < 0.2:
            s["evidence"] = {"start": s["evidence"]["start"] + 5, "end": s["evidence"]["end"] + 5,
                             "text": text[s["evidence"]["start"] + 5:s["evidence"]["end"] + 5]}
        found.append({**s, "score": round(rng.random(), 3)})
    if rng.random() < 0.1:
        found.append({**statement(rng, text, 4, "trump", "leaders_meeting"), "score": 0.3})  # added
    return found


def write_files(folder: Path, articles: int, gold: TextIO, predictions: TextIO) -> None:
    rng = random.Random(17)
    for article_id in range(1, articles + 1):
        text = article_text(rng, 620)
        keys = rng.sample([(a, t) for a in ACTORS for t in TARGETS], rng.randint(0, 4))
        statements = [statement(rng, text, slot, a, t) for slot, (a, t) in enumerate(keys)]
        article = {"relevant": True, "outlet": None, "note": ""}
        gold.write(json.dumps({
            "id": article_id, "external_id": f"bench-{article_id}", "title": text[:40], "text": text, "outlet": None,
            "url": None, "published": None, "meta": {}, "split": "test", "article": article, "statements": statements,
            "provenance": {"status": "gold"},
        }) + "\n")
        predictions.write(json.dumps({"article_id": article_id, "model": "bench", "model_version": "1",
                                      "statements": perturbed(rng, text, statements), "article": article}) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--samples", type=int, default=1000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        gold_path, predictions_path = Path(folder) / "gold.jsonl", Path(folder) / "predictions.jsonl"
        started = time.perf_counter()
        with gold_path.open("w") as gold, predictions_path.open("w") as predictions:
            write_files(Path(folder), args.articles, gold, predictions)
        print(f"wrote {gold_path.stat().st_size / 1e6:.0f} MB of gold and {predictions_path.stat().st_size / 1e6:.0f} MB "
              f"of predictions in {time.perf_counter() - started:.1f} s")
        env = {**os.environ, "ANNOTATOR_DATABASE_URL": f"sqlite:///{Path(folder) / 'bench.db'}"}
        command = [sys.executable, "-m", "annotator", "evaluate", str(gold_path), str(predictions_path), "--json",
                   "--samples", str(args.samples)]
        started = time.perf_counter()
        result = subprocess.run(command, check=True, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        elapsed = time.perf_counter() - started
        peak = peak_mb(resource.RUSAGE_CHILDREN)
        report = json.loads(result.stdout)
        keys, stance = report["statement_keys"], report["fields"]["stance"]
        print(f"statement keys P {keys['precision']:.3f} R {keys['recall']:.3f} F1 {keys['f1']:.3f}; "
              f"stance accuracy {stance['accuracy']:.3f} macro-F1 {stance['macro_f1']:.3f} (n={stance['n']})")
        print(f"evaluate, {args.articles} predicted articles against {args.articles} gold records, "
              f"{args.samples} bootstrap resamples: {elapsed:.1f} s, peak memory {peak:.0f} MB")


if __name__ == "__main__":
    main()
