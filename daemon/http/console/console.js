// amparo duty console: open alerts by deadline, their history, the running
// legal clocks, and the acknowledgement, all through amparod's HTTP API
// (README "HTTP API") with the bearer token of one agency. The token lives in
// sessionStorage only (gone when the tab closes), never in a URL: a link made
// with #token=… is read once and the fragment removed from the address bar.
// Every text from the server is put in the page as text, never as HTML.
"use strict";

(function () {
  const TOKEN_KEY = "amparo.token";
  const LANG_KEY = "amparo.lang";
  const REFRESH_MS = 30000;

  const TEXT = {
    es: {
      app_title: "Consola de guardia", language: "Idioma", logout: "Salir",
      login_title: "Entrar", token_label: "Token de su institución",
      token_help: "El token se guarda solo en esta pestaña y se borra al cerrarla.",
      login_button: "Entrar", alerts_title: "Alertas por plazo",
      alerts_caption: "Alertas, la de plazo más próximo primero",
      state: "Estado", state_open: "abierta", state_acknowledged: "acusada",
      state_closed: "cerrada", state_any: "todas", severity: "Gravedad", all: "todas",
      sev_critical: "crítica", sev_high: "alta", sev_warning: "aviso", sev_info: "información",
      agency: "Institución", refresh: "Actualizar", deadline: "Plazo", remaining: "Queda",
      rule: "Regla", actions: "Acciones", no_alerts: "Ninguna alerta con estos filtros.",
      detail_title: "Alerta", details: "Historial", acknowledge: "Acusar recibo",
      ack_legend: "Acusar recibo: una persona de su institución se hace cargo",
      ack_by: "Quién (nombre o cargo)", ack_note: "Nota (opcional)", ack_button: "Acusar recibo",
      deliveries: "Entregas", acks: "Acuses", escalations: "Escalamientos",
      case_clocks: "Plazos legales de este caso", version: "Versión", channel: "Canal",
      attempts: "Intentos", delivered_at: "Entregada", at: "Cuándo", by: "Quién", note: "Nota",
      via: "Vía", created_at: "Creada", clock: "Plazo legal", started_at: "Inicio",
      due_at: "Vence", warn_at: "Aviso", event: "Evento", close: "Cerrar",
      clocks_title: "Plazos legales en curso", signed_in_as: "Institución: {0}",
      signed_in_all: "Oficial de guardia ({0}): todas las alertas",
      token_refused: "Token rechazado: {0}", token_missing: "Escriba el token de su institución.",
      server_error: "El servidor no respondió: {0}", updated: "Actualizado {0}",
      loading: "Cargando…", overdue: "vencido hace {0}", in: "{0}", none: "—",
      ack_by_missing: "Escriba quién acusa recibo.", ack_accepted: "Acuse registrado.",
      ack_duplicate: "Este acuse ya estaba registrado.", ack_refused: "Acuse rechazado: {0}",
      clocks_duty_only: "Los plazos legales en curso solo se listan al oficial de guardia.",
      no_clocks: "Ningún plazo legal en curso.", no_rows: "Nada todavía.",
      alert_id: "Id de la alerta", event_id: "Evento", escalates_to: "Escala a",
      role: "Función", logged_out: "Sesión cerrada.",
      ack_only_open: "Solo se acusa recibo de una alerta abierta."
    },
    en: {
      app_title: "Duty console", language: "Language", logout: "Log out",
      login_title: "Log in", token_label: "Your agency's token",
      token_help: "The token is kept in this tab only and is gone when you close it.",
      login_button: "Log in", alerts_title: "Alerts by deadline",
      alerts_caption: "Alerts, soonest deadline first",
      state: "State", state_open: "open", state_acknowledged: "acknowledged",
      state_closed: "closed", state_any: "any", severity: "Severity", all: "all",
      sev_critical: "critical", sev_high: "high", sev_warning: "warning", sev_info: "info",
      agency: "Agency", refresh: "Refresh", deadline: "Deadline", remaining: "Remaining",
      rule: "Rule", actions: "Actions", no_alerts: "No alert matches these filters.",
      detail_title: "Alert", details: "History", acknowledge: "Acknowledge",
      ack_legend: "Acknowledge: a person at your agency takes this alert",
      ack_by: "Who (name or post)", ack_note: "Note (optional)", ack_button: "Acknowledge",
      deliveries: "Deliveries", acks: "Acknowledgements", escalations: "Escalations",
      case_clocks: "Legal clocks of this case", version: "Version", channel: "Channel",
      attempts: "Attempts", delivered_at: "Delivered", at: "When", by: "Who", note: "Note",
      via: "Via", created_at: "Created", clock: "Legal clock", started_at: "Started",
      due_at: "Due", warn_at: "Warning", event: "Event", close: "Close",
      clocks_title: "Running legal clocks", signed_in_as: "Agency: {0}",
      signed_in_all: "Duty officer ({0}): every alert",
      token_refused: "Token refused: {0}", token_missing: "Type your agency's token.",
      server_error: "The server did not answer: {0}", updated: "Updated {0}",
      loading: "Loading…", overdue: "overdue by {0}", in: "{0}", none: "—",
      ack_by_missing: "Type who acknowledges.", ack_accepted: "Acknowledgement stored.",
      ack_duplicate: "This acknowledgement was already stored.",
      ack_refused: "Acknowledgement refused: {0}",
      clocks_duty_only: "Running legal clocks are listed to the duty officer only.",
      no_clocks: "No legal clock is running.", no_rows: "Nothing yet.",
      alert_id: "Alert id", event_id: "Event", escalates_to: "Escalates to",
      role: "Role", logged_out: "Logged out.",
      ack_only_open: "Only an open alert can be acknowledged."
    }
  };

  const $ = (id) => document.getElementById(id);
  let lang = "es";
  let me = null;          // {agency_id, sees_all}
  let alerts = [];        // The last list shown.
  let clocks = null;      // Running clocks, or null when this token may not list them.
  let selected = null;    // The alert shown in the detail panel.
  let refreshTimer = null;
  let updatedAt = null;   // When the list was last read.

  function t(key, ...args) {
    const s = (TEXT[lang] && TEXT[lang][key]) || TEXT.en[key] || key;
    return s.replace(/\{(\d)\}/g, (_, i) => String(args[Number(i)]));
  }

  function applyLanguage() {
    document.documentElement.lang = lang;
    $("lang").value = lang;
    document.querySelectorAll("[data-i18n]").forEach((el) => {
      el.textContent = t(el.dataset.i18n);
    });
    document.title = "amparo — " + t("app_title");
    if (me) showWho();
    showUpdated();
    renderAlerts();
    renderClocks();
    if (selected) renderDetail(selected);
  }

  function token() { return sessionStorage.getItem(TOKEN_KEY); }

  // A fetch with the token; resolves to {status, body} and never rejects on HTTP errors.
  async function api(path, options = {}) {
    const headers = Object.assign({ "Authorization": "Bearer " + token() }, options.headers || {});
    const res = await fetch(path, Object.assign({}, options, { headers, cache: "no-store" }));
    let body = null;
    try { body = await res.json(); } catch (e) { body = null; }
    return { status: res.status, body };
  }

  function problemText(r) {
    return (r.body && (r.body.detail || r.body.code)) || ("HTTP " + r.status);
  }

  function setStatus(text) { $("status").textContent = text; }

  function fmtTime(iso) {
    if (!iso) return t("none");
    const d = new Date(iso);
    return d.toLocaleString(lang === "es" ? "es" : "en-GB",
      { dateStyle: "medium", timeStyle: "short" });
  }

  function fmtSpan(ms) {
    let s = Math.floor(Math.abs(ms) / 1000);
    const d = Math.floor(s / 86400); s -= d * 86400;
    const h = Math.floor(s / 3600); s -= h * 3600;
    const m = Math.floor(s / 60); s -= m * 60;
    const pad = (n) => String(n).padStart(2, "0");
    if (d > 0) return d + " d " + h + " h";
    if (h > 0) return h + " h " + pad(m) + " min";
    return m + " min " + pad(s) + " s";
  }

  // Fills a countdown cell for `iso` (a deadline); "—" without one.
  function countdown(cell, iso) {
    cell.classList.add("countdown");
    cell.dataset.deadline = iso || "";
    tickCell(cell);
  }

  function tickCell(cell) {
    const iso = cell.dataset.deadline;
    cell.classList.remove("overdue", "soon");
    if (!iso) { cell.textContent = t("none"); return; }
    const left = new Date(iso).getTime() - Date.now();
    if (left < 0) {
      cell.textContent = t("overdue", fmtSpan(left));
      cell.classList.add("overdue");
    } else {
      cell.textContent = t("in", fmtSpan(left));
      if (left < 3600 * 1000) cell.classList.add("soon");
    }
  }

  function tick() { document.querySelectorAll("[data-deadline]").forEach(tickCell); }

  function cell(row, text, cls) {
    const td = document.createElement("td");
    td.textContent = text == null || text === "" ? t("none") : String(text);
    if (cls) td.className = cls;
    row.appendChild(td);
    return td;
  }

  function sevBadge(td, severity) {
    td.textContent = "";
    const span = document.createElement("span");
    span.className = "sev sev-" + severity;
    span.textContent = t("sev_" + severity);
    td.appendChild(span);
  }

  function fillTable(id, rows, render) {
    const body = $(id).querySelector("tbody");
    body.textContent = "";
    if (rows.length === 0) {
      const tr = document.createElement("tr");
      const td = cell(tr, t("no_rows"));
      td.colSpan = $(id).querySelectorAll("thead th").length;
      body.appendChild(tr);
      return;
    }
    for (const r of rows) {
      const tr = document.createElement("tr");
      render(tr, r);
      body.appendChild(tr);
    }
  }

  function showWho() {
    const who = $("who");
    who.hidden = false;
    who.textContent = me.sees_all ? t("signed_in_all", me.agency_id) : t("signed_in_as", me.agency_id);
  }

  async function login(candidate) {
    sessionStorage.setItem(TOKEN_KEY, candidate);
    $("login-error").textContent = "";
    setStatus(t("loading"));
    let r;
    try {
      r = await api("/api/v1/me");
    } catch (e) {
      sessionStorage.removeItem(TOKEN_KEY);
      $("login-error").textContent = t("server_error", e.message);
      setStatus("");
      return;
    }
    if (r.status !== 200) {
      sessionStorage.removeItem(TOKEN_KEY);
      $("login-error").textContent = t("token_refused", problemText(r));
      setStatus("");
      $("token").focus();
      return;
    }
    me = r.body;
    alerts = null;  // Nothing drawn yet for this login: the first refresh draws.
    $("token").value = "";
    $("login").hidden = true;
    $("console").hidden = false;
    $("logout").hidden = false;
    showWho();
    await refresh();
    if (refreshTimer) clearInterval(refreshTimer);
    refreshTimer = setInterval(refresh, REFRESH_MS);
    $("f-state").focus();
  }

  function logout() {
    sessionStorage.removeItem(TOKEN_KEY);
    if (refreshTimer) clearInterval(refreshTimer);
    refreshTimer = null;
    me = null; alerts = []; clocks = null; selected = null; updatedAt = null;
    $("ack-by").value = "";
    $("ack-note").value = "";
    $("ack-result").textContent = "";
    // The next person starts from the open alerts of every agency.
    $("f-state").value = "open";
    $("f-severity").value = "";
    const agency = $("f-agency");
    while (agency.options.length > 1) agency.remove(1);
    $("console").hidden = true;
    $("detail").hidden = true;
    $("logout").hidden = true;
    $("who").hidden = true;
    $("login").hidden = false;
    setStatus(t("logged_out"));
    $("token").focus();
  }

  async function refresh() {
    const q = new URLSearchParams();
    q.set("state", $("f-state").value);
    if ($("f-severity").value) q.set("severity", $("f-severity").value);
    if ($("f-agency").value) q.set("agency", $("f-agency").value);
    q.set("limit", "1000");
    let r;
    try {
      r = await api("/api/v1/alerts?" + q.toString());
    } catch (e) {
      setStatus(t("server_error", e.message));
      return;
    }
    if (r.status === 401) { logout(); $("login-error").textContent = t("token_refused", problemText(r)); return; }
    if (r.status !== 200) { setStatus(t("server_error", problemText(r))); return; }
    const c = await api("/api/v1/clocks");
    const nextClocks = c.status === 200 ? c.body.clocks : null;
    // Redraw only what changed, so that a keyboard user's focus stays put
    // through the periodic refresh (the countdowns tick on their own).
    const changed = JSON.stringify(r.body.alerts) !== JSON.stringify(alerts) ||
      JSON.stringify(nextClocks) !== JSON.stringify(clocks) ||
      $("alerts").querySelector("tbody").childElementCount !== r.body.alerts.length;
    alerts = r.body.alerts;
    clocks = nextClocks;
    if (changed) {
      updateAgencyFilter();
      renderAlerts();
      renderClocks();
    }
    if (selected) await openDetail(selected.alert_id, false);
    updatedAt = new Date();
    showUpdated();
    setStatus("");
  }

  function showUpdated() {
    $("updated").textContent = updatedAt
      ? t("updated", updatedAt.toLocaleTimeString(lang === "es" ? "es" : "en-GB")) : "";
  }

  function updateAgencyFilter() {
    const select = $("f-agency");
    const known = new Set(Array.from(select.options).map((o) => o.value));
    for (const a of alerts) {
      if (known.has(a.agency_id)) continue;
      known.add(a.agency_id);
      const o = document.createElement("option");
      o.value = a.agency_id;
      o.textContent = a.agency_id;
      select.appendChild(o);
    }
  }

  function renderAlerts() {
    if (!me || !alerts) return;
    $("no-alerts").hidden = alerts.length !== 0;
    const body = $("alerts").querySelector("tbody");
    body.textContent = "";
    for (const a of alerts) {
      const tr = document.createElement("tr");
      tr.className = "row-" + a.severity + (selected && selected.alert_id === a.alert_id ? " selected" : "");
      tr.dataset.alertId = a.alert_id;
      cell(tr, fmtTime(a.deadline));
      countdown(cell(tr, ""), a.state === "open" ? a.deadline : null);
      sevBadge(cell(tr, ""), a.severity);
      cell(tr, a.rule, "rule");
      cell(tr, a.agency_id);
      cell(tr, t("state_" + a.state), "state-" + a.state);
      const actions = cell(tr, "", "actions");
      actions.textContent = "";
      const details = document.createElement("button");
      details.type = "button";
      details.className = "secondary details";
      details.textContent = t("details");
      details.setAttribute("aria-label", t("details") + ": " + a.rule + ", " + a.agency_id);
      details.addEventListener("click", () => openDetail(a.alert_id, true));
      actions.appendChild(details);
      if (a.state === "open") {
        const ack = document.createElement("button");
        ack.type = "button";
        ack.className = "ack-row";
        ack.textContent = t("acknowledge");
        ack.setAttribute("aria-label", t("acknowledge") + ": " + a.rule + ", " + a.agency_id);
        ack.addEventListener("click", async () => {
          await openDetail(a.alert_id, false);
          $("ack-by").focus();
        });
        actions.appendChild(ack);
      }
      body.appendChild(tr);
    }
  }

  function renderClocks() {
    if (!me) return;
    const note = $("clocks-note");
    if (clocks === null) {
      $("clocks").hidden = true;
      note.hidden = false;
      note.textContent = t("clocks_duty_only");
      return;
    }
    $("clocks").hidden = false;
    note.hidden = clocks.length !== 0;
    note.textContent = t("no_clocks");
    fillTable("clocks", clocks, (tr, c) => {
      cell(tr, c.clock, "rule");
      cell(tr, c.event_id);
      cell(tr, fmtTime(c.started_at));
      cell(tr, fmtTime(c.warn_at));
      cell(tr, fmtTime(c.due_at));
      countdown(cell(tr, ""), c.due_at);
    });
  }

  async function openDetail(alertId, focus) {
    const r = await api("/api/v1/alerts/" + encodeURIComponent(alertId));
    if (r.status !== 200) { setStatus(t("server_error", problemText(r))); return; }
    const changed = !selected || selected.alert_id !== alertId;
    selected = r.body;
    if (changed) $("ack-result").textContent = "";
    renderDetail(selected);
    document.querySelectorAll("#alerts tbody tr").forEach((tr) => {
      tr.classList.toggle("selected", tr.dataset.alertId === alertId);
    });
    $("detail").hidden = false;
    if (focus) $("detail").focus();
  }

  function renderDetail(a) {
    const facts = $("detail-facts");
    facts.textContent = "";
    const fact = (label, value, render) => {
      const dt = document.createElement("dt");
      dt.textContent = label;
      const dd = document.createElement("dd");
      if (render) render(dd); else dd.textContent = value == null || value === "" ? t("none") : String(value);
      facts.appendChild(dt);
      facts.appendChild(dd);
    };
    fact(t("rule"), a.rule);
    fact(t("severity"), null, (dd) => sevBadge(dd, a.severity));
    fact(t("state"), t("state_" + a.state));
    fact(t("agency"), a.agency_id + " (" + a.role + ")");
    fact(t("deadline"), fmtTime(a.deadline));
    fact(t("remaining"), null, (dd) => countdown(dd, a.state === "open" ? a.deadline : null));
    fact(t("escalates_to"), a.escalates_to);
    fact(t("event_id"), a.event_id);
    fact(t("version"), a.version);
    fact(t("alert_id"), a.alert_id);
    $("ack-form").hidden = a.state !== "open";
    fillTable("deliveries", a.deliveries, (tr, d) => {
      cell(tr, d.version);
      cell(tr, d.agency_id);
      cell(tr, d.channel);
      cell(tr, d.state);
      cell(tr, d.attempts);
      cell(tr, fmtTime(d.delivered_at));
    });
    fillTable("acks", a.acks, (tr, k) => {
      cell(tr, fmtTime(k.at));
      cell(tr, k.agency_id);
      cell(tr, k.by);
      cell(tr, k.note);
      cell(tr, k.via);
    });
    fillTable("escalations", a.escalations, (tr, e) => {
      cell(tr, fmtTime(e.created_at));
      cell(tr, e.agency_id);
      cell(tr, e.state);
    });
    const note = $("case-clocks-note");
    if (clocks === null) {
      $("case-clocks").hidden = true;
      note.hidden = false;
      note.textContent = t("clocks_duty_only");
    } else {
      const mine = clocks.filter((c) => c.event_id === a.event_id);
      $("case-clocks").hidden = false;
      note.hidden = true;
      fillTable("case-clocks", mine, (tr, c) => {
        cell(tr, c.clock, "rule");
        cell(tr, fmtTime(c.started_at));
        cell(tr, fmtTime(c.due_at));
        countdown(cell(tr, ""), c.due_at);
      });
    }
  }

  async function acknowledge(ev) {
    ev.preventDefault();
    if (!selected) return;
    const by = $("ack-by").value.trim();
    const out = $("ack-result");
    out.className = "";
    if (!by) { out.textContent = t("ack_by_missing"); $("ack-by").focus(); return; }
    if (selected.state !== "open") { out.textContent = t("ack_only_open"); return; }
    const body = { version: selected.version, by };
    const note = $("ack-note").value.trim();
    if (note) body.note = note;
    $("ack-button").disabled = true;
    try {
      const r = await api("/api/v1/alerts/" + encodeURIComponent(selected.alert_id) + "/ack", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify(body)
      });
      if (r.status === 200) {
        out.textContent = r.body.status === "duplicate" ? t("ack_duplicate") : t("ack_accepted");
        out.className = "ok";
        $("ack-note").value = "";
        await refresh();
        out.textContent = r.body.status === "duplicate" ? t("ack_duplicate") : t("ack_accepted");
      } else {
        out.textContent = t("ack_refused", problemText(r));
      }
    } catch (e) {
      out.textContent = t("server_error", e.message);
    } finally {
      $("ack-button").disabled = false;
    }
  }

  // A link with #token=… logs in once; the fragment leaves the address bar at once.
  function tokenFromFragment() {
    const m = /(?:^#|&)token=([^&]+)/.exec(location.hash);
    if (!m) return null;
    history.replaceState(null, "", location.pathname + location.search);
    return decodeURIComponent(m[1]);
  }

  function start() {
    const saved = localStorage.getItem(LANG_KEY);
    lang = saved === "es" || saved === "en" ? saved
      : ((navigator.language || "es").toLowerCase().startsWith("en") ? "en" : "es");
    applyLanguage();
    $("lang").addEventListener("change", () => {
      lang = $("lang").value;
      localStorage.setItem(LANG_KEY, lang);
      applyLanguage();
    });
    $("login-form").addEventListener("submit", (ev) => {
      ev.preventDefault();
      const v = $("token").value.trim();
      if (!v) { $("login-error").textContent = t("token_missing"); return; }
      login(v);
    });
    $("logout").addEventListener("click", logout);
    $("filters").addEventListener("submit", (ev) => { ev.preventDefault(); refresh(); });
    ["f-state", "f-severity", "f-agency"].forEach((id) => $(id).addEventListener("change", refresh));
    $("ack-form").addEventListener("submit", acknowledge);
    $("close-detail").addEventListener("click", () => {
      selected = null;
      $("detail").hidden = true;
      document.querySelectorAll("#alerts tbody tr.selected").forEach((tr) => tr.classList.remove("selected"));
    });
    // A #token= link opened while the page is already up.
    window.addEventListener("hashchange", () => {
      const t = tokenFromFragment();
      if (t) login(t);
    });
    setInterval(tick, 1000);
    const fromLink = tokenFromFragment();
    const existing = fromLink || token();
    if (existing) login(existing);
    else $("token").focus();
  }

  document.addEventListener("DOMContentLoaded", start);
})();
