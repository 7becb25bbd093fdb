/* The callback desk: worklist by priority and deadline, click-to-call (an Originate through the listener: the
   agent's phone rings first, then the citizen's), the call's live status, outcome buttons. See docs/ops.md. */
(() => {
  "use strict";
  const {el, fmt, json, flash} = CC;
  const KINDS = {verification: "перевірка виконання", missed_call: "пропущений дзвінок", requested_callback: "просили передзвонити"};
  const OUTCOMES = {
    verification: [["confirmed", "Підтверджено"], ["disputed", "Не підтверджено → доопрацювання"], ["no_answer", "Не відповідає → пізніше"], ["refused", "Відмовився від розмови"]],
    other: [["reached", "Поговорили"], ["no_answer", "Не відповідає → пізніше"], ["refused", "Відмовився від розмови"]],
  };
  const OUTCOME_NAMES = Object.fromEntries([...OUTCOMES.verification, ...OUTCOMES.other, ["busy", "Зайнято"], ["wrong_number", "Помилковий номер"], ["self_resolved", "Вирішилось самостійно"]]);
  const RESULT = {ok: "з'єднано", failed: "не вдалося", expired: "АТС не встигла виконати команду", rejected: "АТС відхилила команду"};
  let items = [], current = null, extension = null, command = null;

  const status = (text, kind = "") => { const s = document.getElementById("cb-status"); s.textContent = text; s.className = kind; };

  async function load() {
    const q = new URLSearchParams();
    const kind = document.getElementById("cb-kind").value;
    if (kind) q.set("kind", kind);
    if (document.getElementById("cb-due").checked) q.set("due", "true");
    try {
      const r = await json(`/api/callback-desk?${q}`);
      items = r.items; extension = r.extension;
      document.getElementById("cb-phone").textContent = extension ? `Ваш телефон: ${extension.replace(/^PJSIP\//, "")}` : "У вашому обліковому записі немає телефону — дзвінок з пульта недоступний";
      renderList();
      if (current) {
        const again = items.find((i) => i.task.id === current.task.id);
        if (again) select(again, false);
      }
    } catch (err) { flash(err.message); }
  }

  function renderList() {
    document.getElementById("cb-count").textContent = `(${items.length})`;
    document.getElementById("cb-empty").hidden = items.length > 0;
    document.querySelector("#cb-list tbody").replaceChildren(...items.map((i) => {
      const t = i.task, late = t.due_at && Date.parse(t.due_at) < Date.now();
      return el("tr", {"data-task-id": String(t.id), tabindex: "0", class: current && current.task.id === t.id ? "selected" : "",
        onclick: () => select(i), onkeydown: (ev) => { if (ev.key === "Enter") select(i); }},
        el("td", {class: "num"}, t.priority ? el("span", {class: "badge warn"}, String(t.priority)) : "0"),
        el("td", {}, KINDS[t.kind] || t.kind, t.status === "in_progress" ? el("span", {class: "badge"}, " у роботі") : ""),
        el("td", {}, t.phone_display || "номер невідомий"),
        el("td", {class: late ? "error" : ""}, t.due_at ? fmt.datetime(t.due_at) : "—"),
        el("td", {class: "num"}, `${t.attempts}/${t.max_attempts}`));
    }));
  }

  function select(item, resetStatus = true) {
    current = item;
    const t = item.task;
    document.getElementById("task-title").textContent = `${KINDS[t.kind] || t.kind} №${t.id}`;
    document.getElementById("cb-detail").hidden = false;
    document.getElementById("cb-number").textContent = t.phone_display || "номер невідомий";
    document.getElementById("cb-citizen").textContent = item.citizen_name || "";
    const appeal = document.getElementById("cb-appeal");
    appeal.replaceChildren(t.appeal_id ? el("a", {href: `/appeals/${t.appeal_id}`}, `Звернення ${item.issue_number || item.appeal_number || t.appeal_id}`) : "");
    document.getElementById("cb-text").textContent = item.issue_text || t.comment || "";
    document.getElementById("cb-call").disabled = !extension || !t.phone;
    const buttons = (t.kind === "verification" ? OUTCOMES.verification : OUTCOMES.other).map(([outcome, label]) =>
      el("button", {type: "button", class: outcome === "confirmed" || outcome === "reached" ? "" : "secondary", "data-outcome": outcome, onclick: () => record(outcome, label)}, label));
    document.getElementById("cb-buttons").replaceChildren(...buttons);
    document.getElementById("cb-history").textContent = t.outcome ? `Останній результат: ${OUTCOME_NAMES[t.outcome] || t.outcome}; наступна спроба ${fmt.datetime(t.next_attempt_at)}` : "Спроб ще не було.";
    if (resetStatus) { status(""); command = null; }
    renderList();
  }

  async function call() {
    if (!current) return;
    try {
      status("Надсилаю команду АТС…");
      const r = await json(`/api/callbacks/${current.task.id}/call`, {method: "POST"});
      command = {id: r.command_id, until: Date.now() + 60000};
      current.task = r.task;
      status("Дзвонить ваш телефон — підніміть слухавку, потім АТС набере громадянина", "warn");
      poll();
    } catch (err) { status(err.message, "error"); }
  }
  function settle(result) {
    if (!command || result.command_id !== command.id) return;
    const outcome = result.outcome || result.status;
    command = null;
    status(outcome === "ok" ? "З'єднано з громадянином — позначте результат" : `${RESULT[outcome] || outcome}${result.reason ? `: ${result.reason}` : ""}`, outcome === "ok" ? "ok" : "error");
  }
  async function poll() {
    if (!command) return;
    if (Date.now() > command.until) { status("АТС не відповіла на команду; спробуйте ще раз", "error"); command = null; return; }
    try {
      const r = await json(`/api/commands/${encodeURIComponent(command.id)}`);
      if (r.status !== "pending") { settle(r); return; }
    } catch { /* the socket may still deliver it */ }
    setTimeout(poll, 1500);
  }

  async function record(outcome, label) {
    if (!current) return;
    const form = document.getElementById("cb-outcome");
    const body = {outcome, note: form.note.value.trim()};
    if (form.satisfaction.value) body.satisfaction = Number(form.satisfaction.value);
    try {
      const t = await json(`/api/callbacks/${current.task.id}/attempts`, {method: "POST", body});
      flash(`${label}: збережено${t.status === "pending" ? `, наступна спроба ${fmt.datetime(t.next_attempt_at)}` : ""}`, "ok");
      form.reset(); command = null; status("");
      if (t.status !== "pending" && t.status !== "in_progress") {
        current = null;
        document.getElementById("cb-detail").hidden = true;
        document.getElementById("task-title").textContent = "Оберіть завдання";
      }
      await load();
    } catch (err) { flash(err.message); }
  }

  CC.start({
    init: async () => {
      document.getElementById("cb-kind").addEventListener("change", load);
      document.getElementById("cb-due").addEventListener("change", load);
      document.getElementById("cb-call").addEventListener("click", call);
      CC.keys({"Alt+KeyC": () => call()});
      await load();
      setInterval(load, 30000);
    },
    ws: {
      "command.result": (msg) => settle(msg.data || msg),
      "call.answered": (msg) => { if (command === null && current && (msg.data || {}).interface === extension) status("Розмова триває", "ok"); },
      "call.ended": () => load(),
    },
  });
})();
