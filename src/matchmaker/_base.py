"""The base of every validated record: frozen, strict about unknown fields, matchmaker's own errors.

Validation errors surface as :class:`~matchmaker.errors.ProblemValidationError` (a ``ValueError``; a record
class may name another :class:`~matchmaker.errors.InputError`, as ``SolveOptions`` does) listing every issue
with its record, field and fix, never as pydantic's own exception.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from contextvars import ContextVar
from typing import Any, ClassVar, Self

from pydantic import BaseModel, ConfigDict, ValidationError, model_validator
from pydantic._internal._model_construction import ModelMetaclass

from matchmaker import _gc
from matchmaker._i18n import msg
from matchmaker._pydantic_errors import RuleError, issues_from_validation_error
from matchmaker._text import fold_field_name
from matchmaker.errors import InputError, ProblemValidationError, ValidationIssue

__all__ = ["PROTECTED_FIELDS", "PROTECTED_VALUES", "Record", "protected_label"]

#: Field names that must never reach matching (diskrimineringslagen, GDPR art. 9 and 10, and proxies),
#: compared after :func:`~matchmaker._text.fold_field_name`.
PROTECTED_FIELDS: frozenset[str] = frozenset(
    {
        # gender and gender identity
        "gender",
        "sex",
        "kon",
        "gender_identity",
        "konsidentitet",
        "pronoun",
        "pronouns",
        # ethnicity, religion, disability, sexual orientation, age
        "ethnicity",
        "etnicitet",
        "ethnic_origin",
        "etnisk_tillhorighet",
        "race",
        "religion",
        "belief",
        "trosuppfattning",
        "disability",
        "funktionsnedsattning",
        "funktionshinder",
        "health",
        "halsa",
        "sexual_orientation",
        "sexuell_laggning",
        "age",
        "alder",
        "birth_date",
        "date_of_birth",
        "birthdate",
        "dob",
        "fodelsedatum",
        "fodelsear",
        "birth_year",
        "year_of_birth",
        # direct identifiers and proxies
        "name",
        "namn",
        "full_name",
        "first_name",
        "last_name",
        "surname",
        "fornamn",
        "efternamn",
        "photo",
        "foto",
        "bild",
        "picture",
        "personnummer",
        "personal_number",
        "personal_identity_number",
        "ssn",
        "national_id",
        "samordningsnummer",
        "citizenship",
        "medborgarskap",
        "nationality",
        "nationalitet",
        "country_of_birth",
        "fodelseland",
        "mother_tongue",
        "modersmal",
        "native_language",
        "home_address",
        "address",
        "adress",
        "hemadress",
        "postal_address",
        "postadress",
        "parental_leave",
        "foraldraledighet",
        "pregnancy",
        "graviditet",
        "email",
        "e_post",
        "epost",
        "phone",
        "telefon",
        "telefonnummer",
        "mobile",
        "criminal_record",
        "belastningsregister",
    }
)


#: Group names that are themselves values of a protected attribute (a gender, for example), compared
#: after :func:`~matchmaker._text.fold_field_name`, as a whole name or as a run of its words.
PROTECTED_VALUES: frozenset[str] = frozenset(
    {
        "male",
        "female",
        "man",
        "men",
        "woman",
        "women",
        "kvinna",
        "kvinnor",
        "manlig",
        "kvinnlig",
        "non_binary",
        "nonbinary",
        "icke_binar",
        "transgender",
        "trans",
        "boy",
        "girl",
        "pojke",
        "flicka",
        "muslim",
        "christian",
        "jewish",
        "kristen",
        "judisk",
        "disabled",
        "funktionsnedsatt",
        "heterosexual",
        "homosexual",
        "gay",
        "lesbian",
        "bisexual",
        "immigrant",
        "invandrare",
        "utrikes_fodd",
        "foreign_born",
        "pregnant",
        "gravid",
    }
)


def protected_label(label: str) -> bool:
    """Whether ``label`` (an applicant group's family or value) names a protected attribute, a proxy of one
    or a value of one: the whole name folded, or any run of its words, is in :data:`PROTECTED_FIELDS` or
    :data:`PROTECTED_VALUES` (``"Age group"`` holds ``age``; ``"Kön"`` is ``kon``)."""
    words = fold_field_name(label).split("_")
    for start in range(len(words)):
        for end in range(start + 1, len(words) + 1):
            run = "_".join(words[start:end])
            if run in PROTECTED_FIELDS or run in PROTECTED_VALUES:
                return True
    return False


#: Nesting depth of record validation in this context: only the outermost call converts errors.
_DEPTH: ContextVar[int] = ContextVar("matchmaker_validation_depth", default=0)

#: Each record class's field names (read once per class, not once per record).
_FIELD_NAMES: dict[type, frozenset[str]] = {}


class _RecordMeta(ModelMetaclass):
    """Turns pydantic's ``ValidationError`` from ``Record(...)`` into :class:`ProblemValidationError`.

    This is done here, on the call, rather than in an ``__init__``: pydantic routes every nested
    record of a class that defines ``__init__`` through Python and runs its "after" validators twice
    (pydantic issue 13471; the problem's cross-record rules among them), which made loading a
    1,000-applicant round 1.6 times slower.
    """

    def __call__(cls, /, *args: Any, **data: Any) -> Any:  # noqa: N805 (a metaclass: the record class)
        token = _DEPTH.set(_DEPTH.get() + 1)
        try:
            with _gc.paused():
                return super().__call__(*args, **data)
        except ValidationError as exc:
            if _DEPTH.get() > 1:  # nested record: the outermost record reports every error at once
                raise
            failure = exc
        finally:
            _DEPTH.reset(token)
        raise _input_error(cls, failure, data) from failure


def _input_error(cls: Any, exc: ValidationError, data: Any) -> InputError:
    """The error of the record class ``cls`` (its ``_error_type``) listing every issue of ``exc``, and the
    issues the class finds beside them."""
    errors = exc.errors(include_url=False, include_input=False)
    issues = issues_from_validation_error(exc, data, root=cls.__name__, model=cls)
    error_type: type[InputError] = cls._error_type
    return error_type([*issues, *cls._issues_beside(data, errors)])


class Record(BaseModel, metaclass=_RecordMeta):
    """Base of every input record: frozen, unknown fields rejected, errors as ProblemValidationError (or
    the class's own ``_error_type``)."""

    #: The error a record of this class raises when it breaks a rule.
    _error_type: ClassVar[type[InputError]] = ProblemValidationError

    model_config = ConfigDict(
        frozen=True,
        extra="forbid",
        str_strip_whitespace=True,
        allow_inf_nan=False,
        validate_default=False,
    )

    @classmethod
    def model_validate(cls, obj: Any, **kwargs: Any) -> Self:
        """Validate ``obj`` (a mapping) into a record; raises :class:`ProblemValidationError`."""
        token = _DEPTH.set(_DEPTH.get() + 1)
        try:
            with _gc.paused():
                return super().model_validate(obj, **kwargs)
        except ValidationError as exc:
            if _DEPTH.get() > 1:
                raise
            failure = exc
        finally:
            _DEPTH.reset(token)
        raise _input_error(cls, failure, obj) from failure

    @classmethod
    def _issues_beside(cls, data: Any, errors: list[Any]) -> list[ValidationIssue]:
        """Issues to report beside the field ``errors`` (pydantic's) of ``data``: none for a plain record;
        a :class:`~matchmaker.Problem` adds the cross-record issues of its records that validate."""
        return []

    def model_copy(self, *, update: Mapping[str, Any] | None = None, deep: bool = False) -> Self:
        """A copy of the record; with ``update``, a new record validated like any other.

        pydantic's own ``model_copy(update=...)`` neither validates the new values nor forgets what the
        record has computed from the old ones (a :class:`~matchmaker.Problem`'s ``unit_by_id`` and the
        other lookups), so the copy could hold stale lookups or break a cross-record rule unseen. Here
        the record is built again from its fields and the update: every rule runs, and every lookup is
        computed from the new fields.

        Raises:
            ProblemValidationError: the updated record breaks a rule (or ``update`` names no field).
        """
        if not update:
            return super().model_copy(deep=deep)
        data: dict[str, Any] = {name: getattr(self, name) for name in self.model_fields_set}
        data.update(update)
        return type(self).model_validate(copy.deepcopy(data) if deep else data)

    @classmethod
    def model_validate_json(cls, json_data: str | bytes | bytearray, **kwargs: Any) -> Self:
        """Parsing JSON text directly is not supported: use :func:`matchmaker.load_problem` or
        :func:`matchmaker.io.problem_from_json`, which also detect duplicate keys and name the file."""
        raise NotImplementedError(
            "use matchmaker.io.problem_from_json(text) or matchmaker.load_problem(path) to read JSON"
        )

    @model_validator(mode="before")
    @classmethod
    def _refuse_protected_fields(cls, data: Any) -> Any:
        if isinstance(data, (dict, Mapping)):  # a dict (checked first) is told apart without the ABC
            allowed = _FIELD_NAMES.get(cls)
            if allowed is None:  # pydantic's model_fields is slow to read once per record
                allowed = _FIELD_NAMES[cls] = frozenset(cls.model_fields)
            if allowed.issuperset(data):
                return data
            for key in data.keys() - allowed:
                if not isinstance(key, str):
                    continue
                if fold_field_name(key) in PROTECTED_FIELDS:
                    raise RuleError(
                        msg(
                            "field {key!r} holds personal data or a protected attribute, which matchmaker never "
                            "uses for matching (diskrimineringslagen, GDPR)",
                            key=key,
                        ),
                        msg("remove the field or column"),
                    )
        return data
