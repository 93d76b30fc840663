"""Read checkov's JSON report (stdin) and fail on any finding.

Checkov reports a severity only with a Prisma Cloud API key, so "no high-severity finding" is
enforced as "no finding at all": every suppression is a `#checkov:skip=ID:reason` in the
Terraform, and a skip without a reason fails here too. It also fails when checkov checked no
workload (a parser or checkov upgrade that silently stops checking must not pass).
"""
import collections
import json
import sys

report = json.load(sys.stdin)
if isinstance(report, list):  # one report per framework
    report = next(r for r in report if r.get("check_type") == "terraform")
results, summary = report["results"], report["summary"]

problems = []
for c in results.get("failed_checks", []):
    problems.append(f"{c['file_path']}:{c['file_line_range'][0]} {c['resource']}: {c['check_id']} {c['check_name']}")
for c in results.get("skipped_checks", []):
    reason = (c["check_result"].get("suppress_comment") or "").strip()
    if len(reason) < 20:
        problems.append(f"{c['file_path']} {c['resource']}: {c['check_id']} skipped without a reason that says why")
if summary.get("parsing_errors"):
    problems.append(f"checkov could not parse {summary['parsing_errors']} file(s)")

per_resource = collections.Counter(c["resource"].split(".")[-2] for c in results.get("passed_checks", []))
if per_resource["kubernetes_deployment_v1"] < 20:
    problems.append(f"only {per_resource['kubernetes_deployment_v1']} checks ran on the Deployments: checkov no longer checks them")

for p in problems:
    print("checkov:", p, file=sys.stderr)
if problems:
    sys.exit(f"{len(problems)} checkov problem(s)")
skipped = sorted({c["check_id"] for c in results.get("skipped_checks", [])})
print(f"checkov {summary['checkov_version']}: {summary['passed']} passed, 0 failed, {summary['skipped']} skipped with reasons ({', '.join(skipped)})")
