"""Scoring: which (applicant, supervisor) pairs are acceptable, and how well each fits. Pure numpy.

Everything is indexed by sorted ids, so record order never matters. Only acceptable pairs are kept
(a sparse pair table), which is what every engine builds variables for.

The fit of an acceptable pair, in words a coordinator can follow:

1. **Interest** (0-1). With weights, the most specific weight the applicant gave (supervisor over
   unit over area). With a ranking whose largest rank is ``k``, rank ``r`` counts ``(k - r + 1) / k``:
   the first choice 1, the last ``1/k``. A pinned place the applicant did not list counts 0.
2. **Interview** (0-1). Each score is first put on a 0-1 scale: ``(score - scale_min) / (scale_max -
   scale_min)``, so an interviewer who uses 1-10 and one who uses 1-5 count alike. Per criterion, the
   scores the unit itself gave are used if there are any, otherwise the general scores; several
   interviewers are averaged. The criteria are combined by their weights; a criterion with no score
   is left out and the other weights scaled up. With no score at all, ``policy.missing_interview``
   applies: ``neutral`` 0.5, ``zero`` 0, or ``cohort_mean``, the mean of the known interview values
   over the round's acceptable pairs.
3. **Fit** = ``(interest_weight * interest + interview_weight * interview) / (interest_weight +
   interview_weight) + adjustment + continuity``, where ``adjustment`` is the sum of the pair's
   adjustments (each in [-1, 1]) and ``continuity`` is the policy's continuity bonus when the pair
   keeps the applicant's step-1 placement: ``continuity_same_supervisor`` with their
   ``previous_supervisor``, ``continuity_same_unit`` in their ``previous_unit`` with another
   supervisor, else 0.

The solver works in integers: :func:`to_points` multiplies a fit by :data:`FIT_SCALE` (10,000) and
rounds half to even, so fits are exact to 4 decimals.
"""

from matchmaker._scoring.acceptable import REMOVAL_RULES
from matchmaker._scoring.encoding import Encoding
from matchmaker._scoring.scores import Scores, score
from matchmaker._scoring.values import FIT_SCALE, UNIT_LOTTERY_OFFSET, strict_ranks, to_points
from matchmaker._scoring.wishes import applicant_wishes

__all__ = [
    "FIT_SCALE",
    "REMOVAL_RULES",
    "UNIT_LOTTERY_OFFSET",
    "Encoding",
    "Scores",
    "applicant_wishes",
    "score",
    "strict_ranks",
    "to_points",
]
