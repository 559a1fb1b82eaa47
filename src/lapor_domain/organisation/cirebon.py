"""The default directory: Pemerintah Kota Cirebon and its two neighbours.

Kota Cirebon (Jawa Barat) is the institution of SOP 025/SOP-PIP/2018.  Its units
are the ones the SOP names as Pejabat Penghubung: the OPD (perangkat daerah, plus
the city water company), RSD Gunung Jati, the Puskesmas, the city's SMP Negeri
(junior high schools are city-run), its 5 kecamatan and 22 kelurahan.

The national desk may dispose a complaint the city returned to another
institution, so the two governments a Cirebon complaint most often really belongs
to are here too: Provinsi Jawa Barat (provincial roads, rivers, SMA and SMK) and
Kabupaten Cirebon (the regency around the city).  Only a handful of their units
are listed; an embedding service with a fuller directory passes its own.

Names are the current official ones as far as known (2025); ``code`` is the
stable key, so a renamed agency keeps its code.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import cache

from lapor_domain.organisation.directory import (
    Institution,
    OrganisationDirectory,
    Unit,
    UnitKind,
)

KOTA_CIREBON = "kota-cirebon"
PROVINSI_JAWA_BARAT = "provinsi-jawa-barat"
KABUPATEN_CIREBON = "kabupaten-cirebon"

_OPD = UnitKind.OPD

# (code, official name) of Kota Cirebon's perangkat daerah and its BUMD for water.
_KOTA_OPD: tuple[tuple[str, str], ...] = (
    ("setda", "Sekretariat Daerah"),
    ("setwan", "Sekretariat DPRD"),
    ("inspektorat", "Inspektorat Daerah"),
    ("bappelitbangda", "Badan Perencanaan Pembangunan, Penelitian dan Pengembangan Daerah"),
    ("bpkpd", "Badan Pengelola Keuangan dan Pendapatan Daerah"),
    ("bkpsdm", "Badan Kepegawaian dan Pengembangan Sumber Daya Manusia"),
    ("bpbd", "Badan Penanggulangan Bencana Daerah"),
    ("kesbangpol", "Badan Kesatuan Bangsa dan Politik"),
    ("disdik", "Dinas Pendidikan"),
    ("dinkes", "Dinas Kesehatan"),
    ("dputr", "Dinas Pekerjaan Umum dan Tata Ruang"),
    ("dprkp", "Dinas Perumahan Rakyat dan Kawasan Permukiman"),
    ("satpol-pp", "Satuan Polisi Pamong Praja"),
    ("damkar", "Dinas Pemadam Kebakaran dan Penyelamatan"),
    ("dinsos", "Dinas Sosial"),
    ("disnaker", "Dinas Tenaga Kerja"),
    ("dkppp", "Dinas Ketahanan Pangan, Pertanian dan Perikanan"),
    ("dlh", "Dinas Lingkungan Hidup"),
    ("disdukcapil", "Dinas Kependudukan dan Pencatatan Sipil"),
    (
        "dp3appkb",
        "Dinas Pemberdayaan Perempuan, Perlindungan Anak, Pengendalian Penduduk dan Keluarga Berencana",
    ),
    ("dishub", "Dinas Perhubungan"),
    ("dkis", "Dinas Komunikasi, Informatika dan Statistik"),
    ("dkukmpp", "Dinas Koperasi, Usaha Kecil dan Menengah, Perdagangan dan Perindustrian"),
    ("dpmptsp", "Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu"),
    ("disbudpar", "Dinas Kebudayaan dan Pariwisata"),
    ("dispora", "Dinas Pemuda dan Olahraga"),
    ("dispusip", "Dinas Perpustakaan dan Kearsipan"),
    ("pdam-tirta-giri-nata", "Perumda Air Minum Tirta Giri Nata"),
)

KECAMATAN_KELURAHAN: Mapping[str, tuple[str, ...]] = {
    "Harjamukti": ("Argasunya", "Harjamukti", "Kalijaga", "Kecapi", "Larangan"),
    "Kejaksan": ("Kebonbaru", "Kejaksan", "Kesenden", "Sukapura"),
    "Kesambi": ("Drajat", "Karyamulya", "Kesambi", "Pekiringan", "Sunyaragi"),
    "Lemahwungkuk": ("Kasepuhan", "Lemahwungkuk", "Panjunan", "Pegambiran"),
    "Pekalipan": ("Jagasatru", "Pekalangan", "Pekalipan", "Pulasaren"),
}
"""Kota Cirebon's kecamatan and the kelurahan of each: unit codes ``kec-<name>``, ``kel-<name>``."""

