"""Stability and popularity: the audit of blocking pairs, deferred acceptance, popular plans.

* :mod:`matchmaker.stability.audit`: every blocking pair of a plan;
* :mod:`matchmaker.stability.deferred_acceptance`: the applicant-optimal stable plan, fast;
* :mod:`matchmaker.stability.popular`: popularity of a plan, and the best popular plan.

Stable *mode* (only stable plans, with side constraints and ties) is the constraint piece
:class:`matchmaker.pieces.stability.Stable`, chosen by ``policy.stability``.
"""

from matchmaker.stability.audit import BlockingPair, blocking_pairs
from matchmaker.stability.popular import Popularity, PopularPlan, popular_plan, popularity

__all__ = ["BlockingPair", "PopularPlan", "Popularity", "blocking_pairs", "popular_plan", "popularity"]
