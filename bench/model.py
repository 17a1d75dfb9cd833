"""The baseline model's cost: training on 10,000 gold articles, predicting 100,000, peak memory, and
its test-split figures beside the majority-stance baseline.

    python -m bench.model [--gold 10000] [--predict 100000]

Gold comes from tests.stance_gold (wording that carries the stance, 8% of labels flipped), split by
the export's rule (external id, seed 13, 80/10/10). Targets: training under 60 s, prediction of
100,000 articles under 60 s.
"""

from __future__ import annotations

import argparse
import time

from annotator.export.splits import DEFAULT_RATIOS, DEFAULT_SEED, split_of
from annotator.labelschema import load_schema
from annotator.model.training import GoldExample, GoldSet, prediction_lines, train
from annotator.shipped import default_schema_path
from bench.peak import peak_mb
from tests.stance_gold import make_gold


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gold", type=int, default=10_000)
    parser.add_argument("--predict", type=int, default=100_000)
    args = parser.parse_args()
    schema = load_schema(default_schema_path())
    made = make_gold(schema, args.gold + args.predict, seed=17)
    gold = GoldSet([GoldExample(i + 1, g.external_id, g.text, split_of(g.external_id, DEFAULT_SEED, DEFAULT_RATIOS), g.content)
                    for i, g in enumerate(made[:args.gold])], "bench", "bench gold", None)
    print(f"gold: {args.gold} articles; unlabeled: {args.predict}; peak so far {peak_mb():.0f} MB")

    started = time.perf_counter()
    model, card, _ = train(gold, schema, "bench", curve=False)
    print(f"training on {card.counts.train} train articles: fit {card.training_seconds:.1f} s, "
          f"with dev and test scoring {time.perf_counter() - started:.1f} s")
    for name, figures in (("test", card.test), ("majority stance, test", card.majority_baseline_test)):
        print(f"  {name}: " + ", ".join(f"{k} {v:.3f}" for k, v in figures.items() if isinstance(v, float) and k != "articles"))

    articles = ((args.gold + i + 1, g.external_id, g.text) for i, g in enumerate(made[args.gold:]))
    started = time.perf_counter()
    statements = sum(len(line["statements"]) for line in prediction_lines(model, schema, articles, "bench"))
    seconds = time.perf_counter() - started
    print(f"prediction: {args.predict} articles, {statements} statements in {seconds:.1f} s ({args.predict / seconds:.0f} articles/s)")
    print(f"peak memory: {peak_mb():.0f} MB")


if __name__ == "__main__":
    main()
