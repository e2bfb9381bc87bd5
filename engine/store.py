"""The model store: every trained or uploaded model, one folder each, safe across crashes and restarts.

A model is a folder `<root>/models/<id>/` holding `manifest.json` (format version, kind, name,
parameters, metrics, created), `tensors.safetensors` (the weights) and `extras.json` (vocabularies,
label names: JSON, never pickle). A save writes a hidden temporary folder and renames it into place,
so a crash leaves either the whole model or nothing. A load checks the manifest before it trusts a
byte, and refuses what it does not recognise.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import uuid
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import torch
from safetensors import SafetensorError, safe_open
from safetensors.torch import load_file, save_file

from engine.errors import LabError

HOME_ENV_VAR = "EMBEDDING_LAB_HOME"
FORMAT_VERSION = 1
KINDS = ("embeddings", "classifier")
_MANIFEST, _TENSORS, _EXTRAS = "manifest.json", "tensors.safetensors", "extras.json"
MAX_NAME_CHARS = 80
_ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{0,80}$")


def lab_home() -> Path:
    """The lab's data folder: $EMBEDDING_LAB_HOME, else ~/.embedding-lab."""
    configured = os.environ.get(HOME_ENV_VAR)
    return Path(configured).expanduser() if configured else Path.home() / ".embedding-lab"


@dataclass(frozen=True)
class Manifest:
    """What a stored model is; written first, read first, checked before anything else is loaded."""

    id: str
    kind: str
    name: str
    params: dict[str, Any] = field(default_factory=dict)
    metrics: dict[str, Any] = field(default_factory=dict)
    created: str = ""
    format_version: int = FORMAT_VERSION

    @classmethod
    def from_json(cls, text: str, folder: Path) -> Manifest:
        try:
            raw = json.loads(text)
        except json.JSONDecodeError as error:
            raise LabError(f"{folder.name}: manifest.json is not valid JSON ({error.msg}, line {error.lineno}).") from None
        if not isinstance(raw, dict):
            raise LabError(f"{folder.name}: manifest.json must hold a JSON object.")
        if raw.get("format_version") != FORMAT_VERSION:
            raise LabError(
                f"{folder.name}: written in store format {raw.get('format_version')!r}; this lab reads format {FORMAT_VERSION}."
            )
        if raw.get("kind") not in KINDS:
            raise LabError(f"{folder.name}: unknown model kind {raw.get('kind')!r}; expected one of {', '.join(KINDS)}.")
        if raw.get("id") != folder.name or not isinstance(raw.get("name"), str):
            raise LabError(f"{folder.name}: the manifest's id or name does not match its folder.")
        known = {key: raw[key] for key in cls.__dataclass_fields__ if key in raw}
        return cls(**known)


@dataclass(frozen=True)
class StoredModel:
    manifest: Manifest
    tensors: dict[str, torch.Tensor]
    extras: dict[str, Any]


