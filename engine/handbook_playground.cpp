// The trainers' playground: one self-contained HTML page with the vocabulary
// and the scenarios embedded, a form generated from the vocabulary, and calls
// to POST /v1/explain (falling back to /v1/decide) of `proviso serve`.
#include "explain.hpp"
#include "handbook.hpp"

namespace proviso {
namespace {

const char* kPage = R"PAGE(<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Proviso playground</title>
<style>
body{font-family:sans-serif;margin:0;display:flex;gap:1rem;line-height:1.35}
#form{width:44%;height:100vh;overflow:auto;padding:1rem;box-sizing:border-box;background:#f7f7f7}
#out{flex:1;height:100vh;overflow:auto;padding:1rem;box-sizing:border-box}
fieldset{margin:.5rem 0;border:1px solid #ccc;min-width:0}legend{font-weight:bold}
select{max-width:100%}label.fact{display:block;margin:.35rem 0}label.fact span{display:block;font-size:.85rem;color:#444}
.fixed span::after{content:" (fixed: never proposed as a change)";color:#999}
#decision{font-size:1.6rem;font-weight:bold;text-transform:uppercase}
.permitted{color:#176117}.denied{color:#a11}.undetermined{color:#a60}.conflict{color:#70a}
li.false::marker{content:"✗ "}li.true::marker{content:"✓ "}li.unknown::marker{content:"? "}
.facts{color:#555;font-size:.85rem}button{margin-left:.5rem}
</style>
</head>
<body>
<div id="form">
<h1>Proviso playground</h1>
<p>Pick a scenario or edit the facts; the decision and its explanation update as you go. "unknown" is always a choice: an unknown fact is never false.</p>
<label>Scenario <select id="scenario"><option value="">(start from nothing)</option></select></label>
<div id="fields"></div>
</div>
<div id="out">
<div id="decision">…</div>
<p id="summary"></p>
<div id="explanation"></div>
</div>
<script id="vocabulary" type="application/json">@VOCABULARY@</script>
<script>
"use strict";
const V = JSON.parse(document.getElementById("vocabulary").textContent);
const HANDBOOK = location.protocol.startsWith("http") ? "/handbook/" : "../../docs/handbook/";
const $ = (tag, attrs = {}, ...kids) => {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) k === "text" ? (e.textContent = v) : e.setAttribute(k, v);
  for (const k of kids) e.append(k);
  return e;
};
function getPath(obj, path) { return path.split(".").reduce((o, k) => (o && typeof o === "object" ? o[k] : undefined), obj); }
function setPath(obj, path, value) {
  const keys = path.split("."), last = keys.pop();
  let o = obj;
  for (const k of keys) { if (typeof o[k] !== "object" || o[k] === null) o[k] = {}; o = o[k]; }
  if (value === undefined) delete o[last]; else o[last] = value;
}
function prune(obj) {
  for (const k of Object.keys(obj)) if (obj[k] && typeof obj[k] === "object" && !Array.isArray(obj[k])) { prune(obj[k]); if (!Object.keys(obj[k]).length) delete obj[k]; }
  return obj;
}
function control(f) {
  const name = "f:" + f.path;
  if (f.type === "bool") {
    const s = $("select", {name, "data-path": f.path});
    s.append($("option", {value: "", text: "unknown"}), $("option", {value: "true", text: "yes"}), $("option", {value: "false", text: "no"}));
    return s;
  }
  if (f.type === "enum") {
    const s = $("select", {name, "data-path": f.path});
    s.append($("option", {value: "", text: "unknown"}));
    for (const [v, d] of f.values) s.append($("option", {value: v, title: d, text: d ? v + " — " + d : v}));
    return s;
  }
  if (f.type === "set") {
    const box = $("div", {"data-path": f.path, "data-set": "1"});
    box.append($("label", {}, $("input", {type: "checkbox", value: "", checked: ""}), " unknown"));
    for (const [v, d] of f.values) box.append($("label", {title: d}, $("input", {type: "checkbox", value: v}), " " + v + " "));
    return box;
  }
  return $("input", {name, "data-path": f.path, placeholder: "unknown", type: f.type === "date" ? "date" : f.type === "string" ? "text" : "number"});
}
function buildForm() {
  const fields = document.getElementById("fields");
  const groups = {};
  for (const f of V.facts) {
    const g = f.path.split(".")[0];
    if (!groups[g]) fields.append(groups[g] = $("fieldset", {}, $("legend", {text: g})));
    groups[g].append($("label", {class: "fact" + (f.fixed ? " fixed" : "")}, $("span", {text: f.path + ": " + f.description}), control(f)));
  }
  const readings = $("fieldset", {}, $("legend", {text: "contested readings"}));
  for (const i of V.interpretations) {
    const s = $("select", {"data-interpretation": i.name});
    s.append($("option", {value: "", text: "default (" + (i.default ? "yes" : "no") + ")"}), $("option", {value: "true", text: "yes"}), $("option", {value: "false", text: "no"}));
    readings.append($("label", {class: "fact"}, $("span", {text: i.name + ": " + i.phrase}), s));
  }
  fields.append(readings);
  fields.addEventListener("change", (e) => {
    const box = e.target.closest("[data-set]");
    if (box && e.target.type === "checkbox") {
      const unknownBox = box.querySelector("input[value='']");
      if (e.target.value === "") { if (e.target.checked) box.querySelectorAll("input").forEach((c) => { if (c.value) c.checked = false; }); }
      else unknownBox.checked = false;
    }
    update();
  });
  fields.addEventListener("input", (e) => { if (e.target.tagName === "INPUT" && e.target.type !== "checkbox") update(); });
}
function readForm() {
  const r = {};
  for (const el of document.querySelectorAll("#fields [data-path]")) {
    const f = V.facts.find((x) => x.path === el.dataset.path);
    let v;
    if (el.dataset.set) {
      const boxes = [...el.querySelectorAll("input")];
      if (!boxes[0].checked) v = boxes.filter((c) => c.value && c.checked).map((c) => c.value);
    } else if (el.value !== "") {
      v = f.type === "bool" ? el.value === "true" : f.type === "integer" ? parseInt(el.value, 10) : f.type === "decimal" ? parseFloat(el.value) : el.value;
    }
    setPath(r, f.path, v);
  }
  for (const el of document.querySelectorAll("#fields [data-interpretation]"))
    if (el.value !== "") setPath(r, "interpretations." + el.dataset.interpretation, el.value === "true");
  return prune(r);
}
function writeForm(r) {
  for (const el of document.querySelectorAll("#fields [data-path]")) {
    const v = getPath(r, el.dataset.path);
    if (el.dataset.set) {
      for (const c of el.querySelectorAll("input")) c.checked = c.value === "" ? !Array.isArray(v) : Array.isArray(v) && v.includes(c.value);
    } else el.value = v === undefined || v === null ? "" : String(v);
  }
  for (const el of document.querySelectorAll("#fields [data-interpretation]")) {
    const v = getPath(r, "interpretations." + el.dataset.interpretation);
    el.value = v === undefined ? "" : String(v);
  }
}
function cite(c, rule) {
  if (!c) return document.createTextNode(rule || "");
  return rule ? $("a", {href: HANDBOOK + "rules/" + rule + ".html", text: c.text}) : document.createTextNode(c.text);
}
function condition(c) {
  const li = $("li", {class: c.value}, c.text + " ", c.cite ? "[" + c.cite.text + "]" : "");
  const facts = Object.entries(c.facts || {}).map(([k, v]) => k + " = " + JSON.stringify(v)).join("; ");
  if (facts && !(c.because || []).length) li.append($("div", {class: "facts", text: facts}));
  if ((c.because || []).length) li.append($("ul", {}, ...c.because.map(condition)));
  return li;
}
function render(d) {
  const out = document.getElementById("explanation");
  const dec = document.getElementById("decision");
  dec.textContent = d.decision.replace("_", " ");
  dec.className = d.decision;
  document.getElementById("summary").textContent = d.summary;
  out.textContent = "";
  const section = (title, ...kids) => out.append($("h2", {text: title}), ...kids);
  if ((d.authorities || []).length)
    section("Decided by", $("ul", {}, ...d.authorities.map((a) => $("li", {}, cite(a.cite, a.rule), " — " + (a.title || "")))));
  if ((d.obligations || []).length)
    section("Obligations", $("ul", {}, ...d.obligations.map((o) => $("li", {text: o.text + (o.cite ? " [" + o.cite.text + "]" : "")}))));
  if ((d.unknown_facts || []).length)
    section("Facts that would decide it", $("ul", {}, ...d.unknown_facts.map((f) => $("li", {text: f.fact + " — " + f.description}))));
  if ((d.next_questions || []).length)
    section("Ask next", $("ol", {}, ...d.next_questions.map((q) => {
      const leads = {};  // the answers grouped by what they lead to
      for (const a of q.answers) (leads[a.decision] = leads[a.decision] || []).push(JSON.stringify(a.value));
      return $("li", {}, q.question + " (" + q.fact + ")",
        $("ul", {}, ...Object.entries(leads).map(([o, vs]) => $("li", {text: o.replace("_", " ") + ": " + vs.join(", ")}))));
    })));
  if ((d.nearest_exceptions || []).length)
    section("Closest exceptions", $("ol", {}, ...d.nearest_exceptions.map((x) => $("li", {}, cite(x.cite, x.rule), " — " + (x.title || ""),
      (x.defeated_by || []).length ? $("div", {text: "defeated by " + x.defeated_by.join(", ")}) : "",
      $("ul", {}, ...(x.failing || []).map(condition), ...(x.unknown || []).map(condition))))));
  if ((d.counterfactuals || []).length)
    section("What would change the answer", $("ul", {}, ...d.counterfactuals.map((c) => {
      const b = $("button", {type: "button", text: "apply"});
      b.addEventListener("click", () => { const r = readForm(); for (const [k, v] of Object.entries(c.change)) setPath(r, k, v); writeForm(r); update(); });
      return $("li", {}, Object.entries(c.change).map(([k, v]) => k + " = " + JSON.stringify(v)).join(", ") + " → " + c.decision + " under ", cite(c.cite, c.rule), b);
    })));
  if ((d.interpretations || []).length)
    section("Contested readings", $("ul", {}, ...d.interpretations.map((i) => $("li", {text: (i.relied_on ? "relied on: " : "read: ") + i.name + " = " + i.value + " — " + i.reading + "; the other reading gives " + i.other_reading.decision}))));
}
let pending = 0;
async function update() {
  const body = JSON.stringify(readForm());
  history.replaceState(null, "", "#request=" + encodeURIComponent(body));
  const mine = ++pending;
  let response;
  for (const endpoint of ["/v1/explain", "/v1/decide"]) {
    try {
      response = await fetch(endpoint, {method: "POST", headers: {"Content-Type": "application/json"}, body});
      if (response.status !== 404) break;
    } catch (e) { response = undefined; }
  }
  if (mine !== pending) return;
  if (!response || !response.ok) {
    document.getElementById("decision").textContent = "no decision";
    document.getElementById("summary").textContent = response ? "the server said " + response.status + ": " + (await response.text()) : "no server: run `proviso serve` and open /playground";
    return;
  }
  render(await response.json());
}
buildForm();
const picker = document.getElementById("scenario");
V.scenarios.forEach((s, i) => picker.append($("option", {value: String(i), text: s.suite + " › " + s.name})));
picker.addEventListener("change", () => { if (picker.value !== "") { writeForm(V.scenarios[+picker.value].request); update(); } });
const hash = new URLSearchParams(location.hash.slice(1));
if (hash.has("request")) { try { writeForm(JSON.parse(hash.get("request"))); } catch (e) {} }
update();
</script>
</body>
</html>
)PAGE";

const char* type_word(const Policy& policy, Type t) {
  (void)policy;
  switch (t.kind) {
    case TypeKind::boolean: return "bool";
    case TypeKind::integer: return "integer";
    case TypeKind::decimal: return "decimal";
    case TypeKind::date: return "date";
    case TypeKind::string: return "string";
    case TypeKind::enumeration: return "enum";
    case TypeKind::set: return "set";
    default: return "string";
  }
}

}  // namespace

std::string playground_html(const Policy& policy, const std::vector<Scenario>& scenarios) {
  nlohmann::json v;
  v["ruleset"] = {{"name", policy.name}, {"version", policy.version}};
  v["facts"] = nlohmann::json::array();
  for (const auto& f : policy.facts) {
    nlohmann::json fact{{"path", f.path}, {"type", type_word(policy, f.type)}, {"description", f.description}, {"fixed", f.fixed}};
    if (f.type.kind == TypeKind::enumeration || f.type.kind == TypeKind::set) {
      const auto& e = policy.enums[f.type.enum_id];
      fact["values"] = nlohmann::json::array();
      for (std::size_t i = 0; i < e.values.size(); ++i)
        fact["values"].push_back({e.values[i], i < e.value_descriptions.size() ? e.value_descriptions[i] : ""});
    }
    v["facts"].push_back(std::move(fact));
  }
  v["interpretations"] = nlohmann::json::array();
  for (const auto& i : policy.interpretations)
    v["interpretations"].push_back({{"name", i.name}, {"phrase", i.phrase}, {"default", i.default_value}});
  v["scenarios"] = nlohmann::json::array();
  for (const auto& s : scenarios) v["scenarios"].push_back({{"suite", s.suite}, {"name", s.name}, {"request", s.request}});
  auto data = v.dump();
  // Inside <script>, "</" could close the element early.
  for (std::size_t at = data.find("</"); at != std::string::npos; at = data.find("</", at + 3)) data.replace(at, 2, "<\\/");
  std::string page = kPage;
  page.replace(page.find("@VOCABULARY@"), 12, data);
  return page;
}

}  // namespace proviso
