"""Extraction quality against the shared gold files, scored by the shared scorer.

Skipped when the shared evaluation folder is not next to the checkout.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from loaders.documents.pipeline import process_many

SHARED = Path(__file__).resolve().parents[2].parent / "shared"
SCORER = SHARED / "eval" / "score_targets.py"

pytestmark = pytest.mark.skipif(not SCORER.exists(), reason=f"shared evaluation files not found at {SHARED}")


def _predict(folder: Path, out: Path) -> Path:
    with out.open("w", encoding="utf-8") as fh:
        for doc in process_many([folder]):
            assert not isinstance(doc, Exception), doc
            for t in doc.targets:
                fh.write(json.dumps(t.to_dict(), ensure_ascii=False) + "\n")
    return out


def _score(gold: Path, pred: Path, status: str = "target") -> dict:
    res = subprocess.run(
        [sys.executable, str(SCORER), str(gold), str(pred), "--json", "--status", status],
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(res.stdout)


@pytest.fixture(scope="module")
def dev_pred(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _predict(SHARED / "corpus", tmp_path_factory.mktemp("dev") / "pred.jsonl")


@pytest.fixture(scope="module")
def more_pred(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _predict(SHARED / "corpus_more", tmp_path_factory.mktemp("more") / "pred.jsonl")


def test_dev_targets(dev_pred: Path) -> None:
    res = _score(SHARED / "eval" / "gold" / "dev.jsonl", dev_pred)
    assert res["f1"] >= 0.92, res
    for field in ("comparator", "target_year", "region", "indicator_code"):
        assert res["fields"][field]["accuracy"] >= 0.90, (field, res["fields"][field])


def test_dev_more_targets_floor(more_pred: Path) -> None:
    res = _score(SHARED / "eval" / "gold" / "dev_more.jsonl", more_pred)
    assert res["f1"] >= 0.86, res
    for field in ("comparator", "target_year", "region"):
        assert res["fields"][field]["accuracy"] >= 0.85, (field, res["fields"][field])


def test_dev_more_actuals_floor(more_pred: Path) -> None:
    res = _score(SHARED / "eval" / "gold" / "dev_more.jsonl", more_pred, status="actual")
    assert res["f1"] >= 0.90, res
    for field in ("comparator", "target_year", "region"):
        assert res["fields"][field]["accuracy"] >= 0.85, (field, res["fields"][field])
