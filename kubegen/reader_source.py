"""The text of one input, decoded as libyaml asks for it: memory follows the largest
document, not the file.

:class:`TextSource` is the stream libyaml reads (its ``read``). It decodes the bytes
of a :class:`kubegen.safefs.LimitedReader` chunk by chunk (UTF-8, or UTF-16 with a
BOM, as kubectl does), reports binary or undecodable input with the offset and
line of the first bad byte (:class:`BadText`), and keeps only the text the reader
has not released yet, so a document's own text can still be sliced out for line
lookups (:meth:`TextSource.text`) while earlier documents are gone.
"""

from __future__ import annotations

import codecs
from typing import Any

from kubegen.safefs import CHUNK, LimitedReader


class BadText(Exception):
    """Input that is not text: ``line`` (1-based) of the first bad byte and the message."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


class TextSource:
    """Decoded text of ``raw`` (or of ``text`` when it is already a string)."""

    __slots__ = ("_raw", "_decoder", "_buf", "_base", "_handed", "_keep", "_base_line", "_consumed",
                 "_newlines", "_utf16", "_done")

    def __init__(self, raw: LimitedReader | None = None, text: str | None = None) -> None:
        self._raw = raw
        self._decoder: Any = None
        self._buf = text or ""  # text from char index _base on, not yet released
        self._base = 0
        self._handed = 0  # chars handed to libyaml so far
        self._keep = 0  # text before this index was released (dropped with the next chunk)
        self._base_line = 0  # lines before _base
        self._consumed = 0  # bytes decoded so far
        self._newlines = 0  # b"\n" in those bytes
        self._utf16 = False
        self._done = raw is None

    # --- what libyaml calls ----------------------------------------------------------

    def read(self, size: int) -> str:
        """The next piece of text (libyaml's input handler; ``""`` at the end)."""
        while self._handed == self._base + len(self._buf) and not self._done:
            self._compact()
            self._buf += self._decode_next()  # "" for a chunk of half a character: read on
        piece = self._buf[self._handed - self._base:]
        self._handed += len(piece)
        return piece

    # --- what the reader calls ---------------------------------------------------------

    def peek(self, chars: int) -> str:
        """At least ``chars`` characters of the start (fewer at the end), without
        handing them to libyaml yet."""
        while not self._done and len(self._buf) < chars:
            self._buf += self._decode_next()
        return self._buf[:chars]

    def read_all(self) -> str:
        """The whole text (for input that must be read whole, such as a JSON stream)."""
        while not self._done:
            self._buf += self._decode_next()
        return self._buf

    def text(self, start: int, end: int) -> str:
        """Characters ``start`` to ``end`` (indexes in the whole input), from the line
        ``start`` is on; never before what was released."""
        buf, base = self._buf, self._base
        line_start = buf.rfind("\n", 0, max(start - base, 0)) + 1
        return buf[line_start:end - base]

    def line_start(self, start: int) -> int:
        """Index (in the whole input) of the start of the line ``start`` is on."""
        return self._base + self._buf.rfind("\n", 0, max(start - self._base, 0)) + 1

    def line_at(self, index: int) -> str:
        """The line that index ``index`` is on ("" if it was released)."""
        at = index - self._base
        if at < 0 or at > len(self._buf):
            return ""
        start = self._buf.rfind("\n", 0, at) + 1
        end = self._buf.find("\n", at)
        return self._buf[start:end if end >= 0 else None]

    def line_number(self, index: int) -> int:
        """The 1-based line of index ``index`` (0 if it was released)."""
        at = index - self._base
        if at < 0:
            return 0
        return self._base_line + self._buf.count("\n", 0, at) + 1

    def release(self, upto: int) -> None:
        """Forget the text before index ``upto`` (documents already read); it is dropped
        when the next chunk comes in (so once per chunk, not once per document)."""
        self._keep = max(self._keep, upto)

    def _compact(self) -> None:
        drop = self._keep - self._base
        if drop > 0:
            self._base_line += self._buf.count("\n", 0, drop)
            self._buf = self._buf[drop:]
            self._base = self._keep

    # --- decoding --------------------------------------------------------------------

    def _decode_next(self) -> str:
        assert self._raw is not None
        data = self._raw.read(CHUNK)
        if self._decoder is None:
            self._start(data)
        final = not data
        if final:
            self._done = True
        if not self._utf16:
            nul = data.find(b"\0")
            if nul >= 0:
                self._bad_byte(data, nul, f"this is binary data, not YAML (a NUL byte at offset "
                               f"{self._consumed + nul}); pass Kubernetes manifests written as YAML or JSON text")
        try:
            text: str = self._decoder.decode(data, final)
        except UnicodeDecodeError as exc:
            if self._utf16:
                raise BadText(0, "not valid UTF-16 text; kubectl reads UTF-8 (or UTF-16 with a BOM): "
                              "re-save the file as UTF-8") from None
            pending = len(exc.object) - len(data)  # bytes the decoder held back from the last chunk
            offset = self._consumed - pending + exc.start
            bad = exc.object[exc.start]
            self._bad_byte(exc.object, exc.start, f"not UTF-8 text (byte 0x{bad:02x} at offset {offset} "
                           "cannot be decoded); kubectl reads UTF-8: re-save the file as UTF-8")
        self._consumed += len(data)
        self._newlines += data.count(b"\n")
        return text

    def _start(self, data: bytes) -> None:
        if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
            self._utf16 = True
            self._decoder = codecs.getincrementaldecoder("utf-16")()
        else:
            self._decoder = codecs.getincrementaldecoder("utf-8-sig")()

    def _bad_byte(self, data: bytes, index: int, message: str) -> None:
        # ``data`` follows the bytes counted in _newlines (bytes the decoder held back
        # are part of one unfinished character: no newline among them)
        raise BadText(self._newlines + data.count(b"\n", 0, index) + 1, message)
