"""Fail when a Terraform file holds a credential-looking literal.

Catches `password = "..."`-style assignments (any key naming a password, token or key), an env
entry whose name says PASSWORD/TOKEN/SECRET given a literal `value`, `--password=...` arguments,
and PEM blocks. Interpolations (`"${...}"`) and references are fine: that is how the generated
password travels. Usage: no_secret_literals.py DIR... ; --self-test proves it catches each kind.
"""
import pathlib
import re
import sys
import tempfile

CHECKS = [
    ("a credential-named key set to a literal string",
     re.compile(r'\b\w*(?:password|passwd|token|apikey|api_key|private_key|client_key|secret_key|access_key)\w*\s*=\s*"(?!\$\{)', re.I)),
    ("a PASSWORD/TOKEN/SECRET environment variable given a literal value",
     re.compile(r'name\s*=\s*"[^"]*(?:PASSWORD|TOKEN|SECRET)[^"]*"\s*\n\s*value\s*=', re.I)),
    ("a password or token passed as an argument",
     re.compile(r'(?:password|token)=[^\s"$]', re.I)),
    ("a PEM block", re.compile(r"-----BEGIN [A-Z ]+-----")),
]


def scan(paths):
    findings = []
    for root in paths:
        for path in sorted(pathlib.Path(root).rglob("*")):
            if path.suffix not in (".tf", ".tfvars") or ".terraform" in path.parts:
                continue
            text = path.read_text()
            for what, pattern in CHECKS:
                for m in pattern.finditer(text):
                    line = text.count("\n", 0, m.start()) + 1
                    findings.append(f"{path}:{line}: {what}: {m.group(0).strip()}")
    return findings


def self_test():
    planted = {
        "key.tf": 'locals {\n  db_password = "hunter2"\n}\n',
        "env.tf": 'env {\n  name  = "POSTGRES_PASSWORD"\n  value = "hunter2"\n}\n',
        "arg.tf": 'locals {\n  args = ["--password=hunter2"]\n}\n',
        "pem.tf": 'locals {\n  k = <<EOT\n-----BEGIN PRIVATE KEY-----\nEOT\n}\n',
    }
    clean = 'locals {\n  PGPASSWORD = random_password.db.result\n  x = "${var.token}"\n  automount_service_account_token = false\n}\n'
    with tempfile.TemporaryDirectory() as d:
        for name, text in planted.items():
            case = pathlib.Path(d, name.removesuffix(".tf"))
            case.mkdir()
            (case / name).write_text(text)
            if not scan([case]):
                sys.exit(f"self-test: {name} was not caught")
        ok = pathlib.Path(d, "clean")
        ok.mkdir()
        (ok / "clean.tf").write_text(clean)
        if scan([ok]):
            sys.exit(f"self-test: a clean file was flagged: {scan([ok])}")


if __name__ == "__main__":
    self_test()
    found = scan(sys.argv[1:])
    for f in found:
        print(f, file=sys.stderr)
    if found:
        sys.exit(f"{len(found)} credential-looking literal(s) in the Terraform: generate them (random_password) and pass them by reference")
    print("no credential-looking literal in", " ".join(sys.argv[1:]))
