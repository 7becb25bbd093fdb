/* The operator's desk: the incoming call banner and caller card (from /ws/console), the appeal form (register,
   consultation with a knowledge-base article, discard, add to an open appeal), transcript suggestions, queue actions. */
(() => {
  "use strict";
  const {el, json, fmt, flash, label, $, fill, fieldErrors, clearFieldErrors} = CC;
  const S = {user: null, call: null, appealId: null, categories: [], catPath: new Map(), pending: new Map(), drafts: []};
  const form = $("#appeal-form");

  /* ---------- caller card ---------- */
  const badge = (text, kind = "") => el("span", {class: `badge ${kind}`}, text);
  const appealLink = (a) => el("a", {href: `/appeals/${a.id}`}, a.number || `чернетка #${a.id}`);

  function renderCard(card) {
    const box = $("#card");
    if (!card) { box.replaceChildren(el("p", {class: "muted"}, "Очікування дзвінка…")); return; }
    const f = card.flags || {};
    const flags = el("p", {id: "card-flags"},
      f.known ? null : badge("Новий абонент"),
      f.privileged ? badge("Пільговик", "warn") : null,
      f.called_today ? badge(`Дзвонив сьогодні: ${card.calls_today}`, "warn") : null,
      f.incident ? badge("Аварія за адресою", "bad") : null,
      f.has_overdue ? badge("Є прострочені", "bad") : null);
    const citizens = card.citizens.map((c) => el("li", {},
      el("label", {class: "inline"}, el("input", {type: "radio", name: "citizen", value: c.id, onchange: () => useCitizen(c)}), " ",
        el("strong", {}, c.full_name)), " ", el("span", {class: "muted"}, c.address_text || "адреса невідома"), " ",
      ...c.privileges.map((p) => badge(label("privilege", p), "warn"))));
    const issueLine = (i) => el("li", {}, `${i.category || "без категорії"} — ${label("issue_status", i.status)}`,
      i.address ? el("span", {class: "muted"}, ` (${i.address})`) : null,
      i.due_at ? el("span", {class: i.overdue ? "error" : "muted"}, ` до ${fmt.date(i.due_at)}${i.overdue ? " — прострочено" : ""}`) : null);
    const openAppeals = card.open_appeals.map((a) => el("li", {dataset: {appealId: a.id}},
      appealLink(a), ` від ${fmt.date(a.created_at)} `,
      el("button", {type: "button", class: "secondary attach", onclick: () => attachTo(a)}, "Додати до цього звернення"),
      el("ul", {}, a.issues.map(issueLine))));
    const recent = card.recent_appeals.map((a) => el("li", {}, appealLink(a), ` ${fmt.date(a.created_at)} — ${label("appeal_status", a.status)}`,
      a.issues[0] ? el("span", {class: "muted"}, ` · ${a.issues[0].category || ""}`) : null));
    const cb = card.last_callback;
    fill(box,
      el("p", {class: "phone"}, el("strong", {id: "card-phone"}, fmt.phone(card.phone))), flags,
      ...card.incidents.map((i) => el("div", {class: "banner incident", role: "note"}, el("strong", {}, i.title), " ", i.notice,
        i.eta_at ? ` Орієнтовно до ${fmt.datetime(i.eta_at)}.` : "")),
      citizens.length ? el("ul", {class: "plain", id: "card-citizens"}, citizens) : el("p", {class: "muted"}, "Громадянина з цим номером немає в базі."),
      el("h3", {}, "Відкриті звернення"), openAppeals.length ? el("ul", {class: "plain", id: "card-open"}, openAppeals) : el("p", {class: "muted"}, "Немає"),
      el("h3", {}, "Останні звернення"), recent.length ? el("ul", {class: "plain", id: "card-recent"}, recent) : el("p", {class: "muted"}, "Немає"),
      cb ? el("p", {id: "card-callback"}, `Останній зворотний дзвінок: ${label("callback_kind", cb.kind)} ${fmt.datetime(cb.at)} — ${label("outcome", cb.outcome) || "без результату"}`) : null,
      (card.articles || []).length ? el("div", {}, el("h3", {}, "Статті бази знань"), el("ul", {class: "plain", id: "card-articles"},
        card.articles.map((a) => el("li", {}, articleItem(a))))) : null);
    if (card.citizens.length === 1) useCitizen(card.citizens[0], true);
  }

  function useCitizen(c, auto = false) {
    form.applicant_name.value = c.full_name; form.applicant_address.value = c.address_text || "";
    S.citizenId = c.id;
    if (auto) { const r = document.querySelector(`input[name=citizen][value="${c.id}"]`); if (r) r.checked = true; }
  }

  /* ---------- call state ---------- */
  function banner() {
    const b = $("#call-banner"), c = S.call;
    if (!c) { b.hidden = true; return; }
    const state = {ringing: "Вхідний дзвінок", talking: "Розмова", ended: "Дзвінок завершено — завершіть оформлення"}[c.state];
    b.hidden = false;
    fill(b, el("span", {}, state), el("span", {class: "number"}, fmt.phone(c.card && c.card.phone)),
      c.queue ? el("span", {class: "muted"}, `черга ${c.queue}`) : null, el("span", {class: "muted"}, fmt.time(c.at)));
  }

  function setCall(msg) {
    const same = S.call && S.call.call_id === msg.call_id;
    S.call = {call_id: msg.call_id, appeal_id: msg.appeal_id, queue: msg.queue, card: msg.card, at: msg.at || new Date().toISOString(), state: msg.state || "ringing"};
    if (!same) resetForm(msg.appeal_id);
    banner(); renderCard(msg.card);
    if (!same && msg.appeal_id) loadTranscript(msg.appeal_id);
    suggestArticles();
  }

  function clearCall() { S.call = null; banner(); renderCard(null); }

  /* ---------- appeal form ---------- */
  function resetForm(appealId) {
    form.reset(); S.citizenId = null; S.appealId = appealId || null;
    $("#form-appeal").textContent = appealId ? `(чернетка #${appealId})` : "";
    $("#issues").replaceChildren(issueRow(1));
    $("#form-error").textContent = ""; $("#form-result").textContent = ""; clearFieldErrors(form);
    $("#transcript-panel").hidden = true;
  }

  function picker(input, hidden, search) {
    const list = el("ul", {role: "listbox", hidden: true});
    input.setAttribute("role", "combobox"); input.setAttribute("aria-autocomplete", "list"); input.autocomplete = "off";
    input.after(list);
    let items = [], active = -1, timer = null;
    const choose = (item) => { input.value = item.label; hidden.value = item.id; list.hidden = true; input.dispatchEvent(new CustomEvent("picked", {detail: item})); };
    const show = () => {
      list.replaceChildren(...items.map((it, i) => el("li", {role: "option", "aria-selected": i === active ? "true" : "false", onmousedown: (e) => { e.preventDefault(); choose(it); }}, it.label)));
      list.hidden = !items.length;
    };
    input.addEventListener("input", () => {
      hidden.value = ""; clearTimeout(timer);
      timer = setTimeout(async () => { items = input.value.trim() ? await search(input.value.trim()) : []; active = -1; show(); }, 150);
    });
    input.addEventListener("keydown", (e) => {
      if (list.hidden) return;
      if (e.key === "ArrowDown") { active = Math.min(items.length - 1, active + 1); show(); e.preventDefault(); }
      else if (e.key === "ArrowUp") { active = Math.max(0, active - 1); show(); e.preventDefault(); }
      else if (e.key === "Enter" && items[active >= 0 ? active : 0]) { choose(items[active >= 0 ? active : 0]); e.preventDefault(); }
      else if (e.key === "Escape") list.hidden = true;
    });
    input.addEventListener("blur", () => setTimeout(() => { list.hidden = true; }, 100));
    return {set: (id, text) => { hidden.value = id || ""; input.value = text || ""; }};
  }

  const searchCategories = async (q) => {
    const words = q.toLowerCase().split(/\s+/);
    return S.categories.filter((c) => c.children === 0 && words.every((w) => S.catPath.get(c.id).toLowerCase().includes(w)))
      .slice(0, 12).map((c) => ({id: c.id, label: S.catPath.get(c.id)}));
  };
  const searchStreets = async (q) => (await json(`/api/streets?q=${encodeURIComponent(q)}&limit=10`)).map((s) => ({id: s.id, label: s.label}));

  function issueRow(n) {
    const row = el("fieldset", {class: "issue panel", dataset: {n}},
      el("legend", {}, `Питання ${n}`),
      el("div", {class: "row"},
        el("label", {class: "suggest"}, "Категорія", el("input", {name: "category", size: 34, placeholder: "почніть вводити: вода, ліфт…"}), el("input", {type: "hidden", name: "category_id"})),
        el("label", {class: "suggest"}, "Вулиця", el("input", {name: "street", size: 24}), el("input", {type: "hidden", name: "street_id"})),
        el("label", {}, "Будинок", el("input", {name: "house", size: 5})),
        el("label", {}, "Кв.", el("input", {name: "flat", size: 4}))),
      el("label", {}, "Суть питання", el("textarea", {name: "description", rows: 3})));
    row.cat = picker(row.querySelector("[name=category]"), row.querySelector("[name=category_id]"), searchCategories);
    row.street = picker(row.querySelector("[name=street]"), row.querySelector("[name=street_id]"), searchStreets);
    row.querySelector("[name=category]").addEventListener("picked", suggestArticles);
    return row;
  }

  function collect() {
    const issues = [...document.querySelectorAll("#issues fieldset.issue")].map((r) => {
      const v = (name) => r.querySelector(`[name=${name}]`).value.trim();
      const street = v("street_id") ? Number(v("street_id")) : null;
      return {category_id: v("category_id") ? Number(v("category_id")) : null, street_id: street, house: v("house") || null,
        flat: v("flat") || null, address_text: street ? "" : [v("street"), v("house")].filter(Boolean).join(", "), description: v("description")};
    });
    return {kind: form.kind.value, citizen_id: S.citizenId || null, applicant_name: form.applicant_name.value.trim() || null,
      applicant_address: form.applicant_address.value.trim() || null, issues};
  }

  /** The input an API field name points at: "applicant_name", "issues.1.description", "issues.0.address", "issues". */
  const ISSUE_INPUT = {category_id: "category", description: "description", address: "street", address_text: "street", street_id: "street",
    building_id: "street", house: "house", flat: "flat"};
  function locateField(name) {
    const m = /^issues(?:\.(\d+)(?:\.(\w+))?)?$/.exec(name);
    if (!m) return form.elements[name] || null;
    const row = document.querySelectorAll("#issues fieldset.issue")[Number(m[1] || 0)];
    return row ? row.querySelector(`[name=${ISSUE_INPUT[m[2]] || "category"}]`) : null;
  }

  const showError = (e) => {
    $("#form-error").textContent = e.message; $("#form-result").textContent = "";
    fieldErrors(form, e, locateField);
  };

  async function ensureDraft() {
    if (S.appealId) return S.appealId;
    const body = {...collect(), channel: "phone", caller: S.call && S.call.card ? S.call.card.phone : null};
    const a = await json("/api/appeals", {method: "POST", body});
    S.appealId = a.id; $("#form-appeal").textContent = `(чернетка #${a.id})`;
    return a.id;
  }

  async function register(ev) {
    if (ev) ev.preventDefault();
    $("#form-error").textContent = ""; clearFieldErrors(form);
    try {
      const body = collect();
      const a = S.appealId
        ? await json(`/api/appeals/${S.appealId}/register`, {method: "POST", body})
        : await json("/api/appeals", {method: "POST", body: {...body, channel: "phone", caller: S.call && S.call.card ? S.call.card.phone : null, register: true}});
      S.appealId = a.id;
      const dues = a.issues.map((i) => i.current_due_at || i.due_at).filter(Boolean).sort();
      fill($("#form-result"), "Зареєстровано: № ", el("a", {href: `/appeals/${a.id}`, id: "registered-number"}, a.number),
        dues.length ? `. Строк розгляду до ${fmt.date(dues[0])}.` : ".");
      flash(`Звернення ${a.number} зареєстровано`, "ok");
    } catch (e) { showError(e); }
  }

  async function consult() {
    $("#form-error").textContent = "";
    try {
      const id = await ensureDraft();
      const first = document.querySelector("#issues [name=category_id]").value;
      const articleId = $("#kb-article").value;
      const article = articleId ? $("#kb-article").selectedOptions[0].textContent : "";
      await json(`/api/appeals/${id}/consultation`, {method: "POST", body: {category_id: first ? Number(first) : null, note: article ? `Стаття бази знань: ${article}` : ""}});
      if (articleId) await json(`/api/kb/articles/${articleId}/uses`, {method: "POST", body: {appeal_id: id}}).catch(() => null);
      $("#form-result").textContent = "Оформлено як консультацію."; flash("Консультацію збережено", "ok");
    } catch (e) { showError(e); }
  }

  async function discard() {
    $("#form-error").textContent = "";
    try {
      const id = await ensureDraft();
      await json(`/api/appeals/${id}/discard`, {method: "POST", body: {reason: $("#discard-reason").value}});
      $("#form-result").textContent = `Позначено: ${label("discard", $("#discard-reason").value)}.`;
    } catch (e) { showError(e); }
  }

  async function attachTo(target) {
    $("#form-error").textContent = "";
    try {
      const id = await ensureDraft();
      const issues = collect().issues.filter((i) => i.category_id || i.description);
      const a = await json(`/api/appeals/${id}/attach`, {method: "POST", body: {target_id: target.id, issues}});
      S.appealId = a.id;
      $("#form-result").replaceChildren("Дзвінок додано до звернення ", el("a", {href: `/appeals/${a.id}`}, a.number || `#${a.id}`), ".");
    } catch (e) { showError(e); }
  }

  /* ---------- transcript and suggestions ---------- */
  async function loadTranscript(appealId) {
    let items;
    try { items = await json(`/api/appeals/${appealId}/transcripts`); } catch { return; }
    const t = items.filter((x) => x.status === "done" || x.text).pop();
    if (!t) return;
    $("#transcript-panel").hidden = false;
    $("#transcript").replaceChildren(...t.segments.map((s) => el("p", {}, el("strong", {}, s.speaker === "operator" ? "Оператор: " : "Абонент: "), s.text)));
    const sug = t.suggestions || {};
    const cat = (sug.categories || [])[0], addr = sug.address;
    const apply = () => {
      const row = document.querySelector("#issues fieldset.issue");
      if (cat) row.cat.set(cat.category_id, S.catPath.get(cat.category_id) || cat.name);
      if (addr && addr.street_id) { row.street.set(addr.street_id, addr.street); row.querySelector("[name=house]").value = addr.house || ""; }
      const d = row.querySelector("[name=description]"); if (!d.value) d.value = t.text.slice(0, 2000);
      suggestArticles();
      flash("Підказки застосовано", "ok");
    };
    fill($("#suggestions"),
      cat ? el("p", {}, "Категорія: ", el("strong", {}, cat.name), el("span", {class: "muted"}, ` (${Math.round(cat.confidence * 100)} %)`)) : null,
      addr ? el("p", {}, "Адреса: ", el("strong", {}, [addr.street, addr.house].filter(Boolean).join(", "))) : null,
      (cat || addr) ? el("button", {type: "button", id: "apply-suggestions", onclick: apply}, "Застосувати ", el("kbd", {}, "Alt+A")) : el("p", {class: "muted"}, "Підказок немає"));
    S.applySuggestions = apply;
  }

  /* ---------- knowledge base ---------- */
  function articleItem(a) {
    const body = el("div", {class: "muted", hidden: true}, a.body || a.summary || "");
    return el("div", {}, el("button", {type: "button", class: "link", onclick: () => { body.hidden = !body.hidden; $("#kb-article").value = a.id; }}, a.title), body);
  }
  function fillArticles(items) {
    const sel = $("#kb-article"), keep = sel.value;
    sel.replaceChildren(el("option", {value: ""}, "—"), ...items.map((a) => el("option", {value: a.id}, a.title)));
    if ([...sel.options].some((o) => o.value === keep)) sel.value = keep;
  }
  async function suggestArticles() {
    const cat = document.querySelector("#issues [name=category_id]");
    const q = new URLSearchParams({limit: "10"});
    if (cat && cat.value) q.set("category_id", cat.value);
    try { fillArticles(await json(`/api/kb/articles?${q}`)); } catch { /* the knowledge base is optional */ }
  }
  let kbTimer = null;
  $("#kb-q").addEventListener("input", () => {
    clearTimeout(kbTimer);
    kbTimer = setTimeout(async () => {
      const q = $("#kb-q").value.trim();
      if (!q) { $("#kb-results").replaceChildren(); return; }
      try {
        const items = await json(`/api/kb/articles?q=${encodeURIComponent(q)}&limit=8`);
        $("#kb-results").replaceChildren(...(items.length ? items.map((a) => el("li", {}, articleItem(a))) : [el("li", {class: "muted"}, "Нічого не знайдено")]));
        fillArticles(items);
      } catch (e) { $("#kb-results").replaceChildren(el("li", {class: "error"}, e.message)); }
    }, 250);
  });

  /* ---------- queue ---------- */
  async function queue(action) {
    const body = {action};
    if (action === "pause") body.reason = $("#q-reason").value;
    try {
      const sent = await json("/api/console/queue", {method: "POST", body});
      S.pending.set(sent.command_id, action);
      $("#q-status").textContent = "Команду надіслано…";
    } catch (e) { $("#q-status").textContent = e.message; }
  }
  const ACTION_DONE = {login: "Ви в черзі", logout: "Ви вийшли з черги", pause: "Пауза", unpause: "Ви знову приймаєте дзвінки"};

  /* ---------- worklist ---------- */
  function renderWorklist() {
    const ul = $("#worklist");
    ul.replaceChildren(...(S.drafts.length ? S.drafts.map((d) => el("li", {}, el("a", {href: `/appeals/${d.appeal_id}`}, `Чернетка #${d.appeal_id}`),
      ` ${fmt.datetime(d.created_at)} `, el("button", {type: "button", class: "secondary", onclick: () => openDraft(d.appeal_id)}, "Оформити"))) : [el("li", {class: "muted"}, "Немає")]));
  }
  async function openDraft(id) {
    const a = await json(`/api/appeals/${id}`);
    resetForm(id);
    form.applicant_name.value = a.applicant_name || ""; form.applicant_address.value = a.applicant_address || "";
    S.citizenId = a.citizen_id;
    if (a.caller) renderCard((await json(`/api/citizens/lookup?phone=${encodeURIComponent(a.caller)}`).catch(() => null)) || null);
    loadTranscript(id);
  }

  /* ---------- socket handlers ---------- */
  const mine = (iface) => S.user && iface === S.user.extension;
  const handlers = {
    snapshot(msg) {
      S.drafts = (msg.worklist && msg.worklist.drafts) || []; renderWorklist();
      const card = msg.cards.find((c) => S.user.role === "supervisor" || mine(c.interface)) || msg.cards[0];
      if (card) {
        const call = msg.calls.find((c) => c.call_id === card.call_id) || {};
        setCall({...card, queue: call.queue, at: call.offered_at, state: mine(call.answered_by) ? "talking" : "ringing"});
      } else if (S.call && S.call.state === "ringing") clearCall();
    },
    card(msg) {
      if (S.call && S.call.state === "talking" && S.call.call_id !== msg.call_id) return; // busy: the card is for the next free operator
      setCall(msg);
    },
    "card.withdrawn"(msg) {
      if (S.call && S.call.call_id === msg.call_id && S.call.state === "ringing" && (mine(msg.interface) || S.user.role === "supervisor")) clearCall();
    },
    "call.answered"(msg) {
      if (S.call && S.call.call_id === msg.data.call_id) { S.call.state = mine(msg.data.interface) || S.user.role === "supervisor" ? "talking" : S.call.state; banner(); }
    },
    "call.ended"(msg) { if (S.call && S.call.call_id === msg.data.call_id) { S.call.state = "ended"; banner(); } },
    "appeal.transcribed"(msg) { if (S.appealId && msg.data.appeal_id === S.appealId) loadTranscript(S.appealId); },
    "appeal.updated"(msg) {
      if (msg.data.status !== "draft") { S.drafts = S.drafts.filter((d) => d.appeal_id !== msg.data.appeal_id); renderWorklist(); }
    },
    "command.result"(msg) {
      const action = S.pending.get(msg.data.command_id); if (!action) return;
      S.pending.delete(msg.data.command_id);
      $("#q-status").textContent = msg.data.outcome === "ok" ? ACTION_DONE[action] : `Не виконано: ${msg.data.reason || msg.data.outcome}`;
    },
  };

  /* ---------- start ---------- */
  CC.start({
    async init(user) {
      S.user = user;
      const cats = await json("/api/categories");
      const byId = new Map(cats.map((c) => [c.id, c]));
      for (const c of cats) { c.children = 0; }
      for (const c of cats) if (c.parent_id && byId.has(c.parent_id)) byId.get(c.parent_id).children += 1;
      const path = (c) => (c.parent_id && byId.has(c.parent_id) ? `${path(byId.get(c.parent_id))} › ` : "") + c.name;
      S.categories = cats; for (const c of cats) S.catPath.set(c.id, path(c));
      form.kind.replaceChildren(...["application", "complaint", "proposal"].map((k) => el("option", {value: k}, label("kind", k))));
      $("#discard-reason").replaceChildren(...Object.keys(JSON.parse($("#cc-labels").textContent).discard).map((k) => el("option", {value: k}, label("discard", k))));
      $("#q-reason").replaceChildren(...Object.keys(JSON.parse($("#cc-labels").textContent).pause).map((k) => el("option", {value: k}, label("pause", k))));
      resetForm(null);
      suggestArticles();
    },
    ws: handlers,
  });
  form.addEventListener("submit", register);
  $("#add-issue").onclick = () => $("#issues").append(issueRow(document.querySelectorAll("#issues fieldset.issue").length + 1));
  $("#consult").onclick = consult; $("#discard").onclick = discard;
  $("#q-login").onclick = () => queue("login"); $("#q-logout").onclick = () => queue("logout");
  $("#q-pause").onclick = () => queue("pause"); $("#q-unpause").onclick = () => queue("unpause");
  CC.keys({"Alt+KeyR": () => register(), "Alt+KeyK": consult, "Alt+KeyD": discard, "Alt+KeyP": () => queue("pause"),
    "Alt+KeyA": () => S.applySuggestions && S.applySuggestions(), "Alt+KeyN": () => document.querySelector("#issues textarea").focus()});
})();