_KOTA_PUSKESMAS: tuple[str, ...] = (
    "Astanagarib",
    "Cangkol",
    "Drajat",
    "Gunungsari",
    "Jagasatru",
    "Jalan Kembang",
    "Kalijaga Permai",
    "Kalitanjung",
    "Kejaksan",
    "Kesambi",
    "Kesunean",
    "Larangan",
    "Majasem",
    "Nelayan",
    "Pamitran",
    "Pegambiran",
    "Pekalangan",
    "Perumnas Utara",
    "Pesisir",
    "Pulasaren",
    "Sitopeng",
)

SMP_NEGERI_COUNT = 18
"""Kota Cirebon runs SMP Negeri 1 to 18 Cirebon."""

_PROVINSI_UNITS: tuple[tuple[str, str, UnitKind], ...] = (
    ("disdik", "Dinas Pendidikan", _OPD),
    ("dinkes", "Dinas Kesehatan", _OPD),
    ("dishub", "Dinas Perhubungan", _OPD),
    ("dbmpr", "Dinas Bina Marga dan Penataan Ruang", _OPD),
    ("dsda", "Dinas Sumber Daya Air", _OPD),
    ("bapenda", "Badan Pendapatan Daerah", _OPD),
    ("sman-1-cirebon", "SMA Negeri 1 Cirebon", UnitKind.SEKOLAH),
    ("smkn-1-cirebon", "SMK Negeri 1 Cirebon", UnitKind.SEKOLAH),
)

_KABUPATEN_UNITS: tuple[tuple[str, str, UnitKind], ...] = (
    ("disdik", "Dinas Pendidikan", _OPD),
    ("dinkes", "Dinas Kesehatan", _OPD),
    ("dputr", "Dinas Pekerjaan Umum dan Tata Ruang", _OPD),
    ("dishub", "Dinas Perhubungan", _OPD),
    ("dlh", "Dinas Lingkungan Hidup", _OPD),
    ("disdukcapil", "Dinas Kependudukan dan Pencatatan Sipil", _OPD),
    ("dpkpp", "Dinas Perumahan, Kawasan Permukiman dan Pertanahan", _OPD),
    ("pdam-tirtajati", "Perumda Air Minum Tirtajati", _OPD),
    ("rsud-arjawinangun", "RSUD Arjawinangun", UnitKind.RSUD),
    ("rsud-waled", "RSUD Waled", UnitKind.RSUD),
    ("pkm-watubelah", "Puskesmas Watubelah", UnitKind.PUSKESMAS),
    ("kec-sumber", "Kecamatan Sumber", UnitKind.KECAMATAN),
    ("kec-weru", "Kecamatan Weru", UnitKind.KECAMATAN),
    ("kec-kedawung", "Kecamatan Kedawung", UnitKind.KECAMATAN),
    ("kec-mundu", "Kecamatan Mundu", UnitKind.KECAMATAN),
)


def _slug(name: str) -> str:
    """``"Jalan Kembang"`` -> ``"jalan-kembang"``."""
    return "-".join(name.lower().split())


def _kota_cirebon_units() -> Iterable[Unit]:
    for code, name in _KOTA_OPD:
        yield Unit(code=code, name=name, kind=_OPD)
    yield Unit(code="rsud-gunung-jati", name="RSD Gunung Jati", kind=UnitKind.RSUD)
    for place in _KOTA_PUSKESMAS:
        yield Unit(code=f"pkm-{_slug(place)}", name=f"Puskesmas {place}", kind=UnitKind.PUSKESMAS)
    for number in range(1, SMP_NEGERI_COUNT + 1):
        yield Unit(code=f"smpn-{number}", name=f"SMP Negeri {number} Cirebon", kind=UnitKind.SEKOLAH)
    for kecamatan in KECAMATAN_KELURAHAN:
        yield Unit(code=f"kec-{_slug(kecamatan)}", name=f"Kecamatan {kecamatan}", kind=UnitKind.KECAMATAN)
    for kelurahan_of_one in KECAMATAN_KELURAHAN.values():
        for kelurahan in kelurahan_of_one:
            yield Unit(
                code=f"kel-{_slug(kelurahan)}",
                name=f"Kelurahan {kelurahan}",
                kind=UnitKind.KELURAHAN,
            )


def _from_table(rows: Iterable[tuple[str, str, UnitKind]]) -> tuple[Unit, ...]:
    return tuple(Unit(code=code, name=name, kind=kind) for code, name, kind in rows)


@cache
def kota_cirebon() -> OrganisationDirectory:
    """The default organisation directory (built once; it is immutable)."""
    return OrganisationDirectory(
        institutions=(
            Institution(
                code=KOTA_CIREBON,
                name="Pemerintah Kota Cirebon",
                units=tuple(_kota_cirebon_units()),
            ),
            Institution(
                code=PROVINSI_JAWA_BARAT,
                name="Pemerintah Provinsi Jawa Barat",
                units=_from_table(_PROVINSI_UNITS),
            ),
            Institution(
                code=KABUPATEN_CIREBON,
                name="Pemerintah Kabupaten Cirebon",
                units=_from_table(_KABUPATEN_UNITS),
            ),
        )
    )
