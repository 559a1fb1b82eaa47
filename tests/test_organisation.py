"""The organisation directory and its Kota Cirebon default."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest
from pydantic import ValidationError

from lapor_domain.errors import InvalidInput, UnknownOrganisation
from lapor_domain.organisation import (
    KABUPATEN_CIREBON,
    KOTA_CIREBON,
    PROVINSI_JAWA_BARAT,
    SLUG_PATTERN,
    Institution,
    OrganisationDirectory,
    Unit,
    UnitKind,
    kota_cirebon,
)
from lapor_domain.organisation.cirebon import KECAMATAN_KELURAHAN, SMP_NEGERI_COUNT


def _kinds(institution: str) -> Counter[UnitKind]:
    return Counter(unit.kind for _, unit in kota_cirebon().units(institution))


def _small() -> OrganisationDirectory:
    return OrganisationDirectory(
        institutions=(
            Institution(
                code="kota-a",
                name="Pemerintah Kota A",
                units=(
                    Unit(code="dinkes", name="Dinas Kesehatan", kind=UnitKind.OPD),
                    Unit(code="kec-utara", name="Kecamatan Utara", kind=UnitKind.KECAMATAN),
                ),
            ),
            Institution(
                code="kabupaten-b",
                name='Pemerintah Kabupaten "B"\\',
                units=(Unit(code="rsud-b", name="RSUD B", kind=UnitKind.RSUD),),
            ),
        )
    )


# --- the Kota Cirebon default ------------------------------------------------------------------


def test_default_is_built_once() -> None:
    assert kota_cirebon() is kota_cirebon()


def test_default_has_the_city_and_its_two_neighbours() -> None:
    codes = [institution.code for institution in kota_cirebon().institutions]
    assert codes == [KOTA_CIREBON, PROVINSI_JAWA_BARAT, KABUPATEN_CIREBON]
    assert kota_cirebon().institution(KOTA_CIREBON).name == "Pemerintah Kota Cirebon"


def test_city_counts_per_kind() -> None:
    kinds = _kinds(KOTA_CIREBON)
    assert kinds[UnitKind.KECAMATAN] == 5
    assert kinds[UnitKind.KELURAHAN] == 22
    assert kinds[UnitKind.RSUD] == 1
    assert kinds[UnitKind.PUSKESMAS] == 21
    assert kinds[UnitKind.SEKOLAH] == SMP_NEGERI_COUNT == 18
    assert kinds[UnitKind.OPD] == 28


def test_five_kecamatan_hold_the_twenty_two_kelurahan() -> None:
    city = kota_cirebon().institution(KOTA_CIREBON)
    assert sorted(KECAMATAN_KELURAHAN) == [
        "Harjamukti",
        "Kejaksan",
        "Kesambi",
        "Lemahwungkuk",
        "Pekalipan",
    ]
    assert [len(k) for k in KECAMATAN_KELURAHAN.values()] == [5, 4, 5, 4, 4]
    for kecamatan, kelurahan in KECAMATAN_KELURAHAN.items():
        assert city.unit(f"kec-{kecamatan.lower()}").name == f"Kecamatan {kecamatan}"
        for name in kelurahan:
            unit = city.unit(f"kel-{name.lower()}")
            assert (unit.name, unit.kind) == (f"Kelurahan {name}", UnitKind.KELURAHAN)
    every_kelurahan = [name for names in KECAMATAN_KELURAHAN.values() for name in names]
    assert len(set(every_kelurahan)) == 22
    # each kecamatan is named after one of its own kelurahan
    for kecamatan, kelurahan in KECAMATAN_KELURAHAN.items():
        assert kecamatan in kelurahan


@pytest.mark.parametrize(
    ("code", "name", "kind"),
    [
        ("rsud-gunung-jati", "RSD Gunung Jati", UnitKind.RSUD),
        ("dkis", "Dinas Komunikasi, Informatika dan Statistik", UnitKind.OPD),
        ("dinkes", "Dinas Kesehatan", UnitKind.OPD),
        ("pkm-kejaksan", "Puskesmas Kejaksan", UnitKind.PUSKESMAS),
        ("pkm-jalan-kembang", "Puskesmas Jalan Kembang", UnitKind.PUSKESMAS),
        ("smpn-1", "SMP Negeri 1 Cirebon", UnitKind.SEKOLAH),
        ("smpn-18", "SMP Negeri 18 Cirebon", UnitKind.SEKOLAH),
        ("kec-harjamukti", "Kecamatan Harjamukti", UnitKind.KECAMATAN),
        ("kel-argasunya", "Kelurahan Argasunya", UnitKind.KELURAHAN),
        ("pdam-tirta-giri-nata", "Perumda Air Minum Tirta Giri Nata", UnitKind.OPD),
    ],
)
def test_city_units(code: str, name: str, kind: UnitKind) -> None:
    assert kota_cirebon().unit(KOTA_CIREBON, code) == Unit(code=code, name=name, kind=kind)


def test_smp_negeri_are_numbered_one_to_eighteen() -> None:
    schools = {
        unit.code for _, unit in kota_cirebon().units(KOTA_CIREBON) if unit.kind == "sekolah"
    }
    assert schools == {f"smpn-{number}" for number in range(1, 19)}


def test_neighbours_hold_what_the_city_does_not() -> None:
    directory = kota_cirebon()
    assert directory.unit(PROVINSI_JAWA_BARAT, "sman-1-cirebon").kind is UnitKind.SEKOLAH
    assert directory.has_unit(PROVINSI_JAWA_BARAT, "dbmpr")
    assert directory.unit(KABUPATEN_CIREBON, "rsud-waled").kind is UnitKind.RSUD
    assert directory.unit(KABUPATEN_CIREBON, "rsud-arjawinangun").kind is UnitKind.RSUD
    assert directory.unit(KABUPATEN_CIREBON, "kec-sumber").kind is UnitKind.KECAMATAN
    assert directory.has_unit(KABUPATEN_CIREBON, "kec-weru")
    assert not directory.has_unit(KOTA_CIREBON, "sman-1-cirebon")


def test_every_code_is_a_slug_and_every_name_is_set() -> None:
    slug = re.compile(SLUG_PATTERN)
    for institution, unit in kota_cirebon().units():
        assert slug.fullmatch(institution.code)
        assert slug.fullmatch(unit.code), unit.code
        assert unit.name.strip() == unit.name != ""


def test_units_lists_everything_in_order() -> None:
    directory = kota_cirebon()
    pairs = directory.units()
    assert len(pairs) == sum(len(institution.units) for institution in directory.institutions)
    assert pairs[0][0].code == KOTA_CIREBON
    assert pairs[-1][0].code == KABUPATEN_CIREBON
    assert [unit for _, unit in directory.units(PROVINSI_JAWA_BARAT)] == list(
        directory.institution(PROVINSI_JAWA_BARAT).units
    )


# --- lookups and their errors ------------------------------------------------------------------


def test_has_unit_is_false_for_unknown_institution_or_unit() -> None:
    directory = _small()
    assert directory.has_unit("kota-a", "dinkes")
    assert not directory.has_unit("kota-a", "rsud-b")
    assert not directory.has_unit("nowhere", "dinkes")
    assert directory.has_institution("kabupaten-b")
    assert not directory.has_institution("nowhere")


def test_unknown_institution_names_the_code_and_the_known_ones() -> None:
    with pytest.raises(UnknownOrganisation) as raised:
        kota_cirebon().institution("kota-cirebn")
    message = str(raised.value)
    assert message.startswith("unknown institution 'kota-cirebn'; known: kabupaten-cirebon, ")
    assert "did you mean 'kota-cirebon'" in message


def test_unknown_institution_in_unit_lookup() -> None:
    with pytest.raises(UnknownOrganisation, match="unknown institution 'jakarta'"):
        kota_cirebon().unit("jakarta", "dinkes")
    with pytest.raises(UnknownOrganisation):
        kota_cirebon().units("jakarta")


def test_unknown_unit_suggests_a_close_code() -> None:
    with pytest.raises(UnknownOrganisation) as raised:
        kota_cirebon().unit(KOTA_CIREBON, "dinkess")
    message = str(raised.value)
    assert "unknown unit 'dinkess' in institution 'kota-cirebon'" in message
    assert "did you mean" in message
    assert "'dinkes'" in message


def test_unknown_unit_suggests_by_official_name() -> None:
    with pytest.raises(UnknownOrganisation, match="did you mean 'dinkes'"):
        kota_cirebon().unit(KOTA_CIREBON, "Dinas Kesehatan")


def test_unknown_unit_says_which_institution_has_it() -> None:
    with pytest.raises(UnknownOrganisation, match="'rsud-waled' is a unit of 'kabupaten-cirebon'"):
        kota_cirebon().unit(KOTA_CIREBON, "rsud-waled")


def test_unknown_unit_without_any_likeness_lists_known_codes() -> None:
    with pytest.raises(UnknownOrganisation, match=r"known: dinkes, kec-utara$"):
        _small().unit("kota-a", "zzz")


def test_unknown_organisation_is_an_invalid_input() -> None:
    with pytest.raises(InvalidInput):
        _small().institution("zzz")


# --- validation at construction ----------------------------------------------------------------


def test_duplicate_unit_codes_are_refused() -> None:
    twice = Unit(code="dinkes", name="Dinas Kesehatan", kind=UnitKind.OPD)
    with pytest.raises(ValidationError, match="duplicate unit code 'dinkes'"):
        Institution(code="kota-a", name="Pemerintah Kota A", units=(twice, twice))


def test_duplicate_institution_codes_are_refused() -> None:
    one = Institution(code="kota-a", name="Pemerintah Kota A")
    other = Institution(code="kota-a", name="Another A")
    with pytest.raises(ValidationError, match="duplicate institution code 'kota-a'"):
        OrganisationDirectory(institutions=(one, other))


def test_same_unit_code_in_two_institutions_is_fine() -> None:
    directory = kota_cirebon()
    assert directory.unit(KOTA_CIREBON, "dinkes") != directory.unit(PROVINSI_JAWA_BARAT, "dishub")
    assert directory.has_unit(KOTA_CIREBON, "dinkes")
    assert directory.has_unit(KABUPATEN_CIREBON, "dinkes")


@pytest.mark.parametrize(
    "code", ["", "Dinkes", "din kes", "dinkes-", "-dinkes", "din--kes", "dinkés", "din_kes"]
)
def test_codes_must_be_slugs(code: str) -> None:
    with pytest.raises(ValidationError):
        Unit(code=code, name="Dinas Kesehatan", kind=UnitKind.OPD)
    with pytest.raises(ValidationError):
        Institution(code=code, name="Pemerintah")


def test_names_must_not_be_blank_and_extra_fields_are_refused() -> None:
    with pytest.raises(ValidationError):
        Unit(code="dinkes", name="   ", kind=UnitKind.OPD)
    with pytest.raises(ValidationError):
        Unit.model_validate({"code": "dinkes", "name": "Dinas", "kind": "opd", "parent": "x"})
    with pytest.raises(ValidationError):
        Unit.model_validate({"code": "dinkes", "name": "Dinas", "kind": "ministry"})


def test_models_are_frozen_and_hashable() -> None:
    unit = kota_cirebon().unit(KOTA_CIREBON, "dkis")
    with pytest.raises(ValidationError):
        unit.name = "Dinas Lain"  # type: ignore[misc]
    assert hash(kota_cirebon()) == hash(OrganisationDirectory.from_toml(kota_cirebon().to_toml()))
    assert UnitKind("opd") is UnitKind.OPD
    assert UnitKind.KELURAHAN.value == "kelurahan"


def test_model_copy_with_update_is_validated_and_reindexed() -> None:
    directory = _small()
    kota = directory.institution("kota-a")
    moved = kota.model_copy(update={"units": (Unit(code="dlh", name="DLH", kind=UnitKind.OPD),)})
    assert moved.has_unit("dlh")
    assert not moved.has_unit("dinkes")
    with pytest.raises(ValidationError):
        directory.model_copy(update={"institutions": (kota, kota)})


# --- TOML --------------------------------------------------------------------------------------


def test_toml_round_trip_of_the_default() -> None:
    text = kota_cirebon().to_toml()
    again = OrganisationDirectory.from_toml(text)
    assert again == kota_cirebon()
    assert again.to_toml() == text
    assert again.unit(KOTA_CIREBON, "dkis").name == "Dinas Komunikasi, Informatika dan Statistik"


def test_toml_round_trip_escapes_quotes_and_backslashes() -> None:
    assert OrganisationDirectory.from_toml(_small().to_toml()) == _small()


def test_from_toml_reads_the_documented_shape() -> None:
    directory = OrganisationDirectory.from_toml(
        """
        [[institutions]]
        code = "kota-x"
        name = "Pemerintah Kota X"

        [[institutions.units]]
        code = "pkm-x"
        name = "Puskesmas X"
        kind = "puskesmas"
        """
    )
    assert directory.unit("kota-x", "pkm-x").kind is UnitKind.PUSKESMAS


def test_from_toml_reads_a_file(tmp_path: Path) -> None:
    path = tmp_path / "directory.toml"
    path.write_text(_small().to_toml(), encoding="utf-8")
    assert OrganisationDirectory.from_toml(path) == _small()
    assert OrganisationDirectory.from_toml(str(path)) == _small()


@pytest.mark.parametrize(
    ("text", "complaint"),
    [
        ("[[institutions]\ncode = ", "not valid TOML"),
        (
            '[[institutions]]\ncode = "a"\nname = "A"\n[[institutions]]\ncode = "a"\nname = "B"\n',
            "duplicate institution code 'a'",
        ),
        ('[[institutions]]\ncode = "A b"\nname = "A"\n', "does not validate"),
        ('[[institutions]]\ncode = "a"\nname = "A"\nmayor = "x"\n', "does not validate"),
    ],
)
def test_from_toml_refuses_bad_input_with_invalid_input(text: str, complaint: str) -> None:
    with pytest.raises(InvalidInput, match=complaint):
        OrganisationDirectory.from_toml(text)


def test_from_toml_missing_file_is_invalid_input(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="cannot read organisation directory"):
        OrganisationDirectory.from_toml(tmp_path / "absent.toml")
