"""What the simulated people write: Indonesian titles, details, answers and names.

Small pools, picked at random; the point is realistic sizes and topics per unit,
not prose. A complaint's topic follows the unit it really belongs to.
"""

from __future__ import annotations

from functools import cache

from lapor_domain import UnitKind

TOPICS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "health": (
        (
            "Antrean panjang di puskesmas",
            "Obat kosong di apotek rumah sakit",
            "Petugas IGD tidak ramah",
            "Klaim BPJS pasien ditolak",
            "Ambulans datang terlambat",
        ),
        (
            "Pasien menunggu lebih dari empat jam, petugas pendaftaran hanya satu orang.",
            "Sudah tiga kali datang, obat yang diresepkan selalu dibilang habis.",
            "Keluarga pasien dibentak petugas saat menanyakan kamar rawat inap.",
        ),
    ),
    "roads": (
        (
            "Jalan berlubang membahayakan pengendara",
            "Drainase tersumbat, jalan tergenang",
            "Lampu penerangan jalan mati",
            "Trotoar rusak dan dipakai parkir",
            "Jembatan kecil retak",
        ),
        (
            "Lubang besar di tengah jalan sudah dua minggu, sudah ada pengendara motor yang jatuh.",
            "Setiap hujan air menggenang setinggi lutut karena saluran tidak pernah dibersihkan.",
            "Sepanjang blok ini gelap pada malam hari, warga khawatir keamanan.",
        ),
    ),
    "environment": (
        (
            "Sampah menumpuk tidak diangkut",
            "Bau limbah dari pabrik",
            "Pembakaran sampah di lahan kosong",
            "TPS liar di pinggir sungai",
            "Pohon tumbang belum dibersihkan",
        ),
        (
            "Sampah di TPS sudah seminggu tidak diangkut, baunya sampai ke rumah warga.",
            "Setiap malam tercium bau menyengat dan air selokan berwarna hitam.",
            "Asap pembakaran masuk ke rumah, anak-anak batuk-batuk.",
        ),
    ),
    "registry": (
        (
            "Pelayanan KTP elektronik lambat",
            "Blangko KTP kosong",
            "Akta kelahiran belum jadi",
            "Antrean Disdukcapil online tidak bisa diakses",
            "Kartu keluarga salah cetak",
        ),
        (
            "Rekam KTP sudah empat bulan, setiap ditanya jawabannya blangko belum ada.",
            "Pengajuan akta kelahiran anak sudah lebih dari sebulan tanpa kabar.",
            "Aplikasi antrean selalu gagal saat memilih jadwal.",
        ),
    ),
    "transport": (
        (
            "Parkir liar di badan jalan",
            "Lampu lalu lintas mati",
            "Angkot ngetem sembarangan",
            "Juru parkir meminta tarif berlebih",
            "Rambu lalu lintas hilang",
        ),
        (
            "Kendaraan parkir di dua sisi jalan sehingga macet setiap sore.",
            "Lampu merah di perempatan mati sejak kemarin, hampir terjadi tabrakan.",
            "Tarif parkir ditarik lima ribu rupiah padahal aturannya dua ribu.",
        ),
    ),
    "education": (
        (
            "Pungutan liar saat PPDB",
            "Sekolah meminta uang seragam mahal",
            "Guru jarang masuk kelas",
            "Zonasi PPDB tidak sesuai alamat",
            "Bantuan PIP tidak diterima siswa",
        ),
        (
            "Orang tua diminta membayar sumbangan agar anaknya diterima.",
            "Harga seragam dari sekolah dua kali lipat harga pasar dan wajib dibeli.",
            "Anak kami ditolak padahal rumah hanya 300 meter dari sekolah.",
        ),
    ),
    "water": (
        (
            "Air PDAM mati berhari-hari",
            "Air PDAM keruh",
            "Tagihan air melonjak",
            "Pipa bocor di jalan",
            "Meteran air rusak",
        ),
        (
            "Sudah tiga hari air tidak mengalir tanpa pemberitahuan.",
            "Air yang keluar berwarna cokelat dan berbau.",
            "Tagihan bulan ini tiga kali lipat padahal pemakaian biasa saja.",
        ),
    ),
    "order": (
        (
            "Pedagang kaki lima menutup trotoar",
            "Bangunan liar di sempadan sungai",
            "Tempat hiburan buka melewati jam",
            "Reklame liar di taman kota",
            "Balap liar setiap malam",
        ),
        (
            "Pejalan kaki terpaksa berjalan di badan jalan.",
            "Warga terganggu suara musik sampai dini hari.",
            "Sudah dilaporkan ke kelurahan tetapi belum ada penertiban.",
        ),
    ),
    "social": (
        (
            "Bansos tidak tepat sasaran",
            "Nama hilang dari DTKS",
            "Lansia terlantar",
            "Bantuan PKH terlambat cair",
            "Anak jalanan di perempatan",
        ),
        (
            "Tetangga yang mampu menerima bantuan, keluarga kami yang miskin tidak.",
            "Nama kami tiba-tiba tidak ada di data penerima bantuan.",
            "Seorang lansia tinggal sendiri tanpa perawatan.",
        ),
    ),
    "local": (
        (
            "Surat pengantar dipersulit",
            "Pungutan saat mengurus surat di kelurahan",
            "Kantor kelurahan tutup",
            "Posyandu tidak berjalan",
            "Ketua RT meminta uang",
        ),
        (
            "Mengurus surat pengantar harus bolak-balik tiga kali.",
            "Petugas meminta uang tanpa kuitansi untuk surat keterangan domisili.",
            "Pada jam kerja kantor kosong, tidak ada petugas.",
        ),
    ),
    "general": (
        (
            "Pelayanan kantor dinas lambat",
            "Petugas tidak ada di tempat",
            "Informasi layanan tidak jelas",
            "Perizinan usaha berbelit",
            "Website dinas tidak bisa diakses",
        ),
        (
            "Sudah menunggu sejak pagi dan tidak ada kejelasan.",
            "Persyaratan di website berbeda dengan yang diminta petugas.",
            "Mohon perbaikan pelayanan.",
        ),
    ),
}

