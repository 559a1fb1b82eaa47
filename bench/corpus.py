"""Complaint texts the benchmarks file: realistic sizes, so stored events weigh what real ones do."""

TITLES = (
    "Jalan berlubang di Jl. Kesambi",
    "Lampu penerangan jalan mati di Jl. Pemuda",
    "Antrean panjang di Puskesmas Kejaksan",
    "Sampah menumpuk di pasar Pagi",
    "Pelayanan KTP elektronik lambat",
)
DESCRIPTIONS = (
    "Lubang besar di depan pasar, sudah dua minggu tidak diperbaiki dan membahayakan pengendara motor.",
    "Sejak awal bulan lampu jalan mati di sepanjang blok ini, warga khawatir keamanan pada malam hari. "
    "Mohon segera ditindaklanjuti oleh dinas terkait.",
    "Pasien harus menunggu lebih dari empat jam untuk pemeriksaan umum. "
    "Petugas pendaftaran hanya satu orang.",
)
