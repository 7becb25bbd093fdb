"""With a site's Ukrainian model (`pytest -m vosk_uk`): espeak-ng Ukrainian speech through the real pipeline."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from appeals.address_extract import AddressIndex
from appeals.suggest import CategoryModel
from asr.engine import load_model, transcribe_channels
from asr.layouts import load_channels
from tests.appeals.test_suggest import seed_categories, seed_streets

pytestmark = pytest.mark.vosk_uk


def test_ukrainian_call_gives_text_and_a_category(tmp_path: Path) -> None:
    path = os.environ.get("CALLCENTER_VOSK_MODEL_PATH", "")
    if not path or "uk" not in Path(path).name or shutil.which("espeak-ng") is None:
        pytest.skip("needs CALLCENTER_VOSK_MODEL_PATH pointing at vosk-model-uk-v3 or -small-uk-v3-small, and espeak-ng")
    wav = tmp_path / "uk.wav"
    subprocess.run(["espeak-ng", "-v", "uk", "-w", str(wav), "у нас немає опалення батареї холодні"], check=True)
    transcript = transcribe_channels(load_model(path), load_channels(wav, "mono"))
    assert transcript.text
    suggestions = CategoryModel.build(seed_categories()).suggest(transcript.text)
    assert suggestions
    assert suggestions[0].code in {"no_heating", "low_heating"}
    assert AddressIndex.build(seed_streets()) is not None
