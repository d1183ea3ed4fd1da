#!/usr/bin/env bash
# Dependency audit: the exact packages of the current environment against the PyPA advisory
# database (OSV, https://osv.dev), with pip-audit (PyPA). Issue 18, item 9.
#
#   bash scripts/audit.sh            # from the venv to audit (e.g. after the README's install)
#   GRANNSKAP_AUDIT_STRICT=1 bash scripts/audit.sh   # a finding fails the step (exit 1)
#
# pip-audit runs in a throwaway venv of its own (it does not touch the audited one) on
# `pip freeze` of the audited one, with --no-deps --disable-pip (every version is pinned, so
# nothing is resolved or installed). When the advisory database cannot be reached (this
# project's build machine has no internet apart from the package registries) the step says
# so and exits 0: "not run" is never reported as "no findings".
set -uo pipefail
PY="${PYTHON:-python}"
if ! "$PY" - <<'PROBE' >/dev/null 2>&1
import json, urllib.request
req = urllib.request.Request(
    "https://api.osv.dev/v1/query",
    data=json.dumps({"package": {"name": "jinja2", "ecosystem": "PyPI"}, "version": "3.1.0"}).encode(),
    headers={"Content-Type": "application/json"},
)
urllib.request.urlopen(req, timeout=10).read()
PROBE
then
  echo "dependency audit NOT RUN: the vulnerability database (api.osv.dev) is not reachable from this network"
  exit 0
fi
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
"$PY" -m pip freeze --exclude-editable > "$work/requirements.txt"
"$PY" -m venv "$work/venv" && "$work/venv/bin/pip" install -q "pip-audit==2.10.1" || {
  echo "dependency audit NOT RUN: pip-audit could not be installed"
  exit 0
}
"$work/venv/bin/pip-audit" --vulnerability-service osv --no-deps --disable-pip \
  -r "$work/requirements.txt" --progress-spinner off
rc=$?
if [ "$rc" -ne 0 ]; then
  echo "dependency audit: findings above (pip-audit exit $rc)"
  [ "${GRANNSKAP_AUDIT_STRICT:-0}" = "1" ] && exit 1
fi
exit 0
