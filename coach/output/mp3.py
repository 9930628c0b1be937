"""MP3 encoding with lameenc, made exact and gapless by an Info frame with a LAME tag, as LAME writes itself.

lameenc streams MPEG frames and cannot seek back, so it writes no Info (Xing) frame: decoders would then play the
encoder's delay (576 samples, plus the decoder's own 529) as if it were sound. This writer keeps one frame's room
at the start, counts the frames as they come, and at the end fills that room with an Info frame whose LAME tag
records the delay and the padding, so decoders trim both and the audio starts and ends on the session's samples.

The Info frame must hold its tag in one frame. At 22050 Hz a 32, 40 or 48 kbps frame (104, 130, 156 bytes) is
smaller than the 169 bytes the tag needs in mono (177 in stereo), so there the Info frame is written at the
smallest bitrate whose frame holds it (56 kbps, 182 bytes), as ffmpeg does; decoders read each frame's length from
its own header, and readers such as mutagen take the stream's bitrate from the byte and frame counts. (LAME itself
leaves the tag out at those bitrates, and decoders then play the encoder delay.)

Layout (all big-endian): frame header (4 bytes), side information (9 bytes mono, 17 stereo, at MPEG-2 rates),
"Info", flags (frames, bytes, table of contents, quality), frame count, byte count, 100-byte table of contents,
quality, then the 36-byte LAME tag: version string, method, lowpass, peak, gains, flags, bitrate, delay and padding
(12 bits each), misc, gain, preset, music length, music CRC (left 0: no common decoder checks it) and the tag's
own CRC-16 over everything before it.
"""

from __future__ import annotations

import struct
from typing import BinaryIO

import numpy as np

from coach.audio import Pcm

ENCODER_DELAY = 576  # what LAME puts in front of the first sample
SAMPLES_PER_FRAME = 576  # MPEG-2 layer III (22050 Hz)
QUALITY = 2  # LAME's algorithm quality, as libsndfile sets it
BITRATES = (0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160)  # MPEG-2 layer III, by index
RATES = (22050, 24000, 16000)  # MPEG-2, by index


def _crc16_table() -> list[int]:
    table = []
    for byte in range(256):
        crc = byte
        for _ in range(8):
            crc = (crc >> 1) ^ 0xA001 if crc & 1 else crc >> 1
        table.append(crc)
    return table


CRC16 = _crc16_table()


def crc16(data: bytes) -> int:
    """CRC-16 as LAME computes it for its tag (polynomial 0x8005, reflected, starting from 0)."""
    crc = 0
    for byte in data:
        crc = (crc >> 8) ^ CRC16[(crc ^ byte) & 0xFF]
    return crc


def frame_length(header: bytes) -> int:
    """Bytes in the MPEG-2 layer III frame that starts with this header."""
    bitrate = BITRATES[header[2] >> 4] * 1000
    rate = RATES[(header[2] >> 2) & 3]
    return 72 * bitrate // rate + ((header[2] >> 1) & 1)


def side_info_length(channels: int) -> int:
    return 9 if channels == 1 else 17  # MPEG-2 layer III


INFO_TAG_LENGTH = 4 + 4 + 4 + 4 + 100 + 4 + 36  # "Info", flags, frames, bytes, table of contents, quality, LAME tag


def info_bitrate(bitrate: int, sample_rate: int, channels: int) -> int:
    """The bitrate of the Info frame: the stream's own, or the smallest above it whose frame holds the tag."""
    needed = 4 + side_info_length(channels) + INFO_TAG_LENGTH
    for candidate in BITRATES:
        if candidate >= bitrate and 72 * candidate * 1000 // sample_rate >= needed:
            return candidate
    raise ValueError(f"no MPEG-2 bitrate has a frame large enough for the Info tag at {sample_rate} Hz")


class Mp3Writer:
    """Encode int16 PCM into an open, seekable binary file; `close` writes the Info frame in front."""

    def __init__(self, out: BinaryIO, sample_rate: int, channels: int, bitrate: int) -> None:
        import lameenc

        if sample_rate not in RATES:
            raise ValueError(f"{sample_rate} Hz is not an MPEG-2 rate")
        self.out, self.channels, self.bitrate = out, channels, bitrate
        self.encoder = lameenc.Encoder()
        self.encoder.set_bit_rate(bitrate)
        self.encoder.set_in_sample_rate(sample_rate)
        self.encoder.set_out_sample_rate(sample_rate)  # else LAME resamples low-bitrate stereo to 16000 Hz
        self.encoder.set_channels(channels)
        self.encoder.set_quality(QUALITY)
        self.info_bitrate = info_bitrate(bitrate, sample_rate, channels)
        self.info_length = 72 * self.info_bitrate * 1000 // sample_rate  # an unpadded frame at that bitrate
        out.write(bytes(self.info_length))  # room for the Info frame
        self.samples = 0
        self.frames = 0
        self.header = b""
        self.pending = b""  # the start of a frame not yet whole

    def write(self, pcm: Pcm) -> None:
        """Samples, as an array of shape (n,) for mono or (n, channels)."""
        self.samples += len(pcm)
        self._emit(bytes(self.encoder.encode(np.ascontiguousarray(pcm, dtype="<i2").tobytes())))

    def _emit(self, data: bytes) -> None:
        self.out.write(data)
        self.pending += data
        at = 0
        while len(self.pending) - at >= 4:
            header = self.pending[at : at + 4]
            if header[0] != 0xFF or header[1] & 0xE0 != 0xE0:
                raise ValueError("the encoder's output lost frame sync")
            length = frame_length(header)
            if len(self.pending) - at < length:
                break
            self.header = self.header or header
            self.frames += 1
            at += length
        self.pending = self.pending[at:]

    def close(self) -> None:
        self._emit(bytes(self.encoder.flush()))
        end = self.out.tell()
        padding = self.frames * SAMPLES_PER_FRAME - ENCODER_DELAY - self.samples
        self.out.seek(0)
        self.out.write(self.info_frame(end, padding))
        self.out.seek(end)

    def info_frame(self, total_bytes: int, padding: int) -> bytes:
        header = bytearray(self.header)
        header[2] = BITRATES.index(self.info_bitrate) << 4 | header[2] & 0x0D  # its bitrate, no padding slot
        side = side_info_length(self.channels)
        toc = bytes(i * 256 // 100 for i in range(100))
        xing = b"Info" + struct.pack(">III", 0x0F, self.frames, total_bytes) + toc + struct.pack(">I", 0)
        delay_padding = (ENCODER_DELAY << 12 | max(padding, 0)).to_bytes(3, "big")
        lame = (
            b"LAME3.100"
            + bytes([0x01, 0x00])  # tag revision 0, constant bitrate; lowpass unknown
            + bytes(4 + 2 + 2 + 1)  # peak, radio and audiophile gain, flags
            + bytes([min(self.bitrate, 255)])
            + delay_padding
            + bytes(1 + 1 + 2)  # misc, gain, preset
            + struct.pack(">I", total_bytes)
            + struct.pack(">H", 0)  # music CRC
        )
        frame = bytes(header) + bytes(side) + xing + lame
        frame += struct.pack(">H", crc16(frame))
        return frame + bytes(self.info_length - len(frame))
