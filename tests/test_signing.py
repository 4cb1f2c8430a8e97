"""Signed, versioned audit records: office keys, verify, and records that cannot be quietly changed."""

from __future__ import annotations

import base64
import copy
import json
import logging
import stat
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import assume, given
from hypothesis import strategies as st
from pydantic import ValidationError

import matchmaker as mm
from conftest import EXAMPLES
from matchmaker._cli import EXIT_BAD_INPUT, EXIT_NO_PLAN, EXIT_OK, cli
from matchmaker.review import AuditRecord, Override, apply_overrides, decision_fingerprint
from matchmaker.review._signing import make_signature, part_digests
from matchmaker.review._verify import Finding

pytest.importorskip("cryptography")

SDT = EXAMPLES / "sodertalje"
OPTS = mm.SolveOptions(workers=1)
Path_ = tuple[str | int, ...]


def run(*args: str | Path) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, [str(a) for a in args])
    return result.exit_code, result.stdout, result.stderr


OVERRIDES = (
    Override(action="pin", applicant="VT26-13", unit="sdt-af", reason="continues there", official="HR-042"),
    Override(action="forbid", applicant="VT26-17", supervisor="H-VUX-1", reason="declared relation", official="HR-042"),
)


@pytest.fixture(scope="module")
def problem() -> mm.Problem:
    return mm.load_problem(SDT / "problem.json")


@pytest.fixture(scope="module")
def recommendation(problem: mm.Problem) -> mm.Result:
    return mm.solve(problem, OPTS)


@pytest.fixture(scope="module")
def keys() -> tuple[mm.SigningKey, mm.PublicKey]:
    return mm.generate_keypair()


@pytest.fixture(scope="module")
def signed(problem: mm.Problem, recommendation: mm.Result, keys: tuple[mm.SigningKey, mm.PublicKey]) -> AuditRecord:
    """An approval with two overrides, a role and a date, signed with the office key."""
    return mm.approve(
        problem,
        recommendation,
        "HR-007",
        overrides=OVERRIDES,
        options=OPTS,
        role="enhetschef",
        approved_at="2026-05-12",
        signing_key=keys[0],
    )


