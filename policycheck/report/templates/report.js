/* policycheck report: filters, finding <-> clause navigation and review decisions.
   Runs without any network access; the Content-Security-Policy allows only this script. */
(function () {
  "use strict";

  var data = JSON.parse(document.getElementById("pc-data").textContent);
  var FORMAT = "policycheck-review";
  var LABELS = { accepted: "Geaccepteerd", dismissed: "Afgewezen" };
  var cards = Array.prototype.slice.call(document.querySelectorAll("article.finding"));
  var storeKey = "policycheck:review:" + (data.document.sha256 || data.document.path);

  Array.prototype.forEach.call(document.querySelectorAll(".js-only"), function (el) {
    el.hidden = false;
  });

  // ------------------------------------------------------------ review decisions
  // fingerprint -> {fingerprint, decision ("" = cleared), reason, decided_at, ...}
  var decisions = {};
  (data.decisions || []).forEach(function (d) { decisions[d.fingerprint] = d; });
  var stored = readStore();
  Object.keys(stored.decisions || {}).forEach(function (fp) {
    var mine = stored.decisions[fp];
    var given = decisions[fp];
    if (!given || (mine.decided_at || "") >= (given.decided_at || "")) { decisions[fp] = mine; }
  });
  var nameInput = document.getElementById("reviewer-name");
  if (nameInput) {
    nameInput.value = stored.reviewer || "";
    nameInput.addEventListener("input", saveStore);
  }

  function readStore() {
    try {
      var raw = window.localStorage.getItem(storeKey);
      var parsed = raw ? JSON.parse(raw) : null;
      return parsed && typeof parsed === "object" ? parsed : {};
    } catch (e) {
      return {};  // storage blocked (private mode, file policy): the export still works
    }
  }

  function saveStore() {
    try {
      window.localStorage.setItem(storeKey, JSON.stringify({
        reviewer: nameInput ? nameInput.value : "", decisions: decisions
      }));
    } catch (e) { /* see readStore */ }
  }

  function findingInfo(fp) {
    for (var i = 0; i < data.findings.length; i++) {
      if (data.findings[i].fingerprint === fp) { return data.findings[i]; }
    }
    return null;
  }

  function showDecision(card) {
    var d = decisions[card.dataset.fingerprint];
    var value = d && d.decision ? d.decision : "";
    var complete = value === "accepted" || (value === "dismissed" && d.reason);
    card.classList.toggle("is-accepted", value === "accepted");
    card.classList.toggle("is-dismissed", value === "dismissed" && !!complete);
    var badge = card.querySelector("[data-role=decision-badge]");
    var text = card.querySelector("[data-role=decision-text]");
    badge.hidden = !complete;
    text.hidden = !complete;
    if (complete) {
      badge.textContent = LABELS[value];
      text.textContent = "";
      var strong = document.createElement("strong");
      strong.textContent = LABELS[value];
      text.appendChild(strong);
      if (d.reason) { text.appendChild(document.createTextNode(": " + d.reason)); }
    }
    var radio = card.querySelector("input[type=radio][value='" + value + "']");
    if (radio) { radio.checked = true; }
    var reason = card.querySelector("textarea");
    if (reason && document.activeElement !== reason) { reason.value = d && d.reason ? d.reason : ""; }
    var message = card.querySelector("[data-role=review-message]");
    var missing = value === "dismissed" && !complete;
    if (reason) { reason.setAttribute("aria-invalid", missing ? "true" : "false"); }
    message.textContent = missing ? "Geef een reden op: een afwijzing wordt pas bewaard met een reden." : "";
  }

  function updateDecision(card) {
    var fp = card.dataset.fingerprint;
    var checked = card.querySelector("input[type=radio]:checked");
    var value = checked ? checked.value : "";
    var reason = card.querySelector("textarea").value.trim();
    var info = findingInfo(fp) || {};
    decisions[fp] = {
      fingerprint: fp,
      decision: value,
      reason: reason,
      rule_id: info.rule_id || "",
      text: info.text || "",
      document: data.document.path,
      decided_at: new Date().toISOString()
    };
    saveStore();
    // Findings with the same fingerprint (the same clause twice) share the decision.
    cards.forEach(function (other) { if (other.dataset.fingerprint === fp) { showDecision(other); } });
    showProgress();
    applyFilters();
  }

  function complete(d) {
    return d && (d.decision === "accepted" || (d.decision === "dismissed" && d.reason));
  }

  function showProgress() {
    var el = document.getElementById("review-progress");
    if (!el) { return; }
    var done = 0, accepted = 0, dismissed = 0;
    cards.forEach(function (card) {
      var d = decisions[card.dataset.fingerprint];
      if (complete(d)) {
        done += 1;
        if (d.decision === "accepted") { accepted += 1; } else { dismissed += 1; }
      }
    });
    el.textContent = done + " van " + cards.length + " bevindingen beoordeeld (" +
      accepted + " geaccepteerd, " + dismissed + " afgewezen).";
  }

  cards.forEach(function (card) {
    Array.prototype.forEach.call(card.querySelectorAll("input[type=radio]"), function (radio) {
      radio.addEventListener("change", function () { updateDecision(card); });
    });
    var reason = card.querySelector("textarea");
    if (reason) {
      reason.addEventListener("input", function () { updateDecision(card); });
      reason.addEventListener("blur", function () { showDecision(card); });
    }
    showDecision(card);
  });
  showProgress();

  function exportDecisions() {
    var list = Object.keys(decisions).map(function (fp) { return decisions[fp]; }).filter(complete)
      .map(function (d) {
        var out = { fingerprint: d.fingerprint, decision: d.decision, reason: d.reason || "" };
        ["rule_id", "text", "document", "decided_at"].forEach(function (key) {
          if (d[key]) { out[key] = d[key]; }
        });
        return out;
      });
    var payload = {
      format: FORMAT,
      version: 1,
      tool: { name: "policycheck", version: data.version },
      exported_at: new Date().toISOString(),
      reviewer: nameInput ? nameInput.value.trim() : "",
      documents: [data.document],
      decisions: list
    };
    var blob = new Blob([JSON.stringify(payload, null, 2) + "\n"], { type: "application/json" });
    var url = URL.createObjectURL(blob);
    var link = document.createElement("a");
    link.href = url;
    link.download = data.export_name;
    link.hidden = true;
    document.body.appendChild(link);
    link.click();
    document.body.removeChild(link);
    window.setTimeout(function () { URL.revokeObjectURL(url); }, 10000);
    var incomplete = Object.keys(decisions).filter(function (fp) {
      return decisions[fp].decision === "dismissed" && !decisions[fp].reason;
    }).length;
    var status = document.getElementById("export-status");
    status.textContent = list.length + (list.length === 1 ? " beoordeling" : " beoordelingen") +
      " opgeslagen als " + data.export_name + "." +
      (incomplete ? " " + incomplete + " afwijzing(en) zonder reden zijn niet meegenomen." : "");
  }
  var exportButton = document.getElementById("export-button");
  if (exportButton) { exportButton.addEventListener("click", exportDecisions); }

  // ------------------------------------------------------------ filters and search
  var form = document.getElementById("filters");
  var statusEl = document.getElementById("filter-status");
  var searchText = {};
  cards.forEach(function (card) {
    var parts = card.querySelectorAll(".finding-title, .muted.small, .where, .quote, .explain, .decision-text");
    searchText[card.dataset.id] = Array.prototype.map.call(parts, function (el) {
      return el.textContent;
    }).join(" ").toLowerCase();
  });

  function values(name) {
    return Array.prototype.filter.call(form.querySelectorAll("input[name=" + name + "]"), function (el) {
      return el.checked;
    }).map(function (el) { return el.value; });
  }

  function applyFilters() {
    if (!form) { return; }
    var polarity = values("polarity");
    var severity = values("severity");
    var topic = form.elements.topic.value;
    var step = form.elements.step.value;
    var review = form.elements.review.value;
    var words = document.getElementById("filter-search").value.toLowerCase().split(/\s+/).filter(Boolean);
    var visible = {};
    var shown = 0;
    cards.forEach(function (card) {
      var d = decisions[card.dataset.fingerprint];
      var state = complete(d) ? d.decision : "open";
      var text = searchText[card.dataset.id];
      var ok = polarity.indexOf(card.dataset.polarity) >= 0 &&
        severity.indexOf(card.dataset.severity) >= 0 &&
        (!topic || card.dataset.topic === topic) &&
        (!step || card.dataset.step === step) &&
        (!review || state === review) &&
        words.every(function (w) { return text.indexOf(w) >= 0; });
      card.hidden = !ok;
      if (ok) { visible[card.dataset.id] = true; shown += 1; }
    });
    Array.prototype.forEach.call(document.querySelectorAll("mark.clause"), function (mark) {
      var on = mark.dataset.findings.split(" ").some(function (id) { return visible[id]; });
      mark.classList.toggle("is-filtered", !on);
    });
    Array.prototype.forEach.call(document.querySelectorAll("a.tag"), function (tag) {
      tag.hidden = !visible[tag.dataset.finding];
    });
    Array.prototype.forEach.call(document.querySelectorAll(".finding-group"), function (group) {
      var all = group.querySelectorAll("article.finding");
      var any = Array.prototype.some.call(all, function (card) { return !card.hidden; });
      group.querySelector(".empty-note").hidden = any || all.length === 0;
    });
    statusEl.textContent = shown === cards.length
      ? "Alle " + cards.length + " bevindingen zichtbaar."
      : shown + " van " + cards.length + " bevindingen zichtbaar.";
  }

  if (form) {
    form.addEventListener("input", applyFilters);
    form.addEventListener("change", applyFilters);
    form.addEventListener("submit", function (event) { event.preventDefault(); });
    document.getElementById("filter-reset").addEventListener("click", function () {
      form.reset();
      applyFilters();
    });
    applyFilters();
  }

  // ------------------------------------------------------------ finding <-> clause
  var reduceMotion = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;

  function jump(target) {
    // A clause is centred; a finding card (often taller) starts at the top.
    var block = target.tagName === "ARTICLE" ? "start" : "center";
    target.scrollIntoView({ block: block, behavior: reduceMotion ? "auto" : "smooth" });
    target.focus({ preventScroll: true });
    target.classList.remove("is-flash");
    void target.offsetWidth;  // restart the animation
    target.classList.add("is-flash");
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest ? event.target.closest("a.goto, a.tag") : null;
    if (!link) { return; }
    var target = document.getElementById(link.getAttribute("href").slice(1));
    if (!target) { return; }
    event.preventDefault();
    if (target.hidden) {
      // A filtered-out finding: show everything again rather than jump to nothing.
      form.reset();
      applyFilters();
    }
    jump(target);
  });
})();
