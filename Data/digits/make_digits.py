#!/usr/bin/env python3
"""Regenerate digits.bin from scikit-learn's copy of the UCI handwritten digits.

Kept for provenance only: the Swift package and its tests read digits.bin and
never need Python. The byte layout is described in LICENSE.md next to this file.

    pip install scikit-learn
    python3 Data/digits/make_digits.py            # writes Data/digits/digits.bin
"""
import pathlib
import struct
import sys
import zlib

import numpy as np
from sklearn.datasets import load_digits

MAGIC = b"MCTD"
VERSION = 1
BITS_PER_FEATURE = 8  # grey levels run 0..16, one too many for a nibble


def main() -> None:
    out = pathlib.Path(sys.argv[1]) if len(sys.argv) > 1 else pathlib.Path(__file__).with_name("digits.bin")
    digits = load_digits()
    pixels = digits.data.astype(np.int64)
    labels = digits.target.astype(np.int64)
    # Refuse to write anything the float -> byte conversion could have distorted.
    assert np.array_equal(pixels, digits.data), "pixels are not whole numbers"
    assert pixels.min() >= 0 and pixels.max() <= 16, "pixel outside 0..16"
    assert labels.min() >= 0 and labels.max() <= 9, "label outside 0..9"

    count, features = pixels.shape
    records = np.concatenate([pixels, labels[:, None]], axis=1).astype(np.uint8)
    payload = records.tobytes()
    header = MAGIC + struct.pack(
        "<7I", VERSION, count, features, 10, int(pixels.max()), BITS_PER_FEATURE, zlib.crc32(payload)
    )
    out.write_bytes(header + payload)
    print(f"wrote {out}: {count} samples, {len(header) + len(payload)} bytes, "
          f"class counts {np.bincount(labels).tolist()}")


if __name__ == "__main__":
    main()
