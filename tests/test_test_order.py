"""The order the suite's tests are handed to pytest-xdist (tests/conftest.py spread_longest):
each of the longest modules leads its own worker's share, every test is kept once, and a
module's tests stay together and in their order (issue 18: the whole run within 5 minutes)."""

from dataclasses import dataclass

import pytest

from tests.conftest import LONGEST_MODULES, spread_longest


@dataclass(frozen=True)
class Item:
    fspath: str
    name: str


def collection() -> list[Item]:
    items = []
    for m in range(40):  # ordinary modules of 1 to 12 tests
        items += [Item(f"/p/tests/test_m{m:02}.py", f"t{i}") for i in range(1 + m % 12)]
    for name in reversed(LONGEST_MODULES):  # anywhere in the collection
        items.insert(len(items) // 3, Item(f"/p/tests/{name}", "t0"))
    return items


@pytest.mark.parametrize("workers", [1, 2, 4])
def test_each_longest_module_leads_a_share_and_nothing_is_lost_or_split(workers):
    items = collection()
    ordered = spread_longest(items, workers)
    assert sorted(ordered, key=id) == sorted(items, key=id)  # the same tests, each once
    modules = [i.fspath for i in ordered]
    runs = [m for k, m in enumerate(modules) if k == 0 or modules[k - 1] != m]
    assert len(runs) == len(set(runs))  # each module's tests together
    for m in set(modules):
        assert [i.name for i in ordered if i.fspath == m] == [
            i.name for i in items if i.fspath == m
        ]
    share = len(items) / workers
    first = {i.fspath.rsplit("/", 1)[1]: k for k, i in reversed(list(enumerate(ordered)))}
    for rank, name in enumerate(LONGEST_MODULES[:workers]):
        # at the head of share `rank`, give or take one module's tests
        assert abs(first[name] - rank * share) <= 12 + len(LONGEST_MODULES), (name, first[name])
