"""matchmaker's benchmark suite: seeded instances, hand-written peer solvers, and a runner.

* :mod:`benchmarks.generate` writes realistic problem files at four sizes and four variants;
* :mod:`benchmarks.instance` turns a problem into plain arrays that every peer reads (numpy only);
* :mod:`benchmarks.verify` checks any plan against those arrays and computes its objective levels;
* :mod:`benchmarks.peers` holds the peers a user would otherwise pick (min-cost flow, scipy's sparse
  assignment, HiGHS, a plain CP-SAT model, the ``matching`` package);
* :mod:`benchmarks.worker` runs one measurement in its own process (time and peak memory);
* :mod:`benchmarks.run` runs the suite, checks that the peers agree with matchmaker, prints the table
  and writes JSON to ``benchmarks/results/``.
* :mod:`benchmarks.groups` solves a generated round with applicant groups without and with a binding
  group-rate rule, in turns, and checks both plans.
* :mod:`benchmarks.stable_rounds` makes stable rounds of the programme's shape (ties, binding
  municipality caps) and times matchmaker's largest weakly stable plan against the plain per-pair
  model in CP-SAT and HiGHS.

Nothing here is a timed test: ``tests/`` never asserts a duration. See ``benchmarks/README.md``.
"""
