"""File sinks: atomic writes, clean refusals, nothing left behind on failure or Ctrl-C."""

from __future__ import annotations

import os

import numpy as np
import pytest
import soundfile

from coach.errors import OutputFileError
from coach.output.files import Encoding, check_target, write_file

MONO = Encoding(channels=1)  # the blocks here are mono


def blocks(n=4, interrupt_after=None):
    for i in range(n):
        if interrupt_after is not None and i == interrupt_after:
            raise KeyboardInterrupt
        yield np.full(1000, 1000 * (i + 1), dtype=np.int16)


@pytest.mark.parametrize("suffix", [".wav", ".mp3"])
def test_ctrl_c_leaves_nothing_at_the_target_and_no_temp_file(tmp_path, suffix):
    target = tmp_path / f"out{suffix}"
    with pytest.raises(KeyboardInterrupt):
        write_file(target, blocks(interrupt_after=2), 22050, MONO)
    assert os.listdir(tmp_path) == []


def test_an_earlier_file_survives_a_failed_write(tmp_path):
    target = tmp_path / "out.wav"
    target.write_bytes(b"earlier")
    with pytest.raises(KeyboardInterrupt):
        write_file(target, blocks(interrupt_after=1), 22050, MONO)
    assert target.read_bytes() == b"earlier"
    assert os.listdir(tmp_path) == ["out.wav"]


def test_wav_holds_exactly_the_blocks_and_progress_counts_samples(tmp_path):
    target = tmp_path / "out.wav"
    seen = []
    write_file(target, blocks(), 22050, MONO, progress=seen.append)
    data, rate = soundfile.read(target, dtype="int16")
    assert rate == 22050
    assert data.tolist() == np.concatenate(list(blocks())).tolist()
    assert seen == [1000, 2000, 3000, 4000]
    assert oct(target.stat().st_mode & 0o777) == oct(0o644 & ~_umask())


def _umask():
    mask = os.umask(0)
    os.umask(mask)
    return mask


def test_refusals_before_any_work(tmp_path):
    with pytest.raises(OutputFileError) as caught:
        check_target(tmp_path / "session.aac")
    assert str(caught.value) == "Cannot write session.aac: the file name must end in .mp3, .wav, .flac or .ogg."
    with pytest.raises(OutputFileError) as caught:
        check_target(tmp_path / "nowhere" / "s.mp3")
    assert (
        str(caught.value)
        == f"Cannot write {tmp_path / 'nowhere' / 's.mp3'}: the folder {tmp_path / 'nowhere'} does not exist."
    )
    (tmp_path / "d.mp3").mkdir()
    with pytest.raises(OutputFileError) as caught:
        check_target(tmp_path / "d.mp3")
    assert str(caught.value) == f"Cannot write {tmp_path / 'd.mp3'}: it is a folder."
