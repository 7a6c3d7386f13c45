"""Less memory for the Rasa server process, its answers unchanged.

`before_imports()` runs before Rasa and TensorFlow are imported:

- TensorFlow's `tf.lite` imports JAX when it is installed (TensorFlow 2.12 requires it), which
  Rasa never uses: 68 MiB. JAX is marked as absent in this process, and `tf.lite` goes on
  without it.
- TensorFlow's oneDNN graph rewrites are turned off: they kept ~90 MiB of their own after the
  model was loaded, and the networks here are too small to gain from them.

`install()` changes how Rasa loads its networks: Rasa builds each one by training it on one
example (a training graph, the optimizer's slots: ~200 MiB for DIET and the FAQ selector) before
loading its weights. The server never trains: its networks are built by predicting one example
instead, with the same weights and the same answers.
"""

from __future__ import annotations

import ctypes
import gc
import os
import sys
from typing import Any

# Modules Rasa's server never uses that its imports would load.
ABSENT_MODULES = ("jax",)


def before_imports() -> None:
    """Settings that must be in place before TensorFlow is imported."""
    for name in ABSENT_MODULES:
        sys.modules.setdefault(name, None)  # type: ignore[arg-type]
    os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")


def give_back_memory() -> None:
    """Collect garbage and return the freed heap to the system (glibc keeps it otherwise)."""
    gc.collect()
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass


def load_for_inference(cls: Any, model_file_name: str, model_data_example: Any,
                       predict_data_example: Any, *args: Any, **kwargs: Any) -> Any:
    """A Rasa network with its trained weights, built by predicting one example.

    Keras restores a checkpoint into variables as they are created, so the weights need no
    training step to exist first; every variable the prediction created must have been restored
    from the checkpoint (else this raises). The optimizer's saved state is not read."""
    model = cls(*args, **kwargs)
    status = model.load_weights(model_file_name)
    model.run_inference(predict_data_example)
    status.assert_existing_objects_matched()
    status.expect_partial()
    return model


def install() -> None:
    """Make Rasa load its networks for inference only (not when loading to fine-tune)."""
    from rasa.utils.tensorflow.models import RasaModel

    original = RasaModel.load.__func__  # type: ignore[attr-defined]

    def load(cls: Any, model_file_name: str, model_data_example: Any,
             predict_data_example: Any = None, finetune_mode: bool = False,
             *args: Any, **kwargs: Any) -> Any:
        if finetune_mode or predict_data_example is None:
            return original(cls, model_file_name, model_data_example, predict_data_example,
                            finetune_mode, *args, **kwargs)
        model = load_for_inference(cls, model_file_name, model_data_example,
                                   predict_data_example, *args, **kwargs)
        give_back_memory()
        return model

    RasaModel.load = classmethod(load)  # type: ignore[assignment]
