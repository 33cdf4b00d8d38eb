"""HTML report: one self-contained page (no network), every text escaped by Jinja2."""

from __future__ import annotations

from policycheck.classify import LABELS as POLICY_TYPE_LABELS
from policycheck.model import PLAN_STEPS
from policycheck.report.summary import POLARITY_LABELS, grouped, summary_line, totals


def render_html(results, context) -> str:
    from jinja2 import Environment, PackageLoader, select_autoescape

    env = Environment(
        loader=PackageLoader("policycheck.report", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    template = env.get_template("report.html.j2")
    return template.render(
        results=results,
        context=context,
        grouped=grouped,
        totals=totals(results),
        summary=summary_line(results),
        polarity_labels=POLARITY_LABELS,
        policy_type_labels=POLICY_TYPE_LABELS,
        plan_steps=PLAN_STEPS,
    )
