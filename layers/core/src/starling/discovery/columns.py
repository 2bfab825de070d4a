"""Search rows by column: how a segment of an owner's search rows is kept, stored and searched.

A million rows as a million Python objects take seconds to decode and rank; as columns they take
milliseconds. Numbers are numpy arrays; each text field is one UTF-8 byte string with an offset per row,
so a whole column is searched with one regular expression and only the rows of a page become `SearchRow`s.
Many-valued fields (niches, flags, search tokens) are written `\\x1fa\\x1fb\\x1f`, so a token is found
by its prefix `\\x1f<term>`; control characters never reach a row (`starling.shared.values.clean_text`).
Niches are also kept as numbers (places in the segment's vocabulary of niche keys), which fit and the
niche filter count without reading text.

A segment is stored as a small JSON header naming the columns, then their bytes, compressed with zlib.
"""

from __future__ import annotations

import json
import re
import struct
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from starling.discovery.model import SearchRow
from starling.discovery.terms import niche_key

SEP = b"\x1f"
_NUMBERS = ("followers", "engagement", "niche_count", "flag_count")
_CODES = ("ids", "platform", "country", "language")
TEXTS = ("handle", "name", "niches", "flags", "tokens")


def _gather(flat: np.ndarray, offsets: np.ndarray, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The runs `flat[offsets[r]:offsets[r + 1]]` of `rows`, end to end, and their new offsets."""
    starts = offsets[rows]
    lengths = offsets[rows + 1] - starts
    new_offsets = np.zeros(len(rows) + 1, dtype=np.int64)
    np.cumsum(lengths, out=new_offsets[1:])
    source = np.repeat(starts - new_offsets[:-1], lengths) + np.arange(new_offsets[-1], dtype=np.int64)
    return flat[source], new_offsets


@dataclass(frozen=True)
class Text:
    """One text field of every row: the rows' UTF-8 bytes end to end, and where each row starts."""

    data: bytes
    offsets: np.ndarray  # int64, one more than the rows

    @classmethod
    def of(cls, values: Sequence[bytes]) -> Text:
        lengths = np.fromiter((len(v) for v in values), dtype=np.int64, count=len(values))
        offsets = np.zeros(len(values) + 1, dtype=np.int64)
        np.cumsum(lengths, out=offsets[1:])
        return cls(b"".join(values), offsets)

    def __getitem__(self, i: int) -> bytes:
        return self.data[int(self.offsets[i]) : int(self.offsets[i + 1])]

    def rows_holding(self, pattern: bytes) -> np.ndarray:
        """The row of each place `pattern` (a regular expression) matches, in order; a row once per match."""
        starts = np.fromiter((m.start() for m in re.finditer(pattern, self.data)), dtype=np.int64)
        return np.searchsorted(self.offsets, starts, side="right") - 1

    def take(self, rows: np.ndarray) -> Text:
        data, offsets = _gather(np.frombuffer(self.data, dtype=np.uint8), self.offsets, rows)
        return Text(data.tobytes(), offsets)

    @classmethod
    def concat(cls, parts: Sequence[Text]) -> Text:
        shifted, base = [np.zeros(1, dtype=np.int64)], 0
        for part in parts:
            shifted.append(part.offsets[1:] + base)
            base += len(part.data)
        return cls(b"".join(p.data for p in parts), np.concatenate(shifted))


def _many(values: Sequence[str]) -> bytes:
    return SEP + SEP.join(v.encode() for v in values) + SEP if values else b""


def _split(raw: bytes) -> tuple[str, ...]:
    return tuple(v.decode() for v in raw.split(SEP)[1:-1])


@dataclass(frozen=True)
class SearchColumns:
    """Search rows by column (see the module's docstring); row i of every column is one creator."""

    ids: np.ndarray  # bytes, fixed width
    platform: np.ndarray
    country: np.ndarray  # b"" for none
    language: np.ndarray
    followers: np.ndarray  # int64
    engagement: np.ndarray  # float64
    niche_count: np.ndarray  # int64
    flag_count: np.ndarray  # int64
    handle: Text
    name: Text
    niches: Text
    flags: Text
    tokens: Text
    niche_vocabulary: tuple[str, ...]  # every niche_key of these rows, once
    niche_ids: np.ndarray  # int32: each row's niches as places in niche_vocabulary, niche_count per row

    def __len__(self) -> int:
        return len(self.followers)

    @classmethod
    def of(cls, rows: Sequence[SearchRow]) -> SearchColumns:
        def codes(values: list[str | None]) -> np.ndarray:
            return np.array([(v or "").encode() for v in values], dtype=np.bytes_).reshape(len(values))

        vocabulary: dict[str, int] = {}
        niche_ids = [vocabulary.setdefault(niche_key(n), len(vocabulary)) for r in rows for n in r.niches]
        return cls(
            ids=codes([r.creator_id for r in rows]),
            platform=codes([r.platform for r in rows]),
            country=codes([r.country for r in rows]),
            language=codes([r.language for r in rows]),
            followers=np.array([r.followers for r in rows], dtype=np.int64),
            engagement=np.array([r.engagement for r in rows], dtype=np.float64),
            niche_count=np.array([len(r.niches) for r in rows], dtype=np.int64),
            flag_count=np.array([len(r.flags) for r in rows], dtype=np.int64),
            handle=Text.of([r.handle.encode() for r in rows]),
            name=Text.of([r.name.encode() for r in rows]),
            niches=Text.of([_many(r.niches) for r in rows]),
            flags=Text.of([_many(r.flags) for r in rows]),
            tokens=Text.of([_many(r.tokens) for r in rows]),
            niche_vocabulary=tuple(vocabulary),
            niche_ids=np.array(niche_ids, dtype=np.int32),
        )

    def niche_offsets(self) -> np.ndarray:
        offsets = np.zeros(len(self) + 1, dtype=np.int64)
        np.cumsum(self.niche_count, out=offsets[1:])
        return offsets

    def row(self, i: int) -> SearchRow:
        return SearchRow(
            creator_id=self.ids[i].decode(),
            platform=self.platform[i].decode(),
            handle=self.handle[i].decode(),
            name=self.name[i].decode(),
            followers=int(self.followers[i]),
            engagement=float(self.engagement[i]),
            niches=_split(self.niches[i]),
            country=self.country[i].decode() or None,
            language=self.language[i].decode() or None,
            flags=_split(self.flags[i]),
            tokens=_split(self.tokens[i]),
        )

    def rows(self) -> list[SearchRow]:
        return [self.row(i) for i in range(len(self))]

    def take(self, rows: np.ndarray) -> SearchColumns:
        """These rows, in this order."""
        picked: dict[str, Any] = {name: getattr(self, name)[rows] for name in (*_CODES, *_NUMBERS)}
        picked.update({name: getattr(self, name).take(rows) for name in TEXTS})
        niche_ids, _ = _gather(self.niche_ids, self.niche_offsets(), rows)
        return SearchColumns(**picked, niche_vocabulary=self.niche_vocabulary, niche_ids=niche_ids)

    @classmethod
    def concat(cls, parts: Sequence[SearchColumns]) -> SearchColumns:
        if len(parts) == 1:
            return parts[0]
        if not parts:
            return cls.of([])
        joined: dict[str, Any] = {
            name: np.concatenate([getattr(p, name) for p in parts]) for name in (*_CODES, *_NUMBERS)
        }
        joined.update({name: Text.concat([getattr(p, name) for p in parts]) for name in TEXTS})
        vocabulary = tuple(dict.fromkeys(key for p in parts for key in p.niche_vocabulary))
        place = {key: i for i, key in enumerate(vocabulary)}
        renumbered = [
            np.array([place[key] for key in p.niche_vocabulary], dtype=np.int32)[p.niche_ids]
            if p.niche_vocabulary
            else p.niche_ids
            for p in parts
        ]
        return cls(**joined, niche_vocabulary=vocabulary, niche_ids=np.concatenate(renumbered))

    def id_hashes(self) -> np.ndarray:
        """A 64-bit hash of each row's creator id (FNV-1a over its bytes), to compare ids as numbers."""
        width = self.ids.dtype.itemsize
        matrix = np.ascontiguousarray(self.ids).view(np.uint8).reshape(len(self), width)
        hashes = np.full(len(self), 0xCBF29CE484222325, dtype=np.uint64)
        prime = np.uint64(0x100000001B3)
        for column in range(width):
            hashes ^= matrix[:, column].astype(np.uint64)
            hashes *= prime
        return hashes

    def latest(self) -> SearchColumns:
        """One row per creator: where a creator appears more than once, its last row (the newest)."""
        if len(self) < 2:
            return self
        newest_first = self.id_hashes()[::-1]
        _, first, inverse = np.unique(newest_first, return_index=True, return_inverse=True)
        if len(first) == len(self):
            return self
        kept_row = first[inverse]  # for each row, the newest row with its hash
        ids = self.ids[::-1]
        keep = (np.arange(len(self)) == kept_row) | (ids != ids[kept_row])  # a hash collision is kept
        return self.take(np.sort(len(self) - 1 - np.flatnonzero(keep)))

    def without(self, creator_ids: Sequence[str]) -> SearchColumns:
        gone = np.isin(self.ids, np.array([c.encode() for c in creator_ids], dtype=np.bytes_))
        return self.take(np.flatnonzero(~gone)) if gone.any() else self

    def holds(self, creator_id: str) -> bool:
        return bool(np.any(self.ids == creator_id.encode()))

    # --- storage -------------------------------------------------------------------------------------

    def encode(self) -> bytes:
        header: list[list[object]] = []
        blobs: list[bytes] = []
        for name in (*_CODES, *_NUMBERS, "niche_ids"):
            array = np.ascontiguousarray(getattr(self, name))
            header.append([name, array.dtype.str, len(array)])
            blobs.append(array.tobytes())
        for name in TEXTS:
            text: Text = getattr(self, name)
            header.append([name, "text", len(text.data)])
            blobs += [text.offsets.astype("<i8").tobytes(), text.data]
        head = json.dumps(
            {"rows": len(self), "columns": header, "niche_vocabulary": self.niche_vocabulary}
        ).encode()
        return zlib.compress(struct.pack("<I", len(head)) + head + b"".join(blobs), 1)

    @classmethod
    def decode(cls, blob: bytes) -> SearchColumns:
        raw = memoryview(zlib.decompress(blob))
        (head_length,) = struct.unpack_from("<I", raw)
        head = json.loads(bytes(raw[4 : 4 + head_length]))
        rows, at = int(head["rows"]), 4 + head_length
        found: dict[str, object] = {}
        for name, dtype, count in head["columns"]:
            if dtype == "text":
                offsets = np.frombuffer(raw, dtype="<i8", count=rows + 1, offset=at).astype(np.int64)
                at += 8 * (rows + 1)
                found[name] = Text(bytes(raw[at : at + count]), offsets)
                at += count
            else:
                array = np.frombuffer(raw, dtype=np.dtype(dtype), count=count, offset=at)
                found[name] = array
                at += array.nbytes
        return cls(**found, niche_vocabulary=tuple(head["niche_vocabulary"]))  # type: ignore[arg-type]
