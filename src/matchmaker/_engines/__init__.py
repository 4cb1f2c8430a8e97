"""Exact optimisation engines: min-cost flow (:mod:`~matchmaker._engines.flow`) and the certified LP
(:mod:`~matchmaker._engines.lp`), both proven by an exact integer check, CP-SAT
(:mod:`~matchmaker._engines.cpsat`), and the automatic choice between them (:mod:`~matchmaker._engines.auto`).
"""
