"""The four after-sales policy files are read once at start-up; a broken one stops the CRM with
the file and the setting at fault."""

from __future__ import annotations

from dataclasses import replace

import pytest

from crm_backend.app import create_app
from crm_backend.core.config import POLICY_DIR, CRMConfig
from crm_backend.core.policy_files import PolicyError
from crm_backend.policies import POLICIES_KEY

CONFIG = CRMConfig()


def test_the_app_holds_the_four_after_sales_policies() -> None:
    held = create_app(CONFIG)[POLICIES_KEY]
    assert held.price_protection.window_days("数码电子") == 30
    assert held.price_protection.window_days("服装") == 15
    assert held.after_sales.within_days == {"return": 7, "exchange": 15, "repair": 365}
    assert held.invoices.max_reissues == 2 and held.invoices.change_days == 180
    assert held.appointments.kinds["installation"].windows == ("09:00-12:00", "14:00-18:00")


@pytest.mark.parametrize("name, field, old, new, named", [
    ("price_protection.toml", "price_protection_policy_path", "default_days = 15",
     "default_days = \"two weeks\"", "default_days"),
    ("price_protection.toml", "price_protection_policy_path",
     'order_statuses = ["pending_shipment", "shipped", "delivered"]',
     'order_statuses = ["delivered", "refunded"]', "order_statuses"),
    ("after_sales.toml", "after_sales_policy_path", "{review_hours} 小时内审核",
     "{review_days} 天内审核", "submitted"),
    ("after_sales.toml", "after_sales_policy_path", 'completed = "', 'finished = "', "finished"),
    ("invoices.toml", "invoices_policy_path", "max_reissues = 2", "max_reissues = -1",
     "max_reissues"),
    ("appointments.toml", "appointments_policy_path", '"14:00-18:00"', '"18:00-14:00"',
     "18:00-14:00"),
    ("appointments.toml", "appointments_policy_path", "days_ahead = 7", "days_ahead = 0",
     "days_ahead"),
])
def test_a_broken_file_stops_start_up(tmp_path, name: str, field: str, old: str, new: str,
                                      named: str) -> None:
    text = (POLICY_DIR / name).read_text(encoding="utf-8")
    assert old in text
    broken = tmp_path / name
    broken.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(PolicyError, match=rf"{name.replace('.', '[.]')}.*{named}"):
        create_app(replace(CONFIG, **{field: broken}))
