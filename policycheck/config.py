"""The project configuration file, `policycheck.yaml`.

Found by walking up from the working directory, or given with `--config`. It can
add rule folders, switch rules off, change a rule's severity and set a rule's
thresholds (its `params`):

    rule_folders: [regels]          # relative to this file
    disable: [AB-BPKV]
    rules:
      AB-LAAGSTE-PRIJS: {severity: middel}
      AB-BETAALTERMIJN: {params: {max_dagen: 14}}
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

from policycheck.errors import RuleError, RuleErrors
from policycheck.rules import SEVERITIES, RuleSet, _line_of, _loader_class, load_rules

CONFIG_NAME = "policycheck.yaml"
CONFIG_KEYS = {"rule_folders", "disable", "rules"}
RULE_OVERRIDE_KEYS = {"severity", "params", "enabled"}


@dataclass
class Config:
    path: Optional[Path] = None
    rule_folders: list[str] = field(default_factory=list)
    disable: list[str] = field(default_factory=list)
    overrides: dict = field(default_factory=dict)  # rule id -> {severity?, params?, enabled?}
    lines: dict = field(default_factory=dict)  # rule id -> line in the file


def find_config(start: Path | None = None) -> Optional[Path]:
    """The nearest policycheck.yaml in `start` (default: the working directory) or above it."""
    folder = (start or Path.cwd()).resolve()
    for candidate in (folder, *folder.parents):
        path = candidate / CONFIG_NAME
        if path.is_file():
            return path
    return None


def load_config(path: Path) -> Config:
    import yaml

    source = str(path)
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_loader_class())  # noqa: S506 - safe loader
    except OSError as exc:
        raise RuleErrors([RuleError(source, None, f"kan configuratie niet lezen: {exc.strerror or exc}")])
    except yaml.MarkedYAMLError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else None
        raise RuleErrors([RuleError(source, line, f"ongeldige YAML: {exc.problem}")])
    config = Config(path=path)
    if data is None:
        return config
    errors: list[RuleError] = []
    if not isinstance(data, dict):
        raise RuleErrors([RuleError(source, 1, "de configuratie moet een mapping zijn")])
    for key in data:
        if key not in CONFIG_KEYS:
            close = difflib.get_close_matches(str(key), sorted(CONFIG_KEYS), n=1)
            hint = f"; bedoelde u '{close[0]}'?" if close else ""
            errors.append(RuleError(source, _line_of(data, key), f"onbekend veld '{key}' in de configuratie{hint}"))
    for folder in data.get("rule_folders") or []:
        resolved = (path.parent / str(folder)).resolve()
        config.rule_folders.append(str(resolved))
    config.disable = [str(rule_id) for rule_id in data.get("disable") or []]
    for rule_id, override in (data.get("rules") or {}).items():
        line = _line_of(data["rules"], rule_id)
        config.lines[str(rule_id)] = line
        if not isinstance(override, dict):
            errors.append(RuleError(source, line, f"rules.{rule_id} moet een mapping zijn"))
            continue
        for key in override:
            if key not in RULE_OVERRIDE_KEYS:
                errors.append(RuleError(source, _line_of(override, key) or line,
                                        f"onbekend veld '{key}' bij {rule_id}; mogelijk: {', '.join(sorted(RULE_OVERRIDE_KEYS))}"))
        if "severity" in override and override["severity"] not in SEVERITIES:
            errors.append(RuleError(source, _line_of(override, "severity") or line,
                                    f"severity moet een van {', '.join(SEVERITIES)} zijn"))
        config.overrides[str(rule_id)] = dict(override)
    if errors:
        raise RuleErrors(errors)
    return config


def load_ruleset(
    extra_dirs=(), config_path: Optional[str] = None, use_config: bool = True, checked: Optional[set[str]] = None,
) -> tuple[RuleSet, Optional[Config]]:
    """Built-in rules + config rule folders + --rules folders, with the config applied.
    checked: see rules.load_rules."""
    config = None
    if config_path:
        config = load_config(Path(config_path))
    elif use_config:
        found = find_config()
        config = load_config(found) if found else None
    folders = list(config.rule_folders if config else []) + list(extra_dirs)
    ruleset = load_rules(folders, checked=checked)
    if config:
        apply_config(ruleset, config)
    return ruleset, config


def apply_config(ruleset: RuleSet, config: Config) -> None:
    source = str(config.path)
    known = {rule.id for rule in ruleset.rules}
    errors: list[RuleError] = []
    for rule_id in [*config.disable, *config.overrides]:
        if rule_id not in known:
            close = difflib.get_close_matches(rule_id, sorted(known), n=1)
            hint = f"; bedoelde u '{close[0]}'?" if close else ""
            ruleset.notices.append(f"{source}: onbekende regel '{rule_id}' in de configuratie{hint}")
    disabled = set(config.disable)
    for rule in list(ruleset.rules):
        override = config.overrides.get(rule.id, {})
        if rule.id in disabled or override.get("enabled") is False:
            ruleset.rules.remove(rule)
            continue
        if "severity" in override:
            rule.severity = override["severity"]
        for name, value in (override.get("params") or {}).items():
            if name not in rule.params:
                errors.append(RuleError(source, config.lines.get(rule.id),
                                        f"regel {rule.id} kent geen parameter '{name}' (wel: {', '.join(rule.params) or 'geen'})"))
            elif isinstance(value, bool) or not isinstance(value, (int, float)):
                errors.append(RuleError(source, config.lines.get(rule.id), f"parameter {rule.id}.{name} moet een getal zijn"))
            else:
                rule.params[name] = value
    if errors:
        raise RuleErrors(errors)
