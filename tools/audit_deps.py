"""Dependency audit: pip-audit over requirements.txt, and a loud verdict when it could not really audit.

pip-audit prints "No known vulnerabilities found" and exits 0 even when every package was skipped because
its vulnerability database (PyPI's JSON API or OSV) could not be reached. On a closed network that would be
a silent pass, so this wrapper reads pip-audit's JSON and decides itself.

Exit status: 0 every pinned package audited, none vulnerable; 1 a known vulnerability (fix the pin);
3 the database was not reachable for some or all packages: NOT audited (CI prints that prominently; set
AUDIT_STRICT=1 to make it fail instead). AUDIT_SERVICE=osv asks OSV instead of PyPI.
"""
import json
import os
import subprocess  # nosec B404 — runs pip-audit from our own venv with fixed arguments
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NOT_AUDITED = 3


def main() -> int:
    requirements = sys.argv[1] if len(sys.argv) > 1 else str(ROOT / "requirements.txt")
    pip_audit = Path(sys.executable).with_name("pip-audit")
    command = [str(pip_audit), "-r", requirements, "--no-deps", "--progress-spinner", "off", "-f", "json",
               "--timeout", os.environ.get("AUDIT_TIMEOUT", "20"),
               "--vulnerability-service", os.environ.get("AUDIT_SERVICE", "pypi")]
    result = subprocess.run(command, capture_output=True, text=True, check=False)  # nosec B603 — fixed argv
    try:
        report = json.loads(result.stdout)
    except json.JSONDecodeError:
        print(result.stderr.strip()[-2000:], file=sys.stderr)
        print("!! pip-audit did not run (see above): dependencies NOT audited", file=sys.stderr)
        return NOT_AUDITED
    deps = report.get("dependencies", [])
    vulnerable = [d for d in deps if d.get("vulns")]
    skipped = [d for d in deps if d.get("skip_reason")]
    for dep in vulnerable:
        for vuln in dep["vulns"]:
            fixes = ", ".join(vuln.get("fix_versions") or []) or "no fix released"
            print(f"VULNERABLE {dep['name']}=={dep.get('version')}: {vuln['id']} (fixed in: {fixes})")
    audited = len(deps) - len(skipped)
    print(f"pip-audit: {audited} of {len(deps)} pinned packages audited, {len(vulnerable)} vulnerable, "
          f"{len(skipped)} not audited")
    if vulnerable:
        return 1
    if skipped:
        reasons = sorted({d["skip_reason"].split(":")[0] for d in skipped})
        print("!! pip-audit could NOT check " + ", ".join(d["name"] for d in skipped), file=sys.stderr)
        print("!! reason: " + "; ".join(reasons) + " — the vulnerability database (PyPI JSON API / OSV) is not "
              "reachable from this network. Run `make audit` where it is, or mirror the database.", file=sys.stderr)
        return NOT_AUDITED
    return 0


if __name__ == "__main__":
    sys.exit(main())
