"""Time an import: 100,000 articles of about 4.5 KB as JSONL through `annotator import` (target < 20 s).

    python -m bench.import_articles [--articles N]

Writes the JSONL file, then runs the command as its own process, the way a
pipeline would, and reports wall time, rate and peak resident memory.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import orjson

from annotator.shipped import default_schema_path
from annotator.storage import Database
from annotator.storage.migrate import upgrade_to_head
from bench.peak import peak_mb
from bench.workload import article_text


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=100_000)
    args = parser.parse_args()
    rng = random.Random(9)
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "articles.jsonl"
        with source.open("wb") as stream:
            for i in range(args.articles):
                record = {"id": f"a{i}", "title": f"Article {i}", "text": article_text(rng, 4_500) + f" #{i}", "outlet": "Reuters"}
                stream.write(orjson.dumps(record, option=orjson.OPT_APPEND_NEWLINE))
        url = f"sqlite:///{Path(folder) / 'bench.db'}"
        upgrade_to_head(Database(url))
        env = {**os.environ, "ANNOTATOR_DATABASE_URL": url}
        subprocess.run([sys.executable, "-m", "annotator", "project", "create", "bench", "--schema", str(default_schema_path())],
                       check=True, env=env, stdout=subprocess.DEVNULL)
        started = time.perf_counter()
        result = subprocess.run([sys.executable, "-m", "annotator", "import", "bench", str(source)],
                                check=True, env=env, capture_output=True, text=True)
        elapsed = time.perf_counter() - started
        peak = peak_mb(resource.RUSAGE_CHILDREN)
        print(result.stdout.strip().splitlines()[0])
        print(f"file: {source.stat().st_size / 1e6:.0f} MB")
        print(f"import, {args.articles} articles: {elapsed:.1f} s ({args.articles / elapsed:.0f} articles/s), peak memory {peak:.0f} MB")


if __name__ == "__main__":
    main()
