"""Dutch documentation per rule, generated from the YAML (`rules show`, `rules docs`).

Every page has the same sections: Wat het vindt / Waarom het ertoe doet /
Voorbeeld / Schrijf liever / Bronnen. Generation refuses rules with an empty
section or a reference without a web address, so the published docs stay complete.
"""

from __future__ import annotations

from policycheck.model import PLAN_STEPS
from policycheck.rules import Rule

POLARITY_TEXT = {
    "bevorderend": "bevorderend (helpt sociale ondernemingen)",
    "belemmerend": "belemmerend (hindert sociale ondernemingen)",
    "ontbrekend": "ontbrekend (het document mist iets)",
}
TYPE_TEXT = {"procurement": "inkoop- en aanbestedingsbeleid", "subsidy": "subsidieregelingen"}


def doc_problems(rule: Rule) -> list[str]:
    """Why a rule's documentation would be incomplete (empty list when it is fine)."""
    problems = []
    for name, value in (("message (Wat het vindt)", rule.message), ("rationale (Waarom het ertoe doet)", rule.rationale),
                        ("recommendation (Schrijf liever)", rule.recommendation)):
        if not value.strip():
            problems.append(f"{rule.id}: sectie {name} is leeg")
    if not rule.examples_match:
        problems.append(f"{rule.id}: sectie Voorbeeld is leeg (geen examples.match)")
    if not rule.references:
        problems.append(f"{rule.id}: sectie Bronnen is leeg")
    for reference in rule.references:
        if not reference.url.startswith(("https://", "http://")):
            problems.append(f"{rule.id}: bron '{reference.title}' heeft geen geldig webadres")
    return problems


def rule_markdown(rule: Rule) -> str:
    types = ", ".join(TYPE_TEXT.get(t, t) for t in rule.applies_to)
    lines = [
        f"# {rule.id}: {rule.title}",
        "",
        f"- Soort: {POLARITY_TEXT.get(rule.polarity, rule.polarity)}",
        f"- Ernst: {rule.severity}",
        f"- Onderwerp: `{rule.topic}`",
        f"- Geldt voor: {types}",
        f"- Stap {rule.step} van het plan: {PLAN_STEPS.get(rule.step, '')}",
        "",
        "## Wat het vindt",
        "",
        rule.message,
        "",
        "## Waarom het ertoe doet",
        "",
        rule.rationale,
        "",
        "## Voorbeeld",
        "",
    ]
    if rule.document_level:
        lines.append("Deze regel kijkt naar het hele document. Hij meldt zich bij een document als:")
    else:
        lines.append("Wordt gevonden:")
    lines.append("")
    lines += [f"> {example.text}" + ("\n" if i < len(rule.examples_match) - 1 else "") for i, example in enumerate(rule.examples_match)]
    if rule.examples_no_match:
        lines += ["", "Wordt niet gevonden:" if not rule.document_level else "Hij meldt zich niet bij een document als:", ""]
        lines += [f"- {example.text}" for example in rule.examples_no_match]
    lines += ["", "## Schrijf liever", "", rule.recommendation, "", "## Bronnen", ""]
    for reference in rule.references:
        note = f" ({reference.note})" if reference.note else ""
        lines.append(f"- [{reference.title}]({reference.url}){note}" if reference.url else f"- {reference.title}{note}")
    lines += ["", f"<sub>Bron van deze regel: `{_relative_source(rule.source)}`</sub>", ""]
    return "\n".join(lines)


def index_markdown(rules: list[Rule]) -> str:
    lines = ["# Regels van policycheck", "", "| regel | titel | soort | onderwerp | geldt voor |", "|---|---|---|---|---|"]
    for rule in sorted(rules, key=lambda r: r.id):
        lines.append(
            f"| [{rule.id}]({rule.id}.md) | {rule.title} | {rule.polarity} | `{rule.topic}` | {', '.join(rule.applies_to)} |"
        )
    return "\n".join(lines) + "\n"


def _relative_source(source: str) -> str:
    marker = "/rules/"
    return "rules/" + source.split(marker, 1)[1] if marker in source else source
