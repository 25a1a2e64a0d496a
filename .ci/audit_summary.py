"""Read pip-audit's JSON report: fail on any known vulnerability, say plainly what was not audited.

pip-audit looks vulnerabilities up on PyPI's per-release JSON API (or OSV). Where neither can
be reached it skips every dependency; that is printed as a warning, not taken for a pass.
"""

from __future__ import annotations

import json
import sys


def main(path: str, log: str) -> int:
    try:
        with open(path, encoding="utf-8") as report:
            dependencies = json.load(report)["dependencies"]
    except (OSError, ValueError, KeyError):
        print("WARNING: pip-audit wrote no report, so nothing was audited; what it said:")
        with open(log, encoding="utf-8", errors="replace") as said:
            print(said.read()[-2000:])
        return 0
    vulnerable = [d for d in dependencies if d.get("vulns")]
    skipped = [d for d in dependencies if "skip_reason" in d]
    for dependency in vulnerable:
        name, version = dependency["name"], dependency["version"]
        for vuln in dependency["vulns"]:
            fixes = ", ".join(vuln.get("fix_versions") or []) or "no fixed release yet"
            print(f"VULNERABLE {name} {version}: {vuln['id']} ({fixes})")
    audited, total = len(dependencies) - len(skipped), len(dependencies)
    print(f"pip-audit: {audited} of {total} dependencies audited, {len(vulnerable)} vulnerable")
    if skipped:
        print(
            f"WARNING: {len(skipped)} not audited: the advisory service could not be reached"
            " or did not know them, e.g."
        )
        for dependency in skipped[:5]:
            print(f"    {dependency['skip_reason']}")
    return 1 if vulnerable else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
