"""daytona_async._gather.gather: order, bound, failures with their items, fail_fast."""

from __future__ import annotations

import anyio
import pytest
from daytona_async._gather import GatherError, gather
from daytona_async.errors import InvalidArgumentError, NotFoundError

pytestmark = pytest.mark.anyio


async def test_results_in_order_and_bounded() -> None:
    running = 0
    peak = 0

    async def work(i: int) -> int:
        nonlocal running, peak
        running += 1
        peak = max(peak, running)
        await anyio.sleep(0.001 * ((i * 7) % 5))
        running -= 1
        return i * i

    out = await gather(work, range(100), concurrency=8)
    assert out == [i * i for i in range(100)]
    assert peak == 8


async def test_empty_and_bad_concurrency() -> None:
    async def work(i: int) -> int:
        return i

    assert await gather(work, []) == []
    with pytest.raises(InvalidArgumentError):
        await gather(work, [1], concurrency=0)


async def test_failures_carry_items_and_others_complete() -> None:
    done: list[int] = []

    async def work(i: int) -> int:
        await anyio.sleep(0.001)
        if i % 10 == 3:
            raise NotFoundError("gone", status_code=404)
        if i == 5:
            raise ValueError("five")
        done.append(i)
        return i

    with pytest.raises(GatherError) as info:
        await gather(work, range(30), concurrency=4)
    err = info.value
    assert isinstance(err, ExceptionGroup)
    assert [f.index for f in err.failures] == [3, 5, 13, 23]
    assert [f.item for f in err.failures] == [3, 5, 13, 23]
    assert len(done) == 26  # nothing else was cancelled
    assert err.results[4] == 4 and err.results[3] is None
    assert any("item #13 = 13" in n for n in err.exceptions[2].__notes__)
    matched, _rest = err.split(NotFoundError)
    assert matched is not None and len(matched.exceptions) == 3
    assert isinstance(matched, GatherError) and [f.index for f in matched.failures] == [3, 13, 23]
    try:
        raise err
    except* NotFoundError as group:
        assert len(group.exceptions) == 3
    except* ValueError as group:
        assert len(group.exceptions) == 1


async def test_fail_fast_cancels_the_rest() -> None:
    started: list[int] = []

    async def work(i: int) -> int:
        started.append(i)
        if i == 2:
            raise RuntimeError("boom")
        await anyio.sleep(10)
        return i

    with anyio.fail_after(5), pytest.raises(GatherError) as info:
        await gather(work, range(100), concurrency=5, fail_fast=True)
    assert [f.index for f in info.value.failures] == [2]
    assert len(started) < 100


async def test_caller_cancellation_propagates() -> None:
    async def work(i: int) -> int:
        await anyio.sleep(10)
        return i

    with anyio.move_on_after(0.05) as scope:
        await gather(work, range(10))
    assert scope.cancelled_caught
