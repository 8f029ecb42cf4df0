# ruff: noqa: E501 - HTML lines of the template read better whole
"""The conformance report's HTML, one Jinja2 template kept in code so it ships with the package.

Everything the page needs is inline (style, SVG diagrams); it links only to its own anchors, so the one
file can be mailed, archived by CI or opened offline.
"""

from __future__ import annotations

TEMPLATE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Conformance report – {{ summary.verdict }}</title>
<style>
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 24px; color: #263238; }
h1 { margin-bottom: 4px; } h2 { margin-top: 36px; border-bottom: 1px solid #cfd8dc; padding-bottom: 4px; }
.verdict { display: inline-block; padding: 6px 14px; border-radius: 4px; font-weight: bold; color: #fff; }
.ok { background: #2e7d32; } .bad { background: #c62828; }
.counts { display: flex; gap: 14px; flex-wrap: wrap; margin: 16px 0; }
.count { border: 1px solid #cfd8dc; border-radius: 6px; padding: 8px 14px; min-width: 120px; }
.count b { font-size: 22px; display: block; }
table { border-collapse: collapse; width: 100%; }
th, td { border: 1px solid #cfd8dc; padding: 5px 8px; text-align: left; vertical-align: top; }
th { background: #eceff1; }
.status { font-weight: bold; white-space: nowrap; }
.s-passing, .o-passed { color: #2e7d32; } .s-failing, .o-failed { color: #c62828; }
.s-uncovered, .o-skipped { color: #ef6c00; }
.scn { display: block; white-space: nowrap; }
.gaps { color: #ef6c00; font-size: 12px; }
.tag { display: inline-block; background: #eceff1; border-radius: 3px; padding: 0 5px; margin: 1px; font-size: 12px; }
pre { background: #fbe9e7; padding: 8px; white-space: pre-wrap; overflow-x: auto; }
section.scenario { border-top: 1px solid #eceff1; margin-top: 20px; }
.diagram { overflow-x: auto; }
.problem { color: #c62828; }
details { margin: 4px 0; } small { color: #607d8b; }
</style>
</head>
<body>
<h1>Conformance report</h1>
<small>Generated {{ generated }} from {{ artifacts_dir }}</small>
{% if selection %}<p class="selection">This run was limited to <b>{{ selection }}</b>: a rule no selected scenario checks shows as uncovered here; the full suite decides conformance.</p>{% endif %}
<p><span class="verdict {{ 'ok' if summary.ok else 'bad' }}">{{ summary.verdict }}</span></p>
<div class="counts">
  <div class="count"><b>{{ summary.rules_passing }}/{{ summary.rules_total }}</b>rules covered &amp; passing</div>
  <div class="count s-failing"><b>{{ summary.rules_failing }}</b>rules failing</div>
  <div class="count s-uncovered"><b>{{ summary.rules_uncovered }}</b>rules uncovered</div>
  <div class="count o-passed"><b>{{ summary.scenarios_passed }}</b>scenarios passed</div>
  <div class="count o-failed"><b>{{ summary.scenarios_failed }}</b>scenarios failed</div>
  <div class="count o-skipped"><b>{{ summary.scenarios_skipped }}</b>scenarios skipped</div>
  <div class="count problem"><b>{{ summary.artifact_problems }}</b>unusable artifacts</div>
</div>
{% if failed %}
<p>Failed: {% for s in failed %}<a href="#sc-{{ s.slug }}">{{ s.title }}</a>{{ ", " if not loop.last }}{% endfor %}</p>
{% endif %}
{% if problems %}
<h2 id="problems">Unusable artifacts</h2>
<ul>{% for p in problems %}<li class="problem broken-artifact"><code>{{ p.path }}</code>: {{ p.message }}</li>{% endfor %}</ul>
{% endif %}
{% if stale %}
<details id="stale"><summary>{{ stale | length }} result files not from this run, not counted</summary>
<ul>{% for p in stale %}<li class="stale-artifact"><code>{{ p.path }}</code>: {{ p.message }}</li>{% endfor %}</ul>
</details>
{% endif %}
{% if checks %}
<p>{% for line in checks %}<small>{{ line }}</small><br>{% endfor %}</p>
{% endif %}

<h2 id="matrix">Rules × scenarios</h2>
<table class="matrix">
<thead><tr><th>rule</th><th>step</th><th>area</th><th>status</th><th>positive scenarios</th>
<th>negative scenarios</th></tr></thead>
<tbody>
{% for row in matrix.rows %}
<tr id="rule-{{ row.rule.id }}" class="rule s-row-{{ row.status.name.lower() }}">
  <td><b>{{ row.rule.id }}</b><details><summary>{{ row.rule.text }}</summary>{{ row.rule.precise }}</details></td>
  <td>{{ row.rule.steps | join(", ") }}</td>
  <td>{{ row.rule.area }}</td>
  <td class="status s-{{ row.status.name.lower() }}">{{ row.status.value }}
    {% for gap in row.gaps %}<div class="gaps">{{ gap }}</div>{% endfor %}</td>
  {% for side in (row.positive, row.negative) %}
  <td>{% for s in side %}<a class="scn o-{{ s.outcome }}" href="#sc-{{ s.slug }}">{{ mark[s.outcome] }} {{ s.title }}</a>
  {% else %}<span class="gaps">none</span>{% endfor %}</td>
  {% endfor %}
</tr>
{% endfor %}
</tbody>
</table>
{% if matrix.unknown_tags %}
<p class="problem">Tags naming no rule in the rules file:
{% for tag, found in matrix.unknown_tags.items() %}<span class="tag">@{{ tag }}</span>
({% for s in found %}<a href="#sc-{{ s.slug }}">{{ s.title }}</a>{{ ", " if not loop.last }}{% endfor %})
{% endfor %}</p>
{% endif %}
{% if matrix.untraced %}
<p>Scenarios that name no rule:
{% for s in matrix.untraced %}<a href="#sc-{{ s.slug }}">{{ s.title }}</a>{{ ", " if not loop.last }}{% endfor %}</p>
{% endif %}

<h2 id="scenarios">Scenarios</h2>
<p class="legend">In the diagrams, <span style="color:#b26a00">amber</span> arrows are refusals (4xx: often the answer a negative scenario expects), <span style="color:#c62828">red</span> ones a 5xx or no answer at all.</p>
{% for item in scenarios %}{% set s = item.scenario %}
<section class="scenario" id="sc-{{ s.slug }}">
<h3><span class="o-{{ s.outcome }}">{{ mark[s.outcome] }} {{ s.outcome }}</span> – {{ s.title }}</h3>
<small>{{ s.feature }}{% if s.nodeid %} · <code>{{ s.nodeid }}</code>{% endif %} · {{ "%.2f" | format(s.duration_s) }} s
{% if s.session %} · session <code>{{ s.session }}</code>{% endif %}</small>
<div>{% for tag in s.clean_tags %}{% if tag.upper() in rule_ids %}<a class="tag" href="#rule-{{ tag.upper() }}">@{{ tag }}</a>{% else %}<span class="tag">@{{ tag }}</span>{% endif %}{% endfor %}</div>
{% if s.failure %}<pre class="failure">{{ s.failure }}</pre>{% endif %}
{% if s.steps %}<ol class="steps">{% for step in s.steps %}
<li class="o-{{ step.outcome }}">{{ step.keyword }} {{ step.name }} <small>({{ step.outcome }})</small></li>
{% endfor %}</ol>{% endif %}
{% if item.errors %}<p class="error-calls">Error answers (a refusal may be the expected one):
{% for e in item.errors %}<code class="problem">{{ e }}</code>{{ "; " if not loop.last }}{% endfor %}
{% if item.more_errors > 0 %} … and {{ item.more_errors }} more{% endif %}</p>{% endif %}
{% if s.problems %}<ul>{% for p in s.problems %}<li class="problem">{{ p }}</li>{% endfor %}</ul>{% endif %}
<div class="diagram">{{ item.svg }}</div>
</section>
{% else %}
<p>No scenario results.</p>
{% endfor %}
</body>
</html>
"""
