"""Cost of the per-document markers (chrome rules, in-page duplicates), each against a baseline run here.

Usage:
    python benchmarks/markers.py HTML_DIR [HTML_DIR ...] [--limit N] [--repeat K]

Pages are extracted once (``cleaner.extract.main_content``); then, on the same extracted texts, in one
process and one run (so the ratios do not depend on the machine):

- extraction itself (the yardstick the markers are compared with);
- chrome rules as shipped (literal pre-filter + per-page languages) against the same rules tried
  on every line (every rule, every language): the ratio is the pre-filters' gain, and the
  span counts must agree;
- in-page duplicates as shipped against exact pairwise Jaccard only and MinHash LSH only;
- synthetic pages of N paragraphs (random words, 20 % near copies) timing exact Jaccard
  against MinHash LSH, which is where ``EXACT_MAX_PARAGRAPHS`` comes from.
"""
from __future__ import annotations

import os
import random
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from cleaner.config import Options  # noqa: E402
from cleaner.page.block_similarity import EXACT_MAX_PARAGRAPHS  # noqa: E402
from cleaner.page.duplicates import InPageDuplicates  # noqa: E402
from cleaner.document import Document  # noqa: E402
from cleaner.rules.engine import load_rules  # noqa: E402
from cleaner.page.chrome import ChromeRules, UnfilteredChromeRules  # noqa: E402

from pages import load_pages, page_args, read_bytes  # noqa: E402  (benchmarks/pages.py)


def best_of(repeat: int, fn) -> tuple[float, object]:
    best, out = float("inf"), None
    for _ in range(repeat):
        t0 = time.process_time()
        out = fn()
        best = min(best, time.process_time() - t0)
    return best, out


def mark_all(marker, texts: list[str]) -> int:
    return sum(len(list(marker.mark(Document("b", None, t)))) for t in texts)


def synthetic_page(n: int, seed: int) -> str:
    rnd = random.Random(seed)
    vocab = [f"w{i}" for i in range(2000)]
    paras = [" ".join(rnd.choice(vocab) for _ in range(rnd.randint(20, 80))) + "." for _ in range(n)]
    for _ in range(n // 5):
        words = paras[rnd.randrange(len(paras))].split()
        words[rnd.randrange(len(words))] = "changed"
        paras.insert(rnd.randrange(len(paras) + 1), " ".join(words))
    return "\n".join(paras)


def main() -> int:
    a = page_args(__doc__, limit=200, repeat=3)

    from cleaner.extract.main_content import extract
    options = Options()
    pages = [read_bytes(p) for p in load_pages(a.dirs, a.limit)]
    t_extract, texts = best_of(1, lambda: [extract(h, options).text for h in pages])
    n = len(texts)
    print(f"{n} pages, {sum(map(len, texts)) / max(n, 1):,.0f} extracted characters a page on average")
    print(f"extraction                    {1000 * t_extract / n:7.2f} ms/page (yardstick)")

    rules = load_rules()
    shipped = ChromeRules(rules)
    plain = UnfilteredChromeRules(rules, by_language=False)
    mark_all(shipped, texts)  # warm the prefix cache, as a long run would
    t_fast, n_fast = best_of(a.repeat, lambda: mark_all(shipped, texts))
    t_slow, n_slow = best_of(a.repeat, lambda: mark_all(plain, texts))
    print(f"chrome rules, shipped         {1000 * t_fast / n:7.2f} ms/page, {n_fast} spans "
          f"({100 * t_fast / t_extract:.1f} % of extraction)")
    print(f"chrome rules, every line      {1000 * t_slow / n:7.2f} ms/page, {n_slow} spans; "
          f"shipped/every-line = {t_fast / t_slow:.2f}")

    for name, exact_max in (("shipped", EXACT_MAX_PARAGRAPHS), ("exact only", 10**9), ("LSH only", 0)):
        m = InPageDuplicates(exact_max=exact_max)
        mark_all(m, texts[:1])
        t, spans = best_of(a.repeat, lambda: mark_all(m, texts))
        print(f"in-page dups, {name:<15} {1000 * t / n:7.2f} ms/page, {spans} spans "
              f"({100 * t / t_extract:.1f} % of extraction)")

    print("synthetic pages: paragraphs, exact ms, LSH ms, LSH/exact")
    for size in (16, 32, 64, 128, 256, 512):
        page = [synthetic_page(size, s) for s in range(3)]
        ex, lsh = InPageDuplicates(exact_max=10**9), InPageDuplicates(exact_max=0)
        mark_all(lsh, page[:1])
        t_ex, s_ex = best_of(a.repeat, lambda: mark_all(ex, page))
        t_lsh, s_lsh = best_of(a.repeat, lambda: mark_all(lsh, page))
        print(f"  {size:4d} {1000 * t_ex / 3:9.1f} {1000 * t_lsh / 3:9.1f} {t_lsh / t_ex:8.2f}"
              f"   (spans {s_ex} / {s_lsh})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
