"""Train the Rasa model only when its inputs changed; otherwise reuse the last one.

The model's name carries a hash of everything that shapes it (training data, config, domain,
custom NLU components and dictionaries, the catalogue's product patterns, the locked package
versions). Before that, the product patterns are rebuilt from the CRM's catalogue.
"""

import hashlib
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Iterable

from bot.nlu import build_patterns
from scripts.stack import REPO, VENV_BIN, base_env

MODEL_DIR = REPO / "bot" / "models"
INPUTS = ("config.yml", "domain.yml", "requirements.lock", "bot/data", "bot/nlu")


def _input_files() -> Iterable[Path]:
    for name in INPUTS:
        path = REPO / name
        if path.is_dir():
            yield from sorted(p for p in path.rglob("*") if p.is_file() and "__pycache__" not in p.parts)
        elif path.exists():
            yield path


def fingerprint() -> str:
    digest = hashlib.sha256()
    for path in _input_files():
        digest.update(str(path.relative_to(REPO)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def model_path() -> Path:
    return MODEL_DIR / f"kefu-{fingerprint()}.tar.gz"


def refresh_catalogue(progress=print) -> None:
    """Rebuild the product patterns from the CRM's catalogue (`crm_backend catalogue export`).

    Without CRM_DATABASE_URL the embedded demo database is used, migrated and seeded first as
    `make run` does; a configured database is only read.
    """
    python, env = str(VENV_BIN / "python"), base_env()
    if not os.environ.get("CRM_DATABASE_URL"):
        (REPO / "var").mkdir(exist_ok=True)
        subprocess.run([python, "-m", "crm_backend", "seed"], cwd=REPO, env=env, check=True,
                       capture_output=True)
    export = subprocess.run([python, "-m", "crm_backend", "catalogue", "export"], cwd=REPO,
                            env=env, check=True, capture_output=True, text=True).stdout
    products = [json.loads(line) for line in export.splitlines() if line.strip()]
    if not products:
        raise SystemExit("CRM 中没有商品，无法生成商品词表：请先导入商品目录"
                         "（或运行 python -m crm_backend seed）")
    progress(f"==> 商品词表已按 CRM 商品目录更新：{build_patterns.write(products)}")


def ensure_model(progress=print) -> Path:
    """The model for the current inputs, training it first if it does not exist yet."""
    target = model_path()
    if target.exists():
        progress(f"==> 模型未变化，复用 {target.relative_to(REPO)}")
        return target
    progress("==> 训练数据或配置有变化，开始训练模型（2 核机器上首次约 6–9 分钟）…")
    started = time.monotonic()
    subprocess.run(
        [str(VENV_BIN / "rasa"), "train", "--data", "bot/data", "--config", "config.yml",
         "--domain", "domain.yml", "--out", str(MODEL_DIR), "--fixed-model-name", target.name[:-7]],
        cwd=REPO, env=base_env(), check=True,
    )
    for old in MODEL_DIR.glob("kefu-*.tar.gz"):
        if old != target:
            old.unlink()
    progress(f"==> 模型训练完成（{time.monotonic() - started:.0f} 秒）：{target.relative_to(REPO)}")
    return target


if __name__ == "__main__":
    try:
        refresh_catalogue()
        ensure_model()
    except subprocess.CalledProcessError as error:
        sys.exit(f"模型训练失败（退出码 {error.returncode}），请查看上面的 Rasa 输出。")
