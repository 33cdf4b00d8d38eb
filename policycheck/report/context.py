"""What every report says about the run itself."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class RunContext:
    version: str
    pipeline: object  # nlp.PipelineInfo
    rule_count: int
    rule_sources: list = field(default_factory=list)
    rules: list = field(default_factory=list)  # the loaded rules.Rule objects (SARIF lists them)
    color: bool = False
    width: int = 100
    quiet: bool = False
    explain: bool = False  # show what triggered each finding
    # review.Review when --review was given: decisions shown beside the findings.
    review: object = None
    # policy type -> topics of the rules that apply to it (the HTML profile lists them all).
    rule_topics: dict = field(default_factory=dict)
