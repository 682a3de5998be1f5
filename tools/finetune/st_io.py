"""Minimal safetensors reader/writer (numpy only; the `safetensors` package is not available).

Layout: u64 little-endian header length N, N bytes of JSON header, then the raw tensor bytes.
Offsets in the header are relative to the end of the header.
"""
import json
import os
import struct
from collections import OrderedDict

import numpy as np

_DTYPES = {"F16": np.float16, "F32": np.float32, "BF16": None}


def read_safetensors(path):
    """Return (OrderedDict name -> np.ndarray in file order, metadata dict)."""
    with open(path, "rb") as f:
        raw = f.read()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8 : 8 + n].decode("utf-8"))
    meta = header.pop("__metadata__", {}) or {}
    base = 8 + n
    # JSON objects keep insertion order; sort by offset anyway so "file order" is well defined.
    items = sorted(header.items(), key=lambda kv: kv[1]["data_offsets"][0])
    out = OrderedDict()
    for name, info in items:
        dt = _DTYPES.get(info["dtype"])
        if dt is None:
            raise ValueError(f"{path}: unsupported dtype {info['dtype']} for {name}")
        b, e = info["data_offsets"]
        arr = np.frombuffer(raw, dtype=np.dtype(dt).newbyteorder("<"), count=(e - b) // np.dtype(dt).itemsize, offset=base + b)
        out[name] = arr.reshape(info["shape"]).copy()
    return out, meta


def encode_safetensors(tensors, metadata=None):
    """Serialise an ordered mapping name -> np.ndarray as fp16 safetensors bytes."""
    header = OrderedDict()
    if metadata:
        header["__metadata__"] = {str(k): str(v) for k, v in metadata.items()}
    chunks = []
    offset = 0
    for name, arr in tensors.items():
        a = np.ascontiguousarray(np.asarray(arr, dtype=np.float16)).astype("<f2", copy=False)
        data = a.tobytes()
        header[name] = {"dtype": "F16", "shape": list(a.shape), "data_offsets": [offset, offset + len(data)]}
        chunks.append(data)
        offset += len(data)
    hbytes = json.dumps(header, separators=(",", ":")).encode("utf-8")
    hbytes += b" " * ((-(8 + len(hbytes))) % 8)  # data start aligned to 8 bytes
    return struct.pack("<Q", len(hbytes)) + hbytes + b"".join(chunks)


def atomic_write_bytes(path, data):
    """Write to a temp file in the same folder and rename, so `path` never holds a partial file."""
    tmp = f"{path}.tmp-{os.getpid()}"
    with open(tmp, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)