_TOPIC_OF_CODE: dict[str, str] = {
    "dinkes": "health",
    "dputr": "roads",
    "dbmpr": "roads",
    "dprkp": "roads",
    "dpkpp": "roads",
    "dsda": "roads",
    "dlh": "environment",
    "disdukcapil": "registry",
    "dishub": "transport",
    "disdik": "education",
    "satpol-pp": "order",
    "dinsos": "social",
    "bpbd": "order",
}
_TOPIC_OF_KIND: dict[UnitKind, str] = {
    UnitKind.RSUD: "health",
    UnitKind.PUSKESMAS: "health",
    UnitKind.SEKOLAH: "education",
    UnitKind.KECAMATAN: "local",
    UnitKind.KELURAHAN: "local",
}


def topic_of(code: str, kind: UnitKind) -> str:
    if code.startswith("pdam"):
        return "water"
    return _TOPIC_OF_CODE.get(code) or _TOPIC_OF_KIND.get(kind, "general")


PLACES = (
    "Jl. Kesambi",
    "Jl. Pemuda",
    "Jl. Siliwangi",
    "Jl. Kartini",
    "Jl. Cipto Mangunkusumo",
    "Jl. Tuparev",
    "Jl. Pekiringan",
    "Jl. Lemahwungkuk",
    "Jl. Pulasaren",
    "Jl. Evakuasi",
    "Jl. Kalijaga",
    "Jl. Perjuangan",
    "Jl. Ampera",
    "Jl. Sisingamangaraja",
    "Jl. Kanggraksan",
)

RESPONSES = (
    "Terima kasih atas laporannya. Tim kami sudah turun ke lokasi dan perbaikan dijadwalkan minggu depan.",
    "Laporan sudah kami terima dan diteruskan ke bidang teknis; petugas akan menghubungi pelapor.",
    "Sudah kami tindak lanjuti. Mohon konfirmasi apabila masalah masih terjadi.",
    "Petugas telah melakukan pengecekan dan permasalahan sudah diselesaikan.",
    "Kami mohon maaf atas ketidaknyamanannya; prosedur pelayanan sudah kami evaluasi.",
)
REPLIES = (
    "Sampai hari ini belum ada perubahan di lokasi.",
    "Terima kasih, tetapi masalahnya belum selesai sepenuhnya.",
    "Petugas belum menghubungi saya seperti yang dijanjikan.",
    "Mohon kejelasan kapan perbaikan dilakukan.",
)
UNIT_RETURNS = (
    "Bukan kewenangan unit kami; mohon diteruskan ke dinas terkait.",
    "Lokasi di luar wilayah kerja kami.",
    "Substansi laporan menjadi tugas perangkat daerah lain.",
)
ADMIN_RETURNS = (
    "Bukan kewenangan Pemerintah Daerah ini; lokasi berada di wilayah lain.",
    "Objek laporan merupakan kewenangan pemerintah provinsi/kabupaten.",
    "Bukan kewenangan kami; mohon didisposisikan ke instansi yang berwenang.",
)
NOTES = (
    "",
    "",
    "",
    "Mohon ditindaklanjuti sesuai kewenangan.",
    "Prioritas: menyangkut keselamatan warga.",
    "Laporan berulang dari wilayah yang sama.",
)
ARCHIVE_NOTES = (
    "",
    "",
    "Data dukung tidak dilampirkan.",
    "Sama dengan laporan sebelumnya.",
    "Bukan pelayanan publik.",
    "Pelapor tidak dapat dihubungi untuk melengkapi.",
)

FIRST_NAMES = (
    "Siti",
    "Agus",
    "Dewi",
    "Budi",
    "Sri",
    "Eko",
    "Rina",
    "Dodi",
    "Ayu",
    "Joko",
    "Nur",
    "Wahyu",
    "Lestari",
    "Hendra",
    "Yuni",
    "Asep",
    "Ratna",
    "Iwan",
    "Fitri",
    "Dedi",
    "Intan",
    "Rudi",
    "Maya",
    "Ujang",
    "Euis",
    "Teguh",
    "Indah",
    "Bambang",
    "Nining",
    "Cecep",
)
LAST_NAMES = (
    "Aminah",
    "Santoso",
    "Lestari",
    "Hidayat",
    "Rahayu",
    "Saputra",
    "Kurniawan",
    "Wati",
    "Suryadi",
    "Setiawan",
    "Permana",
    "Nurhayati",
    "Gunawan",
    "Susanti",
    "Firmansyah",
    "Maulana",
    "Handayani",
    "Pratama",
    "Sulistyo",
    "Wijaya",
)


def writings(code: str, kind: UnitKind) -> tuple[tuple[str, str], ...]:
    """Every (title, description) a reporter may write about this unit's topic."""
    return _writings(topic_of(code, kind))


@cache
def _writings(topic: str) -> tuple[tuple[str, str], ...]:
    titles, details = TOPICS[topic]
    return tuple(
        (f"{title} di {place}", f"{detail} Lokasi: {place}, {title.lower()}.")
        for title in titles
        for detail in details
        for place in PLACES
    )
