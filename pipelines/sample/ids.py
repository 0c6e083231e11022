"""Deterministic random streams and vectorised identifier generation."""

import zlib

import numpy as np
import polars as pl

_HEX = np.frombuffer(b"0123456789abcdef", dtype=np.uint8)  # ASCII codes of the hex digits
_BLOCK_ROWS = 65_536


def rng_for(seed: int, component: str) -> np.random.Generator:
    """An independent stream per component, so changing one part keeps the others' draws."""
    return np.random.default_rng(np.random.SeedSequence([seed, zlib.crc32(component.encode())]))


def hex_ids(rng: np.random.Generator, n: int, width: int) -> np.ndarray:
    """`n` random lower-case hex strings of `width` characters (numpy unicode array)."""
    return _hex_bytes(rng, n, width).astype(f"U{width}")


def uuid_ids(rng: np.random.Generator, n: int) -> np.ndarray:
    """`n` random version-4 style UUID strings (numpy unicode array)."""
    return _uuid_bytes(rng, n).astype("U36")


def uuid_series(rng: np.random.Generator, n: int) -> pl.Series:
    """The strings `uuid_ids` draws, straight into polars (numpy unicode takes 4 bytes a character)."""
    return pl.Series(_uuid_bytes(rng, n)).cast(pl.String)


def _hex_bytes(rng: np.random.Generator, n: int, width: int) -> np.ndarray:
    return _hex_digits(rng, n, width).view(f"S{width}").ravel()


def _uuid_bytes(rng: np.random.Generator, n: int) -> np.ndarray:
    digits = _hex_digits(rng, n, 36)
    digits[:, [8, 13, 18, 23]] = ord("-")
    digits[:, 14] = ord("4")
    return digits.view("S36").ravel()


def _hex_digits(rng: np.random.Generator, n: int, width: int) -> np.ndarray:
    """(n, width) ASCII hex digits: values 0-15 drawn, then turned into their digits in place,
    a block of rows at a time, so no second array of the full size is needed."""
    digits = rng.integers(0, 16, size=(n, width), dtype=np.uint8)
    for start in range(0, n, _BLOCK_ROWS):
        block = digits[start:start + _BLOCK_ROWS]
        block[...] = _HEX[block]
    return digits


def unique_numbers(rng: np.random.Generator, low: int, high: int, n: int) -> np.ndarray:
    """`n` distinct integers from [low, high), in random order."""
    if high - low < n:
        raise ValueError(f"cannot draw {n} distinct numbers from a range of {high - low}")
    return low + rng.choice(high - low, size=n, replace=False)
