#!/usr/bin/env python3
"""The report of bench/run: the tables and, as the last line, one JSON object.

usage: summarize.py RESULTS_DIR RUNS peer...
Reads RESULTS_DIR/<peer>.<run>.result (+ .agree) for the toy peers and
irc6103.result, scale.result, batch1.result, batch2.result. Figures are the
median over the runs. Exits 1 when any decisions disagree."""
import json
import os
import statistics
import sys


def load(path):
    if not os.path.exists(path):
        return None
    text = open(path).read().strip()
    return json.loads(text) if text else None


def med(runs, key):
    vals = [r[key] for r in runs if isinstance(r.get(key), (int, float))]
    return statistics.median(vals) if vals else None


def rate(x):
    if x is None:
        return "-"
    return "%.2fM" % (x / 1e6) if x >= 1e6 else "%.1fk" % (x / 1e3) if x >= 1e3 else "%.0f" % x


def ns(x):
    if x is None:
        return "-"
    return "%.0f ns" % x if x < 1e4 else "%.1f us" % (x / 1e3)


def ratio(a, b):
    return None if a is None or b is None or b == 0 else a / b


def main():
    d, runs_n, peers = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
    toy, agree = {}, {}
    for p in peers:
        runs = [load(os.path.join(d, "%s.%d.result" % (p, r))) for r in range(1, runs_n + 1)]
        toy[p] = [r for r in runs if r]
        flags = [open(os.path.join(d, "%s.%d.agree" % (p, r))).read().strip()
                 for r in range(1, runs_n + 1) if os.path.exists(os.path.join(d, "%s.%d.agree" % (p, r)))]
        agree[p] = bool(flags) and all(f == "agree" for f in flags)
    irc = load(os.path.join(d, "irc6103.result")) or {}
    scale = load(os.path.join(d, "scale.result")) or {}
    b1 = load(os.path.join(d, "batch1.result")) or {}
    b2 = load(os.path.join(d, "batch2.result")) or {}
    cedar_irc = load(os.path.join(d, "cedar-irc6103.result")) or {}
    cedar_irc_agree = os.path.exists(os.path.join(d, "cedar-irc6103.agree")) and \
        open(os.path.join(d, "cedar-irc6103.agree")).read().strip() == "agree"
    cli1 = load(os.path.join(d, "cli-batch1.result")) or {}
    cli2 = load(os.path.join(d, "cli-batch2.result")) or {}
    none1 = load(os.path.join(d, "cli-none1.result")) or {}
    none2 = load(os.path.join(d, "cli-none2.result")) or {}
    cli_agree = os.path.exists(os.path.join(d, "cli-batch.agree")) and open(os.path.join(d, "cli-batch.agree")).read().strip() == "agree"
    batch_agree = os.path.exists(os.path.join(d, "batch.agree")) and open(os.path.join(d, "batch.agree")).read().strip() == "agree"

    pv = toy.get("proviso", [])
    figures = {
        "toy_bound_ns": med(pv, "bound_ns"),
        "toy_bound_p50_ns": med(pv, "bound_p50_ns"),
        "toy_bound_p99_ns": med(pv, "bound_p99_ns"),
        "toy_limit_ns": (1e9 / med(toy["limit"], "eval_dps")) if toy.get("limit") else None,
        "toy_e2e_per_s": med(pv, "e2e_per_s"),
        "toy_e2e_p50_ns": med(pv, "e2e_p50_ns"),
        "toy_e2e_p99_ns": med(pv, "e2e_p99_ns"),
        "toy_explain_ns": med(pv, "explain_ns"),
        "cedar_wasm_toy_eval_per_s": med(toy.get("cedar-wasm", []), "eval_dps"),
        "cedar_wasm_toy_e2e_per_s": med(toy.get("cedar-wasm", []), "e2e_dps"),
        "json_rules_engine_toy_e2e_per_s": med(toy.get("json-rules-engine", []), "e2e_dps"),
        "clips_toy_eval_per_s": med(toy.get("clips", []), "eval_dps"),
        "swipl_toy_eval_per_s": med(toy.get("swipl", []), "eval_dps"),
        "limit_toy_e2e_dom_per_s": med(toy.get("limit", []), "e2e_dps"),
        "limit_toy_e2e_simdjson_per_s": med(toy.get("limit", []), "e2e_simdjson_dps"),
        "irc6103_bound_ns": irc.get("bound_ns"),
        "irc6103_bound_p50_ns": irc.get("bound_p50_ns"),
        "irc6103_bound_p99_ns": irc.get("bound_p99_ns"),
        "irc6103_e2e_per_s": irc.get("e2e_per_s"),
        "irc6103_e2e_p50_ns": irc.get("e2e_p50_ns"),
        "irc6103_e2e_p99_ns": irc.get("e2e_p99_ns"),
        "irc6103_reference_e2e_per_s": irc.get("reference_e2e_per_s"),
        "irc6103_explain_ns": irc.get("explain_ns"),
        "irc6103_explain_p99_ns": irc.get("explain_p99_ns"),
        "irc6103_bound_cpu_ns": irc.get("bound_cpu_ns"),
        "irc6103_bound_hot_ns": irc.get("bound_hot_ns"),
        "irc6103_e2e_cpu_per_s": irc.get("e2e_cpu_per_s"),
        "irc6103_explain_cpu_ns": irc.get("explain_cpu_ns"),
        "irc6103_trace_decide_cpu_ns": irc.get("trace_decide_cpu_ns"),
        "irc6103_explain_tree_cpu_ns": irc.get("explain_tree_cpu_ns"),
        "irc6103_explain_json_bytes": irc.get("explain_json_bytes"),
        "irc6103_explain_p50_ns": irc.get("explain_p50_ns"),
        "irc6103_explain_by_outcome_cpu_ns": {k: v.get("cpu_ns") for k, v in (irc.get("explain_by_outcome") or {}).items()},
        "irc6103_explain_with_counterfactuals_ns": irc.get("explain_counterfactuals_ns"),
        "cedar_wasm_irc6103_e2e_per_s": cedar_irc.get("e2e_dps"),
        "cedar_wasm_irc6103_eval_per_s": cedar_irc.get("eval_dps"),
        "cedar_wasm_irc6103_n": cedar_irc.get("n"),
        "proviso_batch_cli_1_job_per_s": cli1.get("per_s"),
        "proviso_batch_cli_2_jobs_per_s": cli2.get("per_s"),
        "proviso_batch_none_1_job_per_s": none1.get("per_s"),
        "proviso_batch_none_2_jobs_per_s": none2.get("per_s"),
        "compile_irc6103_ms": (scale.get("irc6103") or {}).get("compile_ms"),
        "compile_irc6103_cpu_ms": (scale.get("irc6103") or {}).get("compile_cpu_ms"),
        "compile_10k_rules_ms": (scale.get("rules_10000") or {}).get("compile_ms"),
        "compile_10k_rules_cpu_ms": (scale.get("rules_10000") or {}).get("compile_cpu_ms"),
        "decide_10k_rules_ns": (scale.get("rules_10000") or {}).get("decide_ns"),
        "decide_10k_rules_cpu_ns": (scale.get("rules_10000") or {}).get("decide_cpu_ns"),
        "decide_10k_rules_all_known_cpu_ns": (scale.get("rules_10000") or {}).get("decide_known_cpu_ns"),
        "memory_10k_rules_bytes": (scale.get("rules_10000") or {}).get("bytes"),
        "batch_n": b1.get("n"),
        "batch_1_thread_per_s": b1.get("per_s"),
        "batch_2_threads_per_s": b2.get("per_s"),
        "batch_1_thread_cpu_per_s": b1.get("cpu_per_s"),
        "batch_2_threads_cpu_per_s": b2.get("cpu_per_s"),
        "batch_load": b2.get("load"),
        "policy_bytes_irc6103": (scale.get("irc6103") or {}).get("bytes"),
        "peak_rss_bytes": max([x for x in [irc.get("peak_rss_bytes"), scale.get("peak_rss_bytes"), b1.get("peak_rss_bytes"),
                                           b2.get("peak_rss_bytes"), med(pv, "peak_rss_bytes")] if x] or [0]),
    }
    f = figures
    f["toy_bound_x_limit"] = ratio(f["toy_bound_ns"], f["toy_limit_ns"])
    f["toy_bound_x_clips"] = ratio(f["clips_toy_eval_per_s"] and 1e9 / f["clips_toy_eval_per_s"], f["toy_bound_ns"])
    f["toy_bound_x_swipl"] = ratio(f["swipl_toy_eval_per_s"] and 1e9 / f["swipl_toy_eval_per_s"], f["toy_bound_ns"])
    f["toy_e2e_x_cedar_wasm"] = ratio(f["toy_e2e_per_s"], f["cedar_wasm_toy_e2e_per_s"])
    f["batch_scaling"] = ratio(f["batch_2_threads_per_s"], f["batch_1_thread_per_s"])
    f["proviso_batch_none_scaling"] = ratio(f["proviso_batch_none_2_jobs_per_s"], f["proviso_batch_none_1_job_per_s"])
    f["irc6103_e2e_x_cedar_wasm"] = ratio(f["irc6103_e2e_per_s"], f["cedar_wasm_irc6103_e2e_per_s"])
    f["toy_e2e_cpu_per_s"] = med(pv, "e2e_cpu_per_s")
    f["toy_bound_cpu_ns"] = med(pv, "bound_cpu_ns")
    f["toy_bound_hot_ns"] = med(pv, "bound_hot_ns")
    cedar_ran = "cedar-wasm" in peers
    all_agree = all(agree.get(p) for p in peers) and irc.get("reference_mismatch") == 0 and batch_agree and cli_agree and \
        (cedar_irc_agree or not cedar_ran) and \
        all((scale.get("rules_%d" % s) or {}).get("mismatches") == 0 for s in (10, 100, 1000, 10000))
    f["decisions_agree"] = all_agree
    f["peers_agree"] = {p: agree.get(p, False) for p in peers}

    print("\nToy policy, %s requests (median of %d run(s)); decisions checked against the reference file:" %
          (pv[0]["n"] if pv else "?", runs_n))
    print("| engine | agree | eval decisions/s | eval p50 | e2e decisions/s | e2e p50 | e2e / Cedar-wasm |")
    print("|---|---|---:|---:|---:|---:|---:|")
    cedar_e2e = f["cedar_wasm_toy_e2e_per_s"]
    for p in peers:
        runs = toy.get(p, [])
        e2e = med(runs, "e2e_dps")
        print("| %s | %s | %s | %s | %s | %s | %s |" % (
            p, "yes" if agree.get(p) else "NO", rate(med(runs, "eval_dps")),
            ns(med(runs, "eval_med_us") * 1e3 if med(runs, "eval_med_us") is not None else None),
            rate(e2e), ns(med(runs, "e2e_med_us") * 1e3 if med(runs, "e2e_med_us") is not None else None),
            "%.0fx" % ratio(e2e, cedar_e2e) if ratio(e2e, cedar_e2e) else "-"))
    print("\n§ 6103 (%s requests): bound %s/decision (p50 %s, p99 %s); JSON line → decision %s/s (p50 %s, p99 %s; "
          "DOM reference path %s/s); full explanation mean %s (p99 %s); reference check %s of %s disagree" % (
              irc.get("n"), ns(f["irc6103_bound_ns"]), ns(f["irc6103_bound_p50_ns"]), ns(f["irc6103_bound_p99_ns"]),
              rate(f["irc6103_e2e_per_s"]), ns(f["irc6103_e2e_p50_ns"]), ns(f["irc6103_e2e_p99_ns"]),
              rate(f["irc6103_reference_e2e_per_s"]), ns(f["irc6103_explain_ns"]), ns(f["irc6103_explain_p99_ns"]),
              irc.get("reference_mismatch"), irc.get("reference_checked")))
    by_outcome = irc.get("explain_by_outcome") or {}
    if by_outcome:
        print("full explanation by outcome (CPU time; per-call p50, p99): " + "; ".join(
            "%s %s (%s; %s, %s)" % (k, "%d requests" % v["n"], ns(v["cpu_ns"]), ns(v["p50_ns"]), ns(v["p99_ns"]))
            for k, v in sorted(by_outcome.items())))
    print("Cedar-wasm on the exported § 6103 set (%s requests): %s/s end to end, %s/s evaluation only; agrees: %s" % (
        f["cedar_wasm_irc6103_n"], rate(f["cedar_wasm_irc6103_e2e_per_s"]), rate(f["cedar_wasm_irc6103_eval_per_s"]),
        "yes" if cedar_irc_agree else "NO"))
    print("proviso batch (tracing evaluator, v1 decision JSON): --jobs 1 %s/s, --jobs 2 %s/s; outputs identical: %s" % (
        rate(f["proviso_batch_cli_1_job_per_s"]), rate(f["proviso_batch_cli_2_jobs_per_s"]), "yes" if cli_agree else "NO"))
    print("\n| rules | compile | memory | decide (bound) |")
    print("|---:|---:|---:|---:|")
    for s in (10, 100, 1000, 10000):
        r = scale.get("rules_%d" % s) or {}
        print("| %d | %.1f ms | %.2f MB | %s |" % (s, r.get("compile_ms", 0), r.get("bytes", 0) / 1e6, ns(r.get("decide_ns"))))
    r = scale.get("irc6103") or {}
    print("| § 6103 | %.1f ms | %.2f MB | %s |" % (r.get("compile_ms", 0), r.get("bytes", 0) / 1e6, ns(f["irc6103_bound_ns"])))
    print("\nbatch (%s requests, fast path, order kept): 1 thread %s/s, 2 threads %s/s (x%.2f); outputs identical: %s" % (
        f["batch_n"], rate(f["batch_1_thread_per_s"]), rate(f["batch_2_threads_per_s"]), f["batch_scaling"] or 0,
        "yes" if batch_agree else "NO"))
    print("proviso batch --explain none (the product command, same input and output, the policy load included): 1 job %s/s, 2 jobs %s/s (x%.2f)" % (
        rate(f["proviso_batch_none_1_job_per_s"]), rate(f["proviso_batch_none_2_jobs_per_s"]), f["proviso_batch_none_scaling"] or 0))
    print("peak memory of any Proviso step: %.1f MB; all decisions agree: %s" % (f["peak_rss_bytes"] / 1e6, "yes" if all_agree else "NO"))
    print(json.dumps({k: (round(v, 3) if isinstance(v, float) else v) for k, v in f.items()}))
    return 0 if all_agree else 1


if __name__ == "__main__":
    sys.exit(main())
