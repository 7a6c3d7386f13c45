"""Policy files are read once when the CRM starts, and a broken one stops it with a clear reason."""

from dataclasses import replace

import pytest

from crm_backend.app import create_app
from crm_backend.core.config import POLICY_DIR, CRMConfig
from crm_backend.core.policy_files import PolicyError
from crm_backend.policies import POLICIES_KEY


# create_app reads the policies before anything touches the database, so no database is needed.
CONFIG = CRMConfig()


def test_a_toml_syntax_error_names_the_file_and_line(tmp_path) -> None:
    broken = tmp_path / "risk.toml"
    broken.write_text("[levels]\nhigh = 70\n[weights\n", encoding="utf-8")
    with pytest.raises(PolicyError, match=r"risk\.toml.*line 3"):
        create_app(replace(CONFIG, risk_policy_path=broken))


def test_a_bad_value_names_the_file_and_setting(tmp_path) -> None:
    text = (POLICY_DIR / "rewards.toml").read_text(encoding="utf-8")
    broken = tmp_path / "rewards.toml"
    broken.write_text(text.replace("expiry_months = ", "expiry_months = -"), encoding="utf-8")
    with pytest.raises(PolicyError, match=r"rewards\.toml.*expiry_months"):
        create_app(replace(CONFIG, rewards_policy_path=broken))


def test_the_app_holds_each_policy_parsed_once() -> None:
    app = create_app(CONFIG)
    held = app[POLICIES_KEY]
    assert held.rewards.expiry_months > 0 and held.tiers.thresholds and held.orders.cancel_allowed
