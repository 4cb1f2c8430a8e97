"""The seeded lottery that breaks ties (level 4 of the objective vector).

Every (applicant, supervisor) pair draws a number from ``[0, 2**LOTTERY_BITS)`` that depends only on
the lottery seed and the two ids: not on names, the order of records, or anything else in the round.
Among plans that are equally good on every other level, the plan with the largest total of drawn
numbers is chosen. By the isolation lemma (Mulmuley, Vazirani & Vazirani 1987) two different plans tie
on the total with probability at most ``pairs / 2**LOTTERY_BITS``, so the optimum is unique in practice
and every exact engine returns the same plan.

The draw: each id is hashed with BLAKE2b to 64 bits; the pair's number is the top ``LOTTERY_BITS`` bits
of the SplitMix64 finaliser applied to ``hash(applicant) ^ rotl(hash(supervisor), 29) ^ mix(seed)``.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

__all__ = ["LOTTERY_BITS", "id_hashes", "lottery_draws", "pair_draw"]

#: Bits of each pair's draw. A plan's lottery total stays below ``applicants * 2**LOTTERY_BITS``.
LOTTERY_BITS = 30

_MASK = (1 << 64) - 1


def _id_hash(ident: str) -> int:
    return int.from_bytes(hashlib.blake2b(ident.encode("utf-8"), digest_size=8).digest(), "little")


def _splitmix64(z: int) -> int:
    z = (z + 0x9E3779B97F4A7C15) & _MASK
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _MASK
    return z ^ (z >> 31)


def _rotl(x: int, r: int) -> int:
    return ((x << r) | (x >> (64 - r))) & _MASK


def pair_draw(seed: int, applicant_id: str, supervisor_id: str) -> int:
    """The lottery number of one pair (the scalar reference definition)."""
    key = _id_hash(applicant_id) ^ _rotl(_id_hash(supervisor_id), 29) ^ _splitmix64(seed & _MASK)
    return _splitmix64(key) >> (64 - LOTTERY_BITS)


def id_hashes(ids: Sequence[str]) -> npt.NDArray[np.uint64]:
    """BLAKE2b-64 of each id, as an array (read-only for a tuple of ids: remembered, see below)."""
    if isinstance(ids, tuple):
        return _remembered(ids)
    return _hashes(ids)


def _hashes(ids: Sequence[str]) -> npt.NDArray[np.uint64]:
    # The digests joined and read as little-endian words: :func:`_id_hash` of each id, without an int
    # per id.
    digests = b"".join([hashlib.blake2b(i.encode("utf-8"), digest_size=8).digest() for i in ids])
    return np.frombuffer(digests, dtype="<u8").astype(np.uint64)


@functools.lru_cache(maxsize=8)
def _remembered(ids: tuple[str, ...]) -> npt.NDArray[np.uint64]:
    # A round's sorted ids are hashed by the pair draws, the units' tie-breaks and the checker: once is
    # enough (a hash per id costs a microsecond: half a second for 500,000 applicants).
    out = _hashes(ids)
    out.flags.writeable = False
    return out


def lottery_draws(
    seed: int,
    applicant_hashes: npt.NDArray[np.uint64],
    supervisor_hashes: npt.NDArray[np.uint64],
) -> npt.NDArray[np.int64]:
    """Vectorised :func:`pair_draw` over pairs given by their ids' hashes (same values, bit for bit)."""
    rot = (supervisor_hashes << np.uint64(29)) | (supervisor_hashes >> np.uint64(35))
    z = applicant_hashes ^ rot ^ np.uint64(_splitmix64(seed & _MASK))
    z = z + np.uint64(0x9E3779B97F4A7C15)
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    z = z ^ (z >> np.uint64(31))
    return (z >> np.uint64(64 - LOTTERY_BITS)).astype(np.int64)
