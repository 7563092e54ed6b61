"""The request of every scenario in a rule set's tests/*.yaml, built as
`proviso test` builds it (engine/scenario.cpp, docs/testing.md): `request`
deep-merged over `base`, then `set` (dotted paths), then `unset`, then the
scenario's `interpretations` replacing any in the request. Shared by the
determinism and batch tests."""
import copy
import glob
import os

import yaml


def merge(base, over):
    out = copy.deepcopy(base)
    for key, value in over.items():
        out[key] = merge(out[key], value) if isinstance(value, dict) and isinstance(out.get(key), dict) else copy.deepcopy(value)
    return out


def set_path(request, path, value):
    *parents, leaf = path.split(".")
    for part in parents:
        request = request.setdefault(part, {})
    request[leaf] = value


def unset_path(request, path):
    *parents, leaf = path.split(".")
    for part in parents:
        request = request.get(part, {})
    request.pop(leaf, None)


def scenario_requests(rules_dir):
    """Yields each scenario's request, file by file in name order."""
    for path in sorted(glob.glob(os.path.join(rules_dir, "tests", "*.yaml"))):
        with open(path, encoding="utf-8") as f:
            suite = yaml.safe_load(f)
        for scenario in suite.get("scenarios", []):
            request = merge(suite.get("base") or {}, scenario.get("request") or {})
            for fact, value in (scenario.get("set") or {}).items():
                set_path(request, fact, value)
            for fact in scenario.get("unset") or []:
                unset_path(request, fact)
            if "interpretations" in scenario:
                request["interpretations"] = scenario["interpretations"]
            yield request
