#!/usr/bin/env python3
"""Deterministic generator (from ../shared/peers, with the id key renamed request_id) of toy "proposed disclosure" requests (JSONL).

Every peer harness reads the same file, evaluates the same toy policy and
writes one output line per request:  <P|D><mask>
  P/D   permit / deny
  mask  hex digit, bit set of the rules that determined the decision
        (Cedar semantics: on permit the satisfied permit rules, on deny the
        satisfied forbid rules, 0 = default deny):
          1 = a  (written consent by the taxpayer)
          2 = b  (written request by head of a federal agency, non-tax criminal)
          4 = c  (ex parte court order with findings, non-tax criminal)
          8 = bar (confidential-informant risk; overrides b and c, not a)

Toy policy:
  permit  a  : consent.written && consent.by_taxpayer
  permit  b  : recipient.kind == "federal_agency" && request.written
               && request.signed_by == "head_of_agency"
               && info.category in {return_information_other_than_taxpayer_return_information,
                                    taxpayer_identity}
               && purpose == "nontax_criminal_proceeding"
               && request.sets_forth contains all of
                  {name, address, taxable_periods, statutory_authority, specific_reasons}
  permit  c  : court_order.ex_parte && court_order.findings_made
               && recipient.kind == "federal_agency" && purpose == "nontax_criminal_proceeding"
  forbid bar : confidential_informant_risk  unless  a
  decision   : permit iff some permit rule holds and no forbid rule holds
               (=> a || ((b || c) && !confidential_informant_risk))

Usage: gen_requests.py [N] [OUT.jsonl] [--seed S]
Writes OUT.jsonl and OUT.expected (reference decisions computed here).
"""
import argparse
import json
import random

REQUIRED_ITEMS = ["name", "address", "taxable_periods",
                  "statutory_authority", "specific_reasons"]
EXTRA_ITEMS = ["tin", "date_of_birth", "case_number"]
B_CATEGORIES = {"return_information_other_than_taxpayer_return_information",
                "taxpayer_identity"}
ALL_CATEGORIES = sorted(B_CATEGORIES | {"return", "taxpayer_return_information"})
RECIPIENT_KINDS = ["federal_agency", "state_agency", "individual",
                   "congressional_committee", "taxpayer_designee"]
PURPOSES = ["nontax_criminal_proceeding", "tax_administration", "statistical_use",
            "civil_litigation", "child_support_enforcement"]
SIGNERS = ["head_of_agency", "deputy_head", "line_attorney", "none"]


def pick(rng, p, yes, no):
    return yes if rng.random() < p else no


def gen_one(rng, i):
    profile = rng.random()
    # defaults: mostly "nothing applies"
    consent_w = rng.random() < 0.08
    consent_t = rng.random() < 0.08
    kind = rng.choice(RECIPIENT_KINDS)
    purpose = rng.choice(PURPOSES)
    category = rng.choice(ALL_CATEGORIES)
    req_w = rng.random() < 0.3
    signer = rng.choice(SIGNERS)
    items = [x for x in REQUIRED_ITEMS if rng.random() < 0.5]
    ex_parte = rng.random() < 0.1
    findings = rng.random() < 0.1

    if profile < 0.20:          # consent-driven proposals
        consent_w = rng.random() < 0.75
        consent_t = rng.random() < 0.75
    elif profile < 0.55:        # agency-request-driven proposals (exception b)
        kind = pick(rng, 0.85, "federal_agency", kind)
        req_w = rng.random() < 0.9
        signer = pick(rng, 0.8, "head_of_agency", signer)
        category = pick(rng, 0.85, rng.choice(sorted(B_CATEGORIES)), category)
        purpose = pick(rng, 0.85, "nontax_criminal_proceeding", purpose)
        if rng.random() < 0.65:
            items = list(REQUIRED_ITEMS)
        else:                   # near miss: drop one or two required items
            items = list(REQUIRED_ITEMS)
            for _ in range(rng.choice([1, 2])):
                items.pop(rng.randrange(len(items)))
    elif profile < 0.80:        # court-order-driven proposals (exception c)
        kind = pick(rng, 0.85, "federal_agency", kind)
        purpose = pick(rng, 0.85, "nontax_criminal_proceeding", purpose)
        ex_parte = rng.random() < 0.85
        findings = rng.random() < 0.8
    # else: background noise, keep defaults

    if rng.random() < 0.3:
        items.append(rng.choice(EXTRA_ITEMS))
    rng.shuffle(items)
    cir = rng.random() < 0.15

    return {
        # "id" is a keyword of the Proviso language, so no fact can be named
        # that; every peer reads the same file, and none of them reads the id.
        "request_id": i,
        "discloser": {"kind": "irs_employee", "office": "office_%d" % rng.randrange(40)},
        "recipient": {"kind": kind, "name": "recipient_%d" % rng.randrange(1000)},
        "info": {"category": category},
        "purpose": purpose,
        "request": {"written": req_w, "signed_by": signer, "sets_forth": items},
        "court_order": {"ex_parte": ex_parte, "findings_made": findings},
        "consent": {"written": consent_w, "by_taxpayer": consent_t},
        "confidential_informant_risk": cir,
    }


def decide(r):
    a = r["consent"]["written"] and r["consent"]["by_taxpayer"]
    fed_crim = (r["recipient"]["kind"] == "federal_agency"
                and r["purpose"] == "nontax_criminal_proceeding")
    b = (fed_crim and r["request"]["written"]
         and r["request"]["signed_by"] == "head_of_agency"
         and r["info"]["category"] in B_CATEGORIES
         and all(x in r["request"]["sets_forth"] for x in REQUIRED_ITEMS))
    c = fed_crim and r["court_order"]["ex_parte"] and r["court_order"]["findings_made"]
    bar = r["confidential_informant_risk"] and not a
    if bar:
        return "D", 8
    mask = (1 if a else 0) | (2 if b else 0) | (4 if c else 0)
    return ("P", mask) if mask else ("D", 0)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("n", nargs="?", type=int, default=100000)
    ap.add_argument("out", nargs="?", default="requests.jsonl")
    ap.add_argument("--seed", type=int, default=6103)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    exp_path = args.out.rsplit(".", 1)[0] + ".expected"
    counts = {}
    with open(args.out, "w") as f, open(exp_path, "w") as g:
        for i in range(args.n):
            r = gen_one(rng, i)
            f.write(json.dumps(r, separators=(",", ":")) + "\n")
            d, m = decide(r)
            g.write("%s%x\n" % (d, m))
            counts[(d, m)] = counts.get((d, m), 0) + 1
    permits = sum(v for (d, _), v in counts.items() if d == "P")
    print("wrote %d requests to %s (permit %d, deny %d)" %
          (args.n, args.out, permits, args.n - permits))
    for k in sorted(counts):
        print("  %s%x %6d" % (k[0], k[1], counts[k]))


if __name__ == "__main__":
    main()
