"""The MP3 writer: lameenc's frames behind an Info frame with a LAME tag, so decoding gives back exactly the
session's samples, starting on the same sample."""

from __future__ import annotations

import io
import struct

import numpy as np
import pytest
import soundfile
from mutagen.mp3 import MP3, BitrateMode

from coach.defaults import MP3_BITRATES
from coach.output.mp3 import BITRATES, ENCODER_DELAY, Mp3Writer, crc16

RATE = 22050


def encode(pcm: np.ndarray, channels: int = 1, bitrate: int = 64) -> bytes:
    out = io.BytesIO()
    writer = Mp3Writer(out, RATE, channels, bitrate)
    for start in range(0, len(pcm), 4096):
        writer.write(pcm[start : start + 4096])
    writer.close()
    return out.getvalue()


def decode(data: bytes) -> np.ndarray:
    return soundfile.read(io.BytesIO(data), dtype="float32")[0]


def tone(n: int) -> np.ndarray:
    return (np.sin(np.arange(n) * 0.07) * 9000).astype(np.int16)


@pytest.mark.parametrize("n", [1, 575, 576, 577, 1105, 22050 * 3 + 17])
@pytest.mark.parametrize("channels", [1, 2])
def test_decoding_gives_exactly_as_many_samples(n, channels):
    pcm = tone(n) if channels == 1 else np.column_stack([tone(n), tone(n)])
    assert len(decode(encode(pcm, channels))) == n


def test_a_click_decodes_on_its_own_sample():
    pcm = np.zeros(RATE * 2, dtype=np.int16)
    for at in (RATE // 2, RATE + 3333):
        pcm[at : at + 40] = (np.hanning(40) * 20000).astype(np.int16)
    decoded = decode(encode(pcm, bitrate=128))
    template = np.hanning(40)
    for at in (RATE // 2, RATE + 3333):
        window = decoded[at - 200 : at + 240]
        assert int(np.argmax(np.correlate(window, template, mode="valid"))) - 200 == 0


def test_the_info_frame_and_lame_tag():
    n = RATE * 2 + 100
    data = encode(tone(n))
    assert data[:3] == b"\xff\xf3\x80"  # MPEG-2 layer III, 64 kbps, 22050 Hz, no padding slot
    tag = data.index(b"Info")
    assert tag == 4 + 9  # after the header and the mono side information
    flags, frames, total = struct.unpack(">III", data[tag + 4 : tag + 16])
    assert (flags, total) == (0x0F, len(data))
    lame = data[tag + 120 : tag + 156]
    assert lame[:9] == b"LAME3.100"
    delay_padding = int.from_bytes(lame[21:24], "big")
    assert (delay_padding >> 12, delay_padding & 0xFFF) == (ENCODER_DELAY, frames * 576 - ENCODER_DELAY - n)
    (stored,) = struct.unpack(">H", lame[34:36])
    assert stored == crc16(data[: tag + 154])
    assert crc16(b"123456789") == 0xBB3D  # CRC-16/ARC check value


def test_mutagen_reads_it_as_constant_bitrate_lame(tmp_path):
    path = tmp_path / "t.mp3"
    path.write_bytes(encode(tone(RATE * 5), bitrate=96))
    info = MP3(path).info
    assert (info.bitrate, info.bitrate_mode, info.sample_rate, info.encoder_info) == (
        96000,
        BitrateMode.CBR,
        RATE,
        "LAME 3.100.0+",
    )
    assert abs(info.length - 5.0) < 0.001


@pytest.mark.parametrize("bitrate", MP3_BITRATES)
@pytest.mark.parametrize("channels", [1, 2])
def test_every_offered_bitrate_decodes_exactly_and_reads_as_its_bitrate(tmp_path, bitrate, channels):
    """Each bitrate --bitrate offers, mono and stereo, through lameenc and back through libsndfile (mpg123): the
    exact sample count, clicks on their own samples, and mutagen's reading of the Info frame. At 32, 40 and 48
    kbps a frame is smaller than the Info tag, so the Info frame takes the smallest bitrate that holds it."""
    n = RATE * 3 + 17
    mono = np.zeros(n, dtype=np.int16)
    clicks = (RATE // 2, RATE + 3333, 2 * RATE + 1)
    for at in clicks:
        mono[at : at + 40] = (np.hanning(40) * 20000).astype(np.int16)
    data = encode(mono if channels == 1 else np.column_stack([mono, mono]), channels, bitrate)
    decoded = decode(data)
    assert len(decoded) == n
    left = decoded if channels == 1 else decoded[:, 0]
    for at in clicks:
        window = left[at - 200 : at + 240]
        assert int(np.argmax(np.correlate(window, np.hanning(40), mode="valid"))) - 200 == 0, at
    assert BITRATES[data[2] >> 4] == max(bitrate, 56)  # 56 kbps: 182 bytes, room for the 169 (177 stereo) it needs
    path = tmp_path / "t.mp3"
    path.write_bytes(data)
    info = MP3(path).info
    assert (info.bitrate_mode, info.channels, info.encoder_info) == (BitrateMode.CBR, channels, "LAME 3.100.0+")
    assert abs(info.bitrate - bitrate * 1000) <= 500  # the stream's own rate, not the Info frame's
    assert abs(info.length - n / RATE) < 0.001