def _leaves(node: Any, path: Path_ = ()) -> Iterator[Path_]:
    """The path of every scalar of a JSON value."""
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _leaves(value, (*path, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _leaves(value, (*path, index))
    else:
        yield path


def _set(data: Any, path: Path_, value: Any) -> Any:
    out = copy.deepcopy(data)
    node = out
    for step in path[:-1]:
        node = node[step]
    node[path[-1]] = value
    return out


def _get(data: Any, path: Path_) -> Any:
    for step in path:
        data = data[step]
    return data


def _changed(value: Any) -> Any:
    """A different value of the same JSON type (``None`` becomes text)."""
    if isinstance(value, bool):
        return not value
    if isinstance(value, int):
        return value + 1
    if isinstance(value, float):
        return value + 0.5
    if isinstance(value, str):
        return value + "x"
    return "x"


def _named(data: dict[str, Any], path: Path_, public_key: mm.PublicKey, original: AuditRecord) -> str | None:
    """Load and verify ``data`` (``path`` changed): what names the change, or ``None`` if nothing does."""
    dotted = ".".join(str(p) for p in path)
    try:
        record = AuditRecord.model_validate(data)
    except ValidationError as exc:
        locs = [".".join(str(p) for p in e["loc"]) for e in exc.errors()]
        return next((loc for loc in locs if loc and (dotted + ".").startswith(loc.split(".")[0] + ".")), None)
    if record.model_dump(mode="json") == original.model_dump(mode="json"):
        return "unchanged"  # validation normalised the change away: the record is the same record
    verification = mm.verify_record(record, public_key=public_key)
    for finding in verification.findings:
        field = finding.field
        if dotted == field or dotted.startswith(field + "."):
            return field
        if path[:2] == ("signature", "digests") and field in (path[2], "signature.value"):
            return field
    return None


def test_every_leaf_of_a_signed_record_changed_is_named(
    signed: AuditRecord, keys: tuple[mm.SigningKey, mm.PublicKey]
) -> None:
    data = json.loads(signed.to_json())
    paths = list(_leaves(data))
    assert len(paths) > 100  # the decision, the approval, the overrides, the signature's digests
    assert mm.verify_record(signed, public_key=keys[1]).ok
    unnamed = [
        p for p in paths if _named(_set(data, p, _changed(_get(data, p))), p, keys[1], signed) in (None, "unchanged")
    ]
    assert unnamed == []


_SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(-(2**40), 2**40), st.floats(allow_nan=False, allow_infinity=False), st.text()
)


@given(index=st.integers(min_value=0), value=_SCALARS)
def test_any_new_value_of_any_leaf_is_named(
    signed: AuditRecord, keys: tuple[mm.SigningKey, mm.PublicKey], index: int, value: Any
) -> None:
    data = json.loads(signed.to_json())
    paths = list(_leaves(data))
    path = paths[index % len(paths)]
    assume(json.dumps(value) != json.dumps(_get(data, path)))
    named = _named(_set(data, path, value), path, keys[1], signed)
    assert named is not None, path


def test_a_tampered_decision_with_recomputed_fingerprints_fails_by_the_signature(
    problem: mm.Problem, recommendation: mm.Result, keys: tuple[mm.SigningKey, mm.PublicKey]
) -> None:
    record = mm.approve(problem, recommendation, "HR-007", role="enhetschef", signing_key=keys[0])
    assert mm.verify_record(record, public_key=keys[1], problem=problem).ok
    # The forgery: one supervisor changed by hand, every fingerprint recomputed with matchmaker.
    first = record.decision.assignments[0]
    other = next(a.supervisor for a in record.decision.assignments if a.supervisor != first.supervisor)
    moved = (first.model_copy(update={"supervisor": other}), *record.decision.assignments[1:])
    decision = record.decision.model_copy(update={"assignments": moved})
    forged = record.model_copy(
        update={
            "decision": decision,
            "output_fingerprint": decision_fingerprint(decision),
            "recommendation_fingerprint": decision_fingerprint(decision),
        }
    )
    unsigned_view = mm.verify_record(forged.model_copy(update={"signature": None}))
    assert unsigned_view.ok  # without the signature, the forgery is consistent: only the key can tell
    found = mm.verify_record(forged, public_key=keys[1])
    assert not found.ok
    assert {"decision.assignments", "output_fingerprint", "recommendation_fingerprint"} <= {
        f.field for f in found.findings
    }
    # The digests recomputed too: the signature no longer holds.
    assert forged.signature is not None
    redone = forged.signature.model_copy(update={"digests": part_digests(forged.model_dump(mode="json"))})
    found = mm.verify_record(forged.model_copy(update={"signature": redone}), public_key=keys[1])
    assert [f.code for f in found.findings] == ["bad_signature"]
    # Re-signed with another key: named as such.
    thief, _ = mm.generate_keypair()
    resigned = forged.model_copy(
        update={"signature": make_signature(forged.model_dump(mode="json"), forged.schema_version, thief)}
    )
    found = mm.verify_record(resigned, public_key=keys[1])
    assert [f.code for f in found.findings] == ["other_key"]
    assert "signed by another key" in found.text()
    # And reproduce never calls it byte-identical.
    again = mm.reproduce(forged.model_copy(update={"output_fingerprint": record.output_fingerprint}), problem)
    assert not again.identical
    assert "byte-identical" not in again.text()


def test_wrong_key_and_unsigned_records(
    problem: mm.Problem, recommendation: mm.Result, signed: AuditRecord, keys: tuple[mm.SigningKey, mm.PublicKey]
) -> None:
    _, stranger = mm.generate_keypair()
    found = mm.verify_record(signed, public_key=stranger)
    assert [(f.field, f.code) for f in found.findings] == [("signature.key_fingerprint", "other_key")]
    unsigned = mm.approve(problem, recommendation, "HR-007")
    assert mm.verify_record(unsigned).ok
    assert [f.code for f in mm.verify_record(unsigned, public_key=keys[1]).findings] == ["unsigned"]
    assert [f.code for f in mm.verify_record(unsigned, require_signature=True).findings] == ["unsigned"]
    # A signature that nobody checks does not satisfy a requirement.
    assert [f.code for f in mm.verify_record(signed, require_signature=True).findings] == ["no_key"]
    assert mm.verify_record(signed, public_key=keys[1], require_signature=True).signed_by == keys[1].fingerprint


def test_verify_checks_the_input_without_solving(
    problem: mm.Problem, signed: AuditRecord, keys: tuple[mm.SigningKey, mm.PublicKey]
) -> None:
    assert mm.verify_record(signed, public_key=keys[1], problem=problem).ok
    data = problem.model_dump(mode="json")
    data["policy"]["lottery_seed"] += 1
    other = mm.Problem.model_validate(data)
    fields = {f.field for f in mm.verify_record(signed, public_key=keys[1], problem=other).findings}
    assert fields == {"input_fingerprint", "policy"}


def test_approval_fields_are_checked(problem: mm.Problem, recommendation: mm.Result) -> None:
    with pytest.raises(mm.ApprovalError, match="ISO 8601"):
        mm.approve(problem, recommendation, "HR-007", approved_at="12 May")
    with pytest.raises(mm.ApprovalError, match="role") as refused:
        mm.approve(problem, recommendation, "HR-007", role=" ")
    # str() is English; text("sv") says the same in Swedish (the issue with its fix).
    assert "give the official's role" in str(refused.value)
    assert "ange tjänstepersonens roll" in refused.value.text("sv")
    assert "godkännandet är inte giltigt" in refused.value.text("sv")
    record = mm.approve(problem, recommendation, "HR-007", role=" enhetschef ", approved_at="2026-05-12")
    assert record.approval is not None
    assert (record.approval.role, record.approval.approved_at) == ("enhetschef", "2026-05-12")


# -- key files --------------------------------------------------------------------------------------


def test_keygen_writes_a_private_key_for_its_owner_only_and_never_overwrites(tmp_path: Path) -> None:
    key = tmp_path / "office.key"
    public = mm.write_keypair(key)
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert mm.load_public_key(tmp_path / "office.key.pub") == public
    assert mm.load_signing_key(key).public_key == public
    before = key.read_bytes(), (tmp_path / "office.key.pub").read_bytes()
    with pytest.raises(mm.InputFileError, match="already exists"):
        mm.write_keypair(key)
    (tmp_path / "other.key.pub").write_text("keep me", encoding="utf-8")
    with pytest.raises(mm.InputFileError, match="already exists"):
        mm.write_keypair(tmp_path / "other.key")
    assert not (tmp_path / "other.key").exists()
    assert (key.read_bytes(), (tmp_path / "office.key.pub").read_bytes()) == before
    code, _, err = run("keygen", "--out", key)
    assert code == EXIT_BAD_INPUT
    assert "already exists" in err
    assert (key.read_bytes(), (tmp_path / "office.key.pub").read_bytes()) == before


def test_a_bad_key_file_is_named_without_its_content(tmp_path: Path) -> None:
    key = tmp_path / "office.key"
    mm.write_keypair(key)
    body = key.read_text(encoding="utf-8").splitlines()[1]
    broken = tmp_path / "broken.key"
    broken.write_text(key.read_text(encoding="utf-8").replace(body, body[:-8]), encoding="utf-8")
    with pytest.raises(mm.InputFileError) as caught:
        mm.load_signing_key(broken)
    assert "broken.key" in str(caught.value)
    assert body[:16] not in str(caught.value)
    with pytest.raises(mm.InputFileError, match="not a public key"):
        mm.load_public_key(key)  # the private key given where the public one belongs


def test_a_missing_extra_says_how_to_install_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "cryptography.hazmat.primitives.asymmetric", None)
    with pytest.raises(mm.MissingExtraError, match=r"matchmaker\[sign\]"):
        mm.generate_keypair()


