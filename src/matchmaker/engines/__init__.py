"""Exact optimisation engines: min-cost flow (:mod:`~matchmaker.engines.flow`) and the certified LP
(:mod:`~matchmaker.engines.lp`), both proven by an exact integer check, CP-SAT
(:mod:`~matchmaker.engines.cpsat`), and the automatic choice between them (:mod:`~matchmaker.engines.auto`).
"""
