"""Dutch labels for what the reports show (rule topics, severities, review decisions)."""

from __future__ import annotations

# One label per topic in rules.TOPICS; a topic without a label is shown as its id.
TOPIC_LABELS = {
    "social-return": "Social return",
    "social-return-buy-social": "Social return via inkoop bij sociale ondernemingen",
    "reserved-contracts": "Voorbehouden opdrachten",
    "invite-social-enterprise": "Sociale ondernemingen uitnodigen",
    "award-criteria": "Gunningscriteria",
    "lots": "Percelen",
    "proportionality": "Proportionaliteit",
    "market-consultation": "Marktconsultatie",
    "pso": "Prestatieladder Socialer Ondernemen (PSO)",
    "payment-terms": "Betaaltermijnen",
    "mvi-social-goals": "Maatschappelijk verantwoord inkopen: sociale doelen",
    "social-enterprise-recognition": "Erkenning van sociale ondernemingen",
    "monitoring": "Monitoring",
    "nonprofit-only": "Alleen zonder winstoogmerk",
    "legal-form": "Rechtsvorm",
    "anbi": "ANBI-status",
    "open-eligibility": "Open voor elke rechtsvorm",
    "de-minimis": "De-minimissteun",
    "alternative-finance": "Alternatieve financiering",
    "right-to-challenge": "Right to challenge",
}

SEVERITY_LABELS = {"hoog": "Hoog", "middel": "Middel", "laag": "Laag"}
FORMAT_LABELS = {"pdf": "PDF", "docx": "DOCX", "text": "tekst"}

# How a topic comes out of the document, from its findings.
PROFILE_LABELS = {
    "gunstig": "Gunstig",
    "ongunstig": "Ongunstig",
    "gemengd": "Gemengd",
    "neutraal": "Niets gevonden",
}


def topic_label(topic: str) -> str:
    return TOPIC_LABELS.get(topic, topic)
