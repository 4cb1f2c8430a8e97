"""Exact optimisation engines: the certified LP (:mod:`~matchmaker.engines.lp`), CP-SAT
(:mod:`~matchmaker.engines.cpsat`) and the automatic choice between them (:mod:`~matchmaker.engines.auto`).
"""
