"""The project's domain and its stories and rules as Rasa's training trackers, for tests that
compare Kefu's speed-ups with Rasa's own code on real conversations."""

from pathlib import Path
from typing import List, Tuple

from rasa.shared.core.domain import Domain
from rasa.shared.core.generator import TrainingDataGenerator
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.importers.importer import TrainingDataImporter

REPO = Path(__file__).resolve().parents[2]


def domain_and_conversations() -> Tuple[Domain, List[DialogueStateTracker]]:
    """The domain, and one tracker per story and rule (no augmentation, duplicates kept)."""
    importer = TrainingDataImporter.load_from_config(
        str(REPO / "config.yml"), str(REPO / "domain.yml"), [str(REPO / "bot" / "data")])
    domain = importer.get_domain()
    trackers = TrainingDataGenerator(importer.get_stories(), domain, remove_duplicates=False,
                                     augmentation_factor=0).generate()
    return domain, list(trackers)
