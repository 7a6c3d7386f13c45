"""Points ledger rules as plain functions: expiry dates and balances from entries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta, timezone
from typing import Iterable, List, Optional, Tuple

from .timeutil import BEIJING


@dataclass(frozen=True)
class LedgerLine:
    """The parts of a ledger entry the balance depends on."""

    delta: int
    created_at: datetime
    expires_at: Optional[datetime] = None


@dataclass(frozen=True)
class Expiring:
    """Points that will lapse soon and the first date they do."""

    points: int
    expires_at: datetime


def expiry_for(granted_at: datetime, months: int) -> datetime:
    """End of the `months`-th month after the grant month, Beijing time, as aware UTC."""
    local = granted_at.astimezone(BEIJING)
    index = local.year * 12 + (local.month - 1) + months + 1
    first_of_next = datetime(index // 12, index % 12 + 1, 1, tzinfo=BEIJING)
    last_day = (first_of_next - timedelta(days=1)).date()
    return datetime.combine(last_day, time(23, 59, 59), tzinfo=BEIJING).astimezone(timezone.utc)


def _expire(lots: List[List], moment: datetime) -> None:
    """Drop positive lots that have expired at `moment`."""
    lots[:] = [lot for lot in lots if lot[0] < 0 or lot[1] is None or lot[1] > moment]


def _consume(lots: List[List], amount: int) -> int:
    """Take `amount` from the soonest-expiring positive lots; returns what could not be taken."""
    never = datetime.max.replace(tzinfo=timezone.utc)
    order = sorted((lot for lot in lots if lot[0] > 0), key=lambda lot: lot[1] or never)
    for lot in order:
        taken = min(lot[0], amount)
        lot[0] -= taken
        amount -= taken
        if amount == 0:
            break
    lots[:] = [lot for lot in lots if lot[0] != 0]
    return amount


def open_lots(lines: Iterable[LedgerLine], now: datetime
              ) -> List[Tuple[int, Optional[datetime]]]:
    """Unspent, unexpired (points, expires_at) lots; spending takes soonest expiry first."""
    lots: List[List] = []
    for line in sorted(lines, key=lambda item: item.created_at):
        if line.created_at > now:
            continue
        _expire(lots, line.created_at)
        if line.delta > 0:
            lots.append([line.delta, line.expires_at])
        elif line.delta < 0:
            short = _consume(lots, -line.delta)
            if short:
                lots.append([-short, None])
    _expire(lots, now)
    return [(points, expires_at) for points, expires_at in lots]


def balance(lines: Iterable[LedgerLine], now: datetime) -> int:
    """Spendable points at `now`: grants minus redemptions, expired remainders left out."""
    return sum(points for points, _ in open_lots(lines, now))


def expiring(lines: Iterable[LedgerLine], now: datetime, within_days: int) -> Optional[Expiring]:
    """Unspent points lapsing within `within_days` of `now`, with the earliest date, or None."""
    horizon = now + timedelta(days=within_days)
    lots = open_lots(lines, now)
    soon = [(p, at) for p, at in lots if p > 0 and at is not None and at <= horizon]
    if not soon:
        return None
    return Expiring(points=sum(p for p, _ in soon), expires_at=min(at for _, at in soon))
