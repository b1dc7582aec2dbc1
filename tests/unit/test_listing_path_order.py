"""The index's candidate rows are put in the order of their paths' parts (as the full read sorts `Path`s), also
where comparing whole texts would not give it (`a-b` sorts before `a/b` as text, after it by parts)."""

import random

from crmctl.engine.listing import _sort_by_path


def by_parts(paths):
    return sorted(paths, key=lambda path: path.split("/"))


def test_month_folders_and_mixed_folders_sort_by_parts():
    rng = random.Random(14)
    months = [f"{year}/{month:02d}/SR-{year}{month:02d}{rng.randint(1, 28):02d}-{rng.randint(0, 99999):05d}.yaml"
              for year in (2010, 2011) for month in range(1, 13) for _ in range(20)]
    odd = ["a/b.yaml", "a-b/c.yaml", "a.yaml", "a/b/c.yaml", "ab/c.yaml", "2011-old/01/x.yaml", "2011/01/x.yaml",
           "x.yaml", "2011/1/x.yaml"]
    for paths in (months, months + odd, odd, ["b.yaml", "a.yaml"], []):
        rows = [(path, None, 0) for path in rng.sample(paths, len(paths))]
        _sort_by_path(rows)
        assert [row[0] for row in rows] == by_parts(paths)
