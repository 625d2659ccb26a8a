"""The model registry: `kerasgan train --model=NAME` for every registered model, with no model name in the CLI.

A model class registers itself with `@registry.register("name")` and declares the command-line
flags it is built from (`cli_flags`, a tuple of `Flag`). `get("name")` returns the class;
`get("package.module:Class")` imports a user's own model, a subclass of
`kerasgan.adversarial.AdversarialModel` defined outside kerasgan (registering it is optional).
The design follows timm's `register_model` / `create_model` (Wightman 2019).
"""
import dataclasses
import importlib
from typing import Any, Callable, Optional

import keras

_MODELS = {}  # name -> class, in registration order


@dataclasses.dataclass(frozen=True)
class Flag:
    """A command-line flag of a model: `--name` sets the constructor argument `argument` (default: name).

    Args:
        name: the flag's name.
        kind: int, float, bool or str.
        help: one line for --help.
        values: the allowed values of a str flag (an enum).
        argument: the constructor argument it sets, when not `name`.
        convert: maps the flag's value to the argument's (e.g. "none" -> None).
        builds: False for a flag the model reads elsewhere than in its constructor (its
            `training_callbacks`, say).
    Flags default to None: an unset flag leaves the constructor's default, which is the paper's.
    """

    name: str
    kind: type
    help: str
    values: Optional[tuple] = None
    argument: Optional[str] = None
    convert: Optional[Callable[[Any], Any]] = None
    builds: bool = True

    def arguments(self, value):
        """{constructor argument: value} for a set flag ({} for one that does not build the model)."""
        if not self.builds:
            return {}
        return {self.argument or self.name: self.convert(value) if self.convert else value}


def register(name):
    """Class decorator: registers a model class under `name` and for Keras deserialization."""

    def decorate(cls):
        if name in _MODELS and _MODELS[name] is not cls:
            raise ValueError(f"a model named {name!r} is registered already: {_MODELS[name].__module__}.{_MODELS[name].__name__}")
        cls = keras.saving.register_keras_serializable(package="kerasgan")(cls)
        cls.registry_name = name
        _MODELS[name] = cls
        return cls

    return decorate


def names():
    """The registered names, in registration order."""
    _load_zoo()
    return list(_MODELS)


def models():
    """{name: class} of the registered models."""
    _load_zoo()
    return dict(_MODELS)


def get(name):
    """The model class `name` names: a registered name, or "package.module:Class" for a model of one's own."""
    from kerasgan.adversarial import AdversarialModel

    _load_zoo()
    if isinstance(name, type):
        cls = name
    elif ":" in str(name):
        module_name, _, class_name = str(name).partition(":")
        try:
            module = importlib.import_module(module_name)
        except ImportError as error:
            raise ValueError(f"cannot import {module_name!r} for model {name!r} ({error}): put it on PYTHONPATH") from None
        cls = getattr(module, class_name, None)
        if cls is None:
            raise ValueError(f"{module_name} has no class {class_name!r} (model {name!r})")
    elif name in _MODELS:
        return _MODELS[name]
    else:
        raise ValueError(f"unknown model {name!r}: use one of {', '.join(_MODELS)}, or package.module:Class for your own")
    if not (isinstance(cls, type) and issubclass(cls, AdversarialModel)):
        raise ValueError(f"{name!r} is not a kerasgan model: subclass kerasgan.gan.GAN or kerasgan.adversarial.AdversarialModel")
    return cls


def name_of(model):
    """The registered name of a model (or class), else its "module:Class"."""
    cls = model if isinstance(model, type) else type(model)
    registered = cls.__dict__.get("registry_name")
    return registered if registered else f"{cls.__module__}:{cls.__name__}"


def _load_zoo():
    import kerasgan.zoo  # noqa: F401  (registers the zoo's models)


def export_name(model):
    """The folder name of a model's SavedModel versions: its registered name, else its class name in lower case."""
    cls = type(model)
    return cls.__dict__.get("registry_name") or cls.__name__.lower()
