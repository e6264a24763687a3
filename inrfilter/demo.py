"""``inrfilter demo``: the first run.  Compresses a photograph and a 3-D physics field
(method :data:`METHOD`, settings :data:`SETTINGS`), puts inrfilter beside zstd (lossless)
and, when hdf5plugin is installed, SZ3 and SPERR at the same ratio, times each, and
draws a picture (matplotlib, optional).

The data:

- ``ascent`` (PyWavelets ships it): the 512x512 photograph halved to 256x256, in four
  128x128 chunks trained as one batch;
- a turbulence-like field, 16x64x64 float32 in four 16x32x32 chunks (as many points as
  the photo's, so each costs about half the training time).  No package that
  inrfilter depends on ships a 3-D scientific volume (scikit-image's ``cells3d`` and
  scipy's datasets download theirs), so the field is synthesised, deterministically: a
  Gaussian random field with a Kolmogorov k^(-5/3) energy spectrum (seed 0), the shape
  of the velocity components our turbulence users store.

What the demo trains is two constants, :data:`METHOD` and :data:`SETTINGS`, meant to be
what a user gets by default; until the library has an effort preset that fits a CPU,
SETTINGS holds 300 steps instead of the default 2000 (7-13 minutes on 2 cores).
"""

from __future__ import annotations

import io
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import numpy as np

from . import decode, decode_region, encode_batch, sample
from .fidelity import max_abs_error, psnr

#: the method the demo trains (the best one for a CPU)
METHOD = "siren"
#: encoder settings beyond the target ({} is the library's defaults, what users get).
#: The library's 2000 steps of siren would take 7-13 minutes on 2 CPU cores (extrapolated
#: from 300 steps: 118 s of CPU), so the demo trains 300; a CPU effort preset replaces this.
SETTINGS: dict[str, Any] = {"steps": 300}
#: the size target of every dataset
RATIO = 16
#: the fast mode's settings (the test): correctness of the pipeline, not quality
FAST_SETTINGS: dict[str, Any] = {"steps": 15}


@dataclass
class Row:
    data: str
    codec: str
    ratio: float
    psnr_db: float
    max_abs_error: float
    encode_s: float
    decode_s: float
    note: str = ""


@dataclass
class Dataset:
    name: str
    array: np.ndarray
    chunks: tuple[int, ...]


def ascent_photo() -> Dataset:
    import pywt.data

    return Dataset("ascent photo 256x256 uint8", np.ascontiguousarray(pywt.data.ascent()[::2, ::2]), (128, 128))


def turbulence_field(shape: tuple[int, ...] = (16, 64, 64), seed: int = 0) -> np.ndarray:
    """A deterministic Gaussian random field with a k^(-5/3) energy spectrum, float32,
    scaled to unit standard deviation."""
    rng = np.random.default_rng(seed)
    k = np.sqrt(sum(g**2 for g in np.meshgrid(*[np.fft.fftfreq(n) * n for n in shape], indexing="ij")))
    k[(0,) * len(shape)] = 1.0
    # energy E(k) ~ k^(-5/3) spread over a shell of area ~ k^(ndim-1): amplitude ~ sqrt(E / k^(ndim-1))
    amplitude = k ** (-(5 / 3 + len(shape) - 1) / 2)
    amplitude[(0,) * len(shape)] = 0.0
    field = np.fft.ifftn(amplitude * np.exp(2j * np.pi * rng.random(shape))).real
    return (field / field.std()).astype(np.float32)


def field_volume() -> Dataset:
    return Dataset("turbulence-like field 16x64x64 float32 (synthetic)", turbulence_field(), (16, 32, 32))


