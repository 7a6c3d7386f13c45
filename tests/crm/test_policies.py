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


def test_the_identity_policy_has_a_limit_per_scope() -> None:
    identity = create_app(CONFIG)[POLICIES_KEY].identity
    assert set(identity.limits) == {"conversation", "order", "source"}
    assert identity.limits["source"].max_failures > identity.limits["order"].max_failures
    assert identity.lock.total_seconds() == identity.binding_lifetime.total_seconds() == 1800


@pytest.mark.parametrize("old, new, named", [
    ("[limits.order]\nmax_failures = 5", "[limits.order]\nmax_failures = 0", "max_failures"),
    ("[limits.source]", "[limits.elsewhere]", "source"),
    ("[lock]\nminutes = 30", "[lock]\nminutes = \"half an hour\"", "minutes"),
])
def test_a_broken_identity_policy_stops_start_up(tmp_path, old: str, new: str,
                                                 named: str) -> None:
    text = (POLICY_DIR / "identity.toml").read_text(encoding="utf-8")
    assert old in text
    broken = tmp_path / "identity.toml"
    broken.write_text(text.replace(old, new), encoding="utf-8")
    with pytest.raises(PolicyError, match=rf"identity\.toml.*{named}"):
        create_app(replace(CONFIG, identity_policy_path=broken))
