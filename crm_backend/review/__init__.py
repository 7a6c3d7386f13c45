"""The managers' overview (服务总览): service KPIs of a period against the period before, with
trend charts, breakdowns and an export; every figure defined once in `rules.KPIS`."""
