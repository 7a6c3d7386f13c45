"""Rasa's prediction graph run in an order planned once, not scheduled by dask every time.

Rasa 3.6 runs each message's parse and each action prediction through `DaskGraphRunner`, which
rebuilds the dask graph, orders it (`dask.order`) and schedules it task by task on every call:
a quarter of the graph runs' time under load went to that bookkeeping. `PlannedGraphRunner`
keeps, per set of targets, the nodes to run in dependency order and calls them one after the
other, giving each node what dask would: the (name, output) of every node or input it needs, or
the bare name when nothing provides it. Training still uses Rasa's runner.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Dict, List, Optional, Sequence, Text, Tuple

import rasa.core.processor
from rasa.engine.exceptions import GraphRunError
from rasa.engine.graph import GraphSchema
from rasa.engine.runner.dask import DaskGraphRunner


@dataclass(frozen=True)
class Plan:
    """The nodes a run of some targets needs, each after the nodes and inputs it needs."""

    nodes: Tuple[Text, ...]
    needs: Tuple[Tuple[Text, ...], ...]


def plan(schema: GraphSchema, targets: Sequence[Text]) -> Plan:
    """The run order of the nodes `targets` depend on (depth first, needs in declared order)."""
    minimal = schema.minimal_graph_schema(list(targets))
    ordered: List[Text] = []
    placed = set()

    def place(name: Text) -> None:
        if name in placed or name not in minimal.nodes:
            return
        placed.add(name)
        for need in minimal.nodes[name].needs.values():
            place(need)
        ordered.append(name)

    for name in minimal.nodes:
        place(name)
    return Plan(tuple(ordered),
                tuple(tuple(minimal.nodes[name].needs.values()) for name in ordered))


class PlannedGraphRunner(DaskGraphRunner):
    """`DaskGraphRunner` with the same nodes, inputs and results, and no dask scheduler."""

    def run(self, inputs: Optional[Dict[Text, Any]] = None,
            targets: Optional[List[Text]] = None) -> Dict[Text, Any]:
        """Run the nodes `targets` need (all targets when None) with `inputs`; each target's
        output by its name."""
        run_targets = tuple(targets if targets else self._graph_schema.target_names)
        plans: Dict[Tuple[Text, ...], Plan] = self.__dict__.setdefault("_plans", {})
        steps = plans.get(run_targets)
        if steps is None:
            steps = plans[run_targets] = plan(self._graph_schema, run_targets)
        results: Dict[Text, Any] = {}
        for name, value in (inputs or {}).items():
            if isinstance(value, str) and (value in steps.nodes or value in results):
                raise GraphRunError(
                    f"Input value '{value}' clashes with a node name. Make sure that none of "
                    f"the input names passed to the `run` method are the same as node names "
                    f"in the graph schema.")
            results[name] = (name, value)
        try:
            for name, needs in zip(steps.nodes, steps.needs):
                if name not in results:  # an input of that name stands in for the node
                    results[name] = self._instantiated_nodes[name](
                        *(results.get(need, need) for need in needs))
        except RuntimeError as error:
            raise GraphRunError("Error running runner.") from error
        return dict(results.get(target, target) for target in run_targets)


def install() -> None:
    """Make Rasa's message processor load its prediction graphs with `PlannedGraphRunner`."""
    rasa.core.processor.DaskGraphRunner = PlannedGraphRunner  # type: ignore[misc]