class ModelStore:
    """Save, list, load, rename and delete models under one root folder."""

    def __init__(self, root: Path | None = None) -> None:
        self.root = (root or lab_home()) / "models"
        self.root.mkdir(parents=True, exist_ok=True)

    def save(
        self,
        kind: str,
        name: str,
        tensors: dict[str, torch.Tensor],
        *,
        params: dict[str, Any] | None = None,
        metrics: dict[str, Any] | None = None,
        extras: dict[str, Any] | None = None,
    ) -> Manifest:
        """Write a model atomically and return its manifest (with the new id)."""
        if kind not in KINDS:
            raise LabError(f"kind must be one of {', '.join(KINDS)}; got {kind!r}.")
        checked_name = clean_name(name)
        model_id = f"{_slug(checked_name)}-{uuid.uuid4().hex[:8]}"
        manifest = Manifest(
            id=model_id, kind=kind, name=checked_name, params=params or {}, metrics=metrics or {},
            created=datetime.now(timezone.utc).isoformat(timespec="seconds"),
        )
        staging = self.root / f".tmp-{model_id}"
        staging.mkdir()
        try:
            cpu_tensors = {key: value.detach().to("cpu").contiguous() for key, value in tensors.items()}
            save_file(cpu_tensors, str(staging / _TENSORS))
            (staging / _EXTRAS).write_text(json.dumps(extras or {}), encoding="utf-8")
            (staging / _MANIFEST).write_text(json.dumps(asdict(manifest), indent=2), encoding="utf-8")
            os.replace(staging, self.root / model_id)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        return manifest

    def manifests(self, kind: str | None = None) -> list[Manifest]:
        """Every readable model, newest first; folders that fail validation are left out (see `problems`)."""
        found = []
        for folder in self._folders():
            try:
                manifest = self.manifest(folder.name)
            except LabError:
                continue
            if kind is None or manifest.kind == kind:
                found.append(manifest)
        return sorted(found, key=lambda m: m.created, reverse=True)

    def problems(self) -> list[str]:
        """Why each unreadable folder in the store was refused, for the UI to explain."""
        reasons = []
        for folder in self._folders():
            try:
                self.manifest(folder.name)
            except LabError as error:
                reasons.append(str(error))
        return reasons

    def manifest(self, model_id: str) -> Manifest:
        folder = self._folder(model_id)
        path = folder / _MANIFEST
        if not path.is_file():
            raise LabError(f"{model_id}: no manifest.json, so this folder is not a stored model.")
        return Manifest.from_json(path.read_text(encoding="utf-8"), folder)

    def load(self, model_id: str, device: torch.device | None = None) -> StoredModel:
        """Read a model after validating its manifest; tensors land on `device` (default CPU)."""
        manifest = self.manifest(model_id)
        folder = self._folder(model_id)
        try:
            tensors = load_file(str(folder / _TENSORS), device=str(device or "cpu"))
        except (SafetensorError, OSError) as error:
            raise LabError(f"{manifest.name}: its weights file is missing or damaged ({error}).") from None
        try:
            extras = json.loads((folder / _EXTRAS).read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as error:
            raise LabError(f"{manifest.name}: its extras.json is missing or damaged ({error}).") from None
        return StoredModel(manifest, tensors, extras)

    def load_tensor(self, model_id: str, name: str) -> torch.Tensor | None:
        """One tensor of a model on the CPU, read without the others (None if the model has no such tensor)."""
        manifest = self.manifest(model_id)
        try:
            with safe_open(str(self._folder(model_id) / _TENSORS), framework="pt") as weights:
                return weights.get_tensor(name) if name in weights.keys() else None
        except (SafetensorError, OSError) as error:
            raise LabError(f"{manifest.name}: its weights file is missing or damaged ({error}).") from None

    def rename(self, model_id: str, new_name: str) -> Manifest:
        current = self.manifest(model_id)
        renamed = Manifest(**{**asdict(current), "name": clean_name(new_name)})
        _write_atomically(self._folder(model_id) / _MANIFEST, json.dumps(asdict(renamed), indent=2))
        return renamed

    def delete(self, model_id: str) -> None:
        self.manifest(model_id)  # refuse to delete a folder that is not a model
        shutil.rmtree(self._folder(model_id))

    def _folders(self) -> list[Path]:
        return [path for path in self.root.iterdir() if path.is_dir() and not path.name.startswith(".")]

    def _folder(self, model_id: str) -> Path:
        if not _ID_PATTERN.match(model_id):
            raise LabError(f"{model_id!r} is not a model id.")
        folder = self.root / model_id
        if not folder.is_dir():
            raise LabError(f"no stored model with id {model_id!r}; it may have been deleted.")
        return folder


def clean_name(name: str) -> str:
    """A model name as the store keeps it (runs of white space made one space); LabError if empty or too long.

    Public so that background work can check a name before it trains, not when it saves.
    """
    clean = " ".join(str(name).split())
    if not clean:
        raise LabError("Give the model a name: the name is empty.")
    if len(clean) > MAX_NAME_CHARS:
        raise LabError(f"A model name may have at most {MAX_NAME_CHARS} characters; this one has {len(clean)}.")
    return clean


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:40] or "model"


def _write_atomically(path: Path, text: str) -> None:
    temporary = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, path)