def _split(array: np.ndarray, chunks: tuple[int, ...]) -> list[tuple[tuple[slice, ...], np.ndarray]]:
    grid = np.ndindex(*[n // c for n, c in zip(array.shape, chunks)])
    out = []
    for index in grid:
        where = tuple(slice(i * c, (i + 1) * c) for i, c in zip(index, chunks))
        out.append((where, array[where]))
    return out


def _row(data: Dataset, codec: str, nbytes: int, decoded: np.ndarray, t_enc: float, t_dec: float,
         note: str = "") -> Row:
    a, d = data.array.astype(np.float64), decoded.astype(np.float64)
    finite = np.isfinite(a)
    return Row(data.name, codec, data.array.nbytes / nbytes, psnr(a, d, finite), max_abs_error(a, d, finite),
               t_enc, t_dec, note)


def run_inrfilter(data: Dataset, settings: dict[str, Any]) -> tuple[Row, list[bytes], np.ndarray]:
    pieces = _split(data.array, data.chunks)
    t0 = time.perf_counter()
    blobs = encode_batch([p for _, p in pieces], METHOD, ratio=RATIO, progress=False, **settings)
    t1 = time.perf_counter()
    decoded = np.empty_like(data.array)
    for (where, _), blob in zip(pieces, blobs):
        decoded[where] = decode(blob)
    t2 = time.perf_counter()
    label = f"inrfilter {METHOD}" + "".join(f" {k}={v}" for k, v in settings.items() if k != "device")
    return _row(data, label, sum(map(len, blobs)), decoded, t1 - t0, t2 - t1), blobs, decoded


def run_zstd(data: Dataset) -> Row:
    import zstandard

    raw = data.array.tobytes()
    t0 = time.perf_counter()
    packed = zstandard.ZstdCompressor(level=19).compress(raw)
    t1 = time.perf_counter()
    back = np.frombuffer(zstandard.ZstdDecompressor().decompress(packed, max_output_size=len(raw)), data.array.dtype)
    t2 = time.perf_counter()
    return _row(data, "zstd -19 (lossless)", len(packed), back.reshape(data.array.shape), t1 - t0, t2 - t1)


def _through_hdf5(data: Dataset, filter_kwargs: dict) -> tuple[int, np.ndarray, float, float]:
    """(stored bytes, decoded, encode s, decode s) of the array written through h5py with
    an hdf5plugin filter; integer data goes in as float32, as a user would hand it over."""
    import h5py

    array = data.array if data.array.dtype.kind == "f" else data.array.astype(np.float32)
    buffer = io.BytesIO()
    with h5py.File(buffer, "w") as f:
        t0 = time.perf_counter()
        ds = f.create_dataset("x", data=array, chunks=data.chunks, **filter_kwargs)
        f.flush()
        t1 = time.perf_counter()
        stored = ds.id.get_storage_size()
    with h5py.File(buffer, "r") as f:  # reopened: the same handle would return cached raw chunks
        t2 = time.perf_counter()
        decoded = f["x"][()]
        t3 = time.perf_counter()
    return stored, decoded, t1 - t0, t3 - t2


def _peer_at_ratio(data: Dataset, codec: str, make: Callable[[float], dict], param: str, lo: float, hi: float,
                   ratio: float) -> Row:
    """The peer at the best quality whose ratio still reaches ``ratio``: bisection, in
    log scale, over its parameter (error bound or bit rate) between ``lo`` (the
    high-quality end) and ``hi``."""
    best = None
    elapsed = time.perf_counter()
    for _ in range(14):
        mid = float(np.sqrt(lo * hi))
        stored, decoded, t_enc, t_dec = _through_hdf5(data, make(mid))
        if data.array.nbytes / stored >= ratio:
            best, hi = (mid, stored, decoded, t_enc, t_dec), mid
        else:
            lo = mid
    if best is None:
        return Row(data.name, codec, float("nan"), float("nan"), float("nan"), 0.0, 0.0, "does not reach the ratio")
    mid, stored, decoded, t_enc, t_dec = best
    note = f"{param}={mid:.3g} (found in {time.perf_counter() - elapsed:.1f} s)"
    return _row(data, codec, stored, decoded, t_enc, t_dec, note)


def run_peers(data: Dataset, ratio: float) -> list[Row]:
    """SZ3 (absolute bound) and SPERR (bit rate) at the ratio inrfilter reached."""
    import hdf5plugin

    span = float(np.ptp(data.array.astype(np.float64))) or 1.0
    bits = 8 * data.array.dtype.itemsize
    return [
        _peer_at_ratio(data, "SZ3 (hdf5plugin)", lambda e: dict(hdf5plugin.SZ3(absolute=e)), "abs",
                       1e-6 * span, span, ratio),
        _peer_at_ratio(data, "SPERR (hdf5plugin)", lambda r: dict(hdf5plugin.Sperr(rate=r)), "rate",
                       float(bits), 0.01, ratio),
    ]


def format_table(rows: list[Row]) -> str:
    lines = ["| data | codec | ratio | PSNR dB | max abs error | encode s | decode s | note |",
             "|---|---|---|---|---|---|---|---|"]
    for r in rows:
        lines.append(f"| {r.data} | {r.codec} | {r.ratio:.1f} | {r.psnr_db:.2f} | {r.max_abs_error:.4g} | "
                     f"{r.encode_s:.2f} | {r.decode_s:.3f} | {r.note} |")
    return "\n".join(lines)


def _zoom_panels(blob: bytes, original: np.ndarray, fixed: tuple[int, ...], y0: int, x0: int, size: int):
    """(original zoom, decode_region zoom, sample()d zoom at 4x) of a size x size window
    at (y0, x0) of the last two axes of one chunk, the leading axes held at ``fixed``."""
    window = (*fixed, slice(y0, y0 + size), slice(x0, x0 + size))
    ys, xs = np.meshgrid(np.linspace(y0, y0 + size - 1, 4 * size), np.linspace(x0, x0 + size - 1, 4 * size),
                         indexing="ij")
    coords = np.stack([*(np.full_like(ys, f) for f in fixed), ys, xs], axis=-1)
    return original[window], decode_region(blob, window), sample(blob, coords)


def picture(path: Path, photo: Dataset, photo_blobs: list[bytes], photo_decoded: np.ndarray,
            field: Dataset, field_blobs: list[bytes], field_decoded: np.ndarray) -> Path:
    """Original, decoded and |error| of both datasets (the field: its middle slice), and a
    zoom into the first chunk: original, read with ``decode_region``, and ``sample``d at
    4x the resolution (the network is continuous)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.patches import Rectangle

    mid, size = field.array.shape[0] // 2, 24
    rows = [
        ("photo", photo.array, photo_decoded, "gray", (60, 40, 32),
         _zoom_panels(photo_blobs[0], photo.array, (), 60, 40, 32)),
        (f"field, slice {mid}", field.array[mid], field_decoded[mid], "RdBu_r", (4, 4, size),
         _zoom_panels(field_blobs[0], field.array, (mid,), 4, 4, size)),
    ]
    fig, axes = plt.subplots(2, 6, figsize=(19, 6.8))
    for ax_row, (name, original, decoded, cmap, (y0, x0, n), zooms) in zip(axes, rows):
        lo, hi = float(np.min(original)), float(np.max(original))
        error = np.abs(decoded.astype(np.float64) - original)
        panels = [(f"{name}: original", original, cmap), (f"decoded, ratio {RATIO}", decoded, cmap),
                  ("|error|", error, "magma"), ("zoom: original", zooms[0], cmap),
                  ("zoom: decode_region", zooms[1], cmap), ("zoom: sample() at 4x", zooms[2], cmap)]
        for ax, (title, image, cm) in zip(ax_row, panels):
            ax.set_axis_off()
            ax.set_title(title, fontsize=10)
            limits = {} if cm == "magma" else {"vmin": lo, "vmax": hi}
            shown = ax.imshow(image, cmap=cm, interpolation="nearest", **limits)
            if cm == "magma":
                fig.colorbar(shown, ax=ax, fraction=0.046)
        ax_row[0].add_patch(Rectangle((x0 - 0.5, y0 - 0.5), n, n, fill=False, edgecolor="yellow", linewidth=1.5))
    fig.suptitle(f"inrfilter demo: method {METHOD}, ratio {RATIO}"
                 + "".join(f", {k}={v}" for k, v in SETTINGS.items()))
    fig.tight_layout()
    fig.savefig(path, dpi=72)
    plt.close(fig)
    return path


def run(out_dir: str | os.PathLike = ".", fast: bool = False, peers: bool = True, png: bool = True,
        device: str = "auto", echo: Callable[[str], None] = print) -> dict[str, Any]:
    """Run the demo; returns {"rows", "table", "png", "wall_s", "cpu_s"}."""
    wall0, cpu0 = time.perf_counter(), time.process_time()
    settings = {**(FAST_SETTINGS if fast else SETTINGS), "device": device}
    rows: list[Row] = []
    results = {}
    try:
        import hdf5plugin  # noqa: F401
        have_peers = peers
    except ImportError:
        have_peers = False
        if peers:
            echo("hdf5plugin is not installed: SZ3 and SPERR are left out (pip install hdf5plugin)")
    for data in (ascent_photo(), field_volume()):
        echo(f"{data.name}: {len(_split(data.array, data.chunks))} chunks of {data.chunks}, method {METHOD}, "
             f"ratio {RATIO}, settings {settings or 'the defaults'} ...")
        row, blobs, decoded = run_inrfilter(data, settings)
        rows.append(row)
        rows.append(run_zstd(data))
        if have_peers:
            rows.extend(run_peers(data, row.ratio))
        results[data.name] = (data, blobs, decoded)
    table = format_table(rows)
    echo(table)
    path = None
    if png:
        try:
            import matplotlib  # noqa: F401
        except ImportError:
            echo("matplotlib is not installed: no picture (pip install matplotlib)")
        else:
            (photo, photo_blobs, photo_dec), (field, field_blobs, field_dec) = results.values()
            path = picture(Path(out_dir) / "inrfilter-demo.png", photo, photo_blobs, photo_dec, field, field_blobs,
                           field_dec)
            echo(f"picture: {path.resolve()}")
    wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
    echo(f"demo took {wall:.0f} s wall, {cpu:.0f} s CPU in this process ({os.cpu_count()} CPUs seen)")
    return {"rows": rows, "table": table, "png": path, "wall_s": wall, "cpu_s": cpu}