# -- schema versions --------------------------------------------------------------------------------


def _v1(record: AuditRecord) -> dict[str, Any]:
    """``record`` as matchmaker wrote it before version 2: no role, no signature."""
    data: dict[str, Any] = json.loads(record.to_json())
    data["schema_version"] = 1
    data.pop("signature")
    data["approval"].pop("role")
    data["approval"]["approved_at"] = "2026-05-12T09:30:00+00:00"
    return data


def test_a_version_1_record_is_migrated_with_a_notice(
    tmp_path: Path, problem: mm.Problem, recommendation: mm.Result, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "old.json"
    path.write_text(json.dumps(_v1(mm.approve(problem, recommendation, "HR-007"))), encoding="utf-8")
    with caplog.at_level(logging.WARNING, logger="matchmaker.review"):
        record = mm.load_audit(path)
    assert record.schema_version == mm.AuditRecord.model_fields["schema_version"].default == 2
    assert record.migrated_from == 1
    assert "version-1 audit record was read as version 2" in caplog.text
    verification = mm.verify_record(record)
    assert verification.ok
    assert verification.migrated_from == 1
    assert "version-1" in verification.text()
    assert "version 1 lästes som version 2" in verification.text("sv")
    assert json.loads(record.to_json())["schema_version"] == 2
    code, out, _ = run("verify", path)
    assert code == EXIT_OK
    assert "version-1 audit record" in out
    code, out, _ = run("verify", path, "--require-signature")
    assert code == EXIT_NO_PLAN  # an old record has no signature
    assert "not signed" in out


@pytest.mark.parametrize(("version", "says"), [(3, "upgrade matchmaker"), (0, "not an audit schema version")])
def test_newer_and_non_positive_versions_are_refused(
    tmp_path: Path, signed: AuditRecord, version: int, says: str
) -> None:
    path = tmp_path / "record.json"
    path.write_text(json.dumps({**json.loads(signed.to_json()), "schema_version": version}), encoding="utf-8")
    with pytest.raises(mm.InputFileError, match=says) as caught:
        mm.load_audit(path)
    assert "schema_version" in str(caught.value)
    for command in ("verify", "reproduce"):
        code, out, err = run(command, path)
        assert code == EXIT_BAD_INPUT
        assert says in err
        assert "identical" not in out
        assert "Traceback" not in err


# -- the command line -------------------------------------------------------------------------------


@pytest.fixture
def office(tmp_path: Path) -> Path:
    """A folder with the Södertälje round, its recommendation, an office key pair and a signed approval."""
    (tmp_path / "problem.json").write_bytes((SDT / "problem.json").read_bytes())
    assert run("solve", tmp_path / "problem.json", "-q", "-o", tmp_path / "rec.json")[0] == EXIT_OK
    assert run("keygen", "--out", tmp_path / "office.key")[0] == EXIT_OK
    code, out, _ = run(
        "approve", tmp_path / "problem.json", tmp_path / "rec.json", "--official", "HR-007", "--role", "enhetschef",
        "--approved-at", "2026-05-12", "--key", tmp_path / "office.key", "-o", tmp_path / "approved.json",
    )  # fmt: skip
    assert code == EXIT_OK, out
    assert "signed with key sha256:" in out
    return tmp_path


def test_cli_verify_and_reproduce_exit_codes(office: Path) -> None:
    approved, pub = office / "approved.json", office / "office.key.pub"
    code, out, _ = run("verify", approved, "--public-key", pub, "--problem", office / "problem.json")
    assert code == EXIT_OK, out
    assert out.startswith("verified: the record is consistent and signed by key sha256:")
    code, out, _ = run("reproduce", approved, "--public-key", pub, "--lang", "sv")
    assert code == EXIT_OK, out
    assert "reproducerad: beslutet är identiskt byte för byte" in out
    # The issue: one assignment's supervisor changed by hand.
    data = json.loads(approved.read_text(encoding="utf-8"))
    assignment = data["decision"]["assignments"][0]
    assignment["supervisor"] = "H-AF-1" if assignment["supervisor"] != "H-AF-1" else "H-AF-2"
    edited = office / "edited.json"
    edited.write_text(json.dumps(data), encoding="utf-8")
    for args in (("reproduce", edited), ("verify", edited), ("reproduce", edited, "--public-key", pub)):
        code, out, _ = run(*args)
        assert code == EXIT_NO_PLAN, args
        assert "identical" not in out
        assert "decision: the decision does not match its recorded fingerprint" in out
    code, out, _ = run("verify", edited, "--public-key", pub, "--json")
    fields = {f["field"] for f in json.loads(out)["findings"]}
    assert fields == {"decision", "decision.assignments"}
    # The approval changed: the record is consistent, only the signature tells.
    data = json.loads(approved.read_text(encoding="utf-8"))
    data["approval"]["official"] = "HR-666"
    changed = office / "changed.json"
    changed.write_text(json.dumps(data), encoding="utf-8")
    code, out, _ = run("verify", changed)  # without the key the signed digests still name the change
    assert code == EXIT_NO_PLAN
    assert "approval.official: changed after signing" in out
    code, out, _ = run("verify", changed, "--public-key", pub, "--lang", "sv")
    assert code == EXIT_NO_PLAN
    assert "- approval.official: ändrad efter signering" in out
    code, out, _ = run("reproduce", changed, "--public-key", pub)
    assert code == EXIT_NO_PLAN
    assert "identical" not in out
    # Bad input: a missing record, a result given as a record, a broken public key.
    assert run("verify", office / "missing.json")[0] == EXIT_BAD_INPUT
    code, _, err = run("verify", office / "rec.json")
    assert code == EXIT_BAD_INPUT
    assert "not an audit record" in err
    (office / "bad.pub").write_text("-----BEGIN PUBLIC KEY-----\nnope\n-----END PUBLIC KEY-----\n", encoding="utf-8")
    code, _, err = run("verify", approved, "--public-key", office / "bad.pub")
    assert code == EXIT_BAD_INPUT
    assert "bad.pub" in err
    code, _, err = run("approve", office / "problem.json", office / "rec.json", "--official", "HR-7",
                       "--approved-at", "May 12", "-o", office / "x.json")  # fmt: skip
    assert code == EXIT_BAD_INPUT
    assert "ISO 8601" in err


def test_no_key_material_in_any_output_or_log(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    (tmp_path / "problem.json").write_bytes((SDT / "problem.json").read_bytes())
    outputs: list[str] = []
    with caplog.at_level(logging.DEBUG):
        for args in (
            ("solve", tmp_path / "problem.json", "-q", "-o", tmp_path / "rec.json"),
            ("keygen", "--out", tmp_path / "office.key"),
            ("approve", tmp_path / "problem.json", tmp_path / "rec.json", "--official", "HR-007",
             "--key", tmp_path / "office.key", "-o", tmp_path / "approved.json"),
            ("verify", tmp_path / "approved.json", "--public-key", tmp_path / "office.key.pub"),
            ("reproduce", tmp_path / "approved.json", "--public-key", tmp_path / "office.key.pub", "--json"),
            ("verify", tmp_path / "approved.json", "--public-key", tmp_path / "office.key"),  # the wrong file
            ("approve", tmp_path / "problem.json", tmp_path / "rec.json", "--official", "HR-007",
             "--key", tmp_path / "office.key.pub", "-o", tmp_path / "x.json"),  # the wrong file
        ):  # fmt: skip
            outputs += run(*args)[1:]
    pem = (tmp_path / "office.key").read_text(encoding="utf-8")
    key = mm.load_signing_key(tmp_path / "office.key")
    body = "".join(pem.splitlines()[1:-1])
    raw = base64.b64decode(body)[-32:]  # PKCS #8 ends with the 32-byte seed
    secrets = {body, body[:24], body[-24:], raw.hex(), base64.b64encode(raw).decode(), "PRIVATE KEY"}
    seen = "\n".join([*outputs, caplog.text, repr(key), str(key), (tmp_path / "approved.json").read_text("utf-8")])
    assert [s for s in secrets if s in seen] == []
    assert "sha256:" in seen  # the key is named by its fingerprint


def test_a_reproduction_reads_in_swedish(problem: mm.Problem, recommendation: mm.Result) -> None:
    record = mm.audit_record(problem, recommendation, options=OPTS)
    data = problem.model_dump(mode="json")
    data["policy"]["lottery_seed"] += 1
    again = mm.reproduce(record, mm.Problem.model_validate(data))
    seed = problem.policy.lottery_seed
    assert f"- seed: the lottery seed was {seed}, now {seed + 1}" in again.text()
    swedish = again.text("sv")
    assert swedish.startswith("inte reproducerad: beslutet skiljer sig")
    assert f"- slumpfrö: lottningens slumpfrö var {seed}, nu {seed + 1}" in swedish
    assert [d.message for d in again.differences] == [d.text("en") for d in again.differences]


def test_a_finding_says_its_cause_in_the_language_asked(problem: mm.Problem) -> None:
    # The error behind a finding (here: overrides that name an applicant the round lacks) is kept with
    # it, not written out (its English text is in params), and said in the finding's language.
    unit = problem.units[0].id
    ghost = Override(action="pin", applicant="nobody-1", unit=unit, reason="r", official="o-1")
    with pytest.raises(mm.ProblemValidationError) as refused:
        apply_overrides(problem, [ghost])
    exc = refused.value
    finding = Finding(kind="input", field="overrides", code="overrides_no_fit", params={"error": str(exc)}, cause=exc)
    assert "the applicant is not in the round" in finding.text("en")
    assert finding.text("en") == f"overrides: the record's overrides do not fit the problem: {exc}"
    assert "postens ändringar passar inte indata" in finding.text("sv")
    assert "den sökande finns inte i omgången" in finding.text("sv")
    assert "cause" not in finding.model_dump()
