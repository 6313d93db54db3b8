"""``redis_cluster_url`` names a real Redis Cluster: 3 masters that share the 16384 slots,
store a key on the master of its slot only, and refuse a script whose keys span slots."""

from __future__ import annotations

from collections.abc import AsyncIterator
from itertools import pairwise

import pytest
from redis.asyncio import Redis
from redis.asyncio.cluster import ClusterNode, RedisCluster
from redis.exceptions import ClusterCrossSlotError, MovedError

from tests.infra_redis import is_cluster, redis_cluster_url, redis_prefix

__all__ = ["redis_cluster_url", "redis_prefix"]  # fixtures, used by name
pytestmark = [pytest.mark.infra, pytest.mark.anyio]
SLOTS = 16384
BOTH_KEYS = "return redis.call('MSET', KEYS[1], ARGV[1], KEYS[2], ARGV[1])"


@pytest.fixture
async def cluster(redis_cluster_url: str) -> AsyncIterator[RedisCluster]:
    client = RedisCluster.from_url(redis_cluster_url)
    await client.initialize()
    yield client
    await client.aclose()


def owner(cluster: RedisCluster, key: str) -> ClusterNode:
    """The master of ``key``'s slot, as the cluster told redis-py."""
    node = cluster.get_node_from_key(key)
    assert node is not None
    return node


def direct(node: ClusterNode) -> Redis:
    """A plain client of ``node`` alone: it follows no redirect."""
    return Redis(host=node.host, port=int(node.port))


async def test_three_masters_share_every_slot(
    redis_cluster_url: str, cluster: RedisCluster
) -> None:
    assert is_cluster(redis_cluster_url)
    masters = cluster.get_primaries()
    assert len({master.name for master in masters}) == 3
    for master in masters:
        info = await cluster.cluster_info(target_nodes=master)
        assert info["cluster_state"] == "ok"
        assert (info["cluster_known_nodes"], info["cluster_size"]) == ("3", "3")
        assert info["cluster_slots_ok"] == str(SLOTS)
    ranges = sorted(await cluster.cluster_slots())
    assert ranges[0][0] == 0
    assert ranges[-1][1] == SLOTS - 1
    assert all(end + 1 == start for (_, end), (start, _) in pairwise(ranges))  # no gap


async def test_keys_of_different_hash_tags_live_on_different_masters(
    cluster: RedisCluster, redis_prefix: str
) -> None:
    # One key for each master: hash tags tried in turn until each master owns one.
    owners: dict[str, str] = {}
    for i in range(1000):
        key = f"{{{redis_prefix}{i}}}movie"
        owners.setdefault(owner(cluster, key).name, key)
        if len(owners) == 3:
            break
    assert len(owners) == 3
    try:
        for key in owners.values():
            await cluster.set(key, key)
        for name, key in owners.items():
            for node in cluster.get_primaries():
                async with direct(node) as client:
                    if node.name == name:
                        assert await client.get(key) == key.encode()
                    else:
                        with pytest.raises(MovedError):
                            await client.get(key)
    finally:
        await cluster.delete(*owners.values())


async def test_a_script_takes_keys_of_one_hash_tag_only(
    cluster: RedisCluster, redis_prefix: str
) -> None:
    one_tag = [f"{{{redis_prefix}t}}a", f"{{{redis_prefix}t}}b"]
    two_tags = [f"{{{redis_prefix}t}}a", f"{{{redis_prefix}u}}b"]
    assert cluster.keyslot(two_tags[0]) != cluster.keyslot(two_tags[1])
    try:
        assert await cluster.eval(BOTH_KEYS, 2, *one_tag, "v") == b"OK"
        assert await cluster.mget(one_tag) == [b"v", b"v"]
        # Sent to the master of the first key: the server refuses, not only redis-py (which
        # checks the slots itself when it picks the node).
        async with direct(owner(cluster, two_tags[0])) as client:
            with pytest.raises(ClusterCrossSlotError):
                await client.eval(BOTH_KEYS, 2, *two_tags, "v")
        assert await cluster.exists(*two_tags) == 1  # only {t}a, from the first script
    finally:
        await cluster.delete(*one_tag, *two_tags)
