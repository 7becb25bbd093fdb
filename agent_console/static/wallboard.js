/* The supervisor wallboard: REST snapshots (/api/wallboard every 30 s, /api/wallboard/live on queue.state deltas),
   live timers ticking in the browser, a hand-written SVG load chart, listen / whisper / barge. See docs/ops.md. */
(() => {
  "use strict";
  const {el, fmt, json, flash} = CC;
  const root = document.getElementById("wallboard");
  const TV = root.dataset.tv === "1";
  const QUEUE_NAMES = {hotline: "Гаряча лінія", consult: "Консультації", "": "Усі черги"};
  const SPY = [["listen", "Слухати"], ["whisper", "Підказувати"], ["barge", "Втрутитися"]];
  const FULL_EVERY = 30000;
  const LIVE_EVERY = 5000; // the live part is refetched at least this often, even without socket deltas
  let board = null, live = [], liveAt = Date.now();
  const pending = new Map(); // command_id → {label, timer}

  const qname = (q) => QUEUE_NAMES[q] ?? q;
  const pct = (v) => (v === null || v === undefined ? "—" : `${v.toLocaleString("uk-UA")} %`);
  const secs = (v) => (v === null || v === undefined ? "—" : fmt.duration(v));
  const since = (iso) => (iso ? Math.max(0, (Date.now() - Date.parse(iso)) / 1000) : null);

  /** At most one call per `ms`, the last request never lost (a busy queue sends deltas faster than that). */
  function throttle(fn, ms) {
    let last = 0, timer = null;
    return () => {
      if (timer) return;
      const wait = Math.max(0, last + ms - Date.now());
      timer = setTimeout(() => { timer = null; last = Date.now(); fn(); }, wait);
    };
  }

  async function refresh() {
    try {
      board = await json("/api/wallboard");
      live = board.live; liveAt = Date.now();
      render();
    } catch (err) { flash(err.message); }
  }
  async function refreshLive() {
    try {
      const r = await json("/api/wallboard/live");
      live = r.live; liveAt = Date.now();
      if (board) board.listener = r.listener;
      renderLive();
    } catch (err) { flash(err.message); }
  }
  const soonLive = throttle(refreshLive, 1000);
  const soonFull = throttle(refresh, 3000);

  /* ---- queue tiles: live waiting + today's figures ---- */
  function level(sl, target = 80) {
    if (sl === null || sl === undefined) return "ok";
    return sl >= target ? "ok" : sl >= target - 15 ? "warn" : "bad";
  }
  function tile(name, today, q) {
    const waiting = q ? q.waiting.length : 0;
    const longest = q ? q.longest_wait_seconds + (Date.now() - liveAt) / 1000 * (waiting ? 1 : 0) : 0;
    const t = today || {offered: 0, answered: 0, abandoned: 0};
    return el("article", {class: "tile", "data-queue": name, "data-level": level(t.service_level_pct)},
      el("h3", {}, qname(name)),
      el("div", {class: "big"},
        el("div", {}, el("strong", {class: "waiting-count"}, String(waiting)), el("span", {}, "в черзі")),
        el("div", {}, el("strong", {class: "longest", "data-longest": waiting ? String(Date.now() - longest * 1000) : ""}, waiting ? fmt.duration(longest) : "—"), el("span", {}, "найдовше")),
        el("div", {}, el("strong", {class: "sl"}, pct(t.service_level_pct)), el("span", {}, `обслуговано за ${board ? board.service_level_seconds : 20} с`))),
      el("dl", {},
        el("dt", {}, "Надійшло"), el("dd", {class: "offered"}, String(t.offered)),
        el("dt", {}, "Прийнято"), el("dd", {class: "answered"}, String(t.answered)),
        el("dt", {}, "Втрачено"), el("dd", {class: "abandoned"}, String(t.abandoned)),
        el("dt", {}, "% втрачених"), el("dd", {}, pct(t.abandoned_pct)),
        el("dt", {}, "Сер. очікування"), el("dd", {}, secs(t.avg_wait_seconds)),
        el("dt", {}, "Сер. розмова"), el("dd", {}, secs(t.avg_talk_seconds))));
  }
  function renderTiles() {
    const today = new Map((board ? board.today : []).map((r) => [r.queue, r]));
    const names = [...new Set([...live.map((q) => q.queue), ...[...today.keys()].filter((k) => k !== "")])].sort();
    const tiles = names.map((n) => tile(n, today.get(n), live.find((q) => q.queue === n)));
    if (names.length > 1 || !names.length) tiles.push(tile("", today.get(""), {waiting: live.flatMap((q) => q.waiting), longest_wait_seconds: Math.max(0, ...live.map((q) => q.longest_wait_seconds))}));
    document.getElementById("queues").replaceChildren(...tiles);
  }

  /* ---- live lists ---- */
  function renderWaiting() {
    const rows = live.flatMap((q) => q.waiting.map((w) => ({...w, queue: q.queue})));
    rows.sort((a, b) => b.wait_seconds - a.wait_seconds);
    document.querySelector("#waiting tbody").replaceChildren(...rows.map((w) => el("tr", {"data-call-id": w.call_id},
      el("td", {}, qname(w.queue)), el("td", {class: "num"}, String(w.position)), el("td", {}, w.caller_masked),
      el("td", {class: "num tick", "data-from": String(liveAt - w.wait_seconds * 1000)}, fmt.duration(w.wait_seconds)))));
    document.getElementById("waiting-empty").hidden = rows.length > 0;
  }
  function spyButtons(agent) {
    if (TV || agent.state !== "on_call") return el("td", {class: "spy"});
    return el("td", {class: "spy"}, ...SPY.map(([mode, label]) =>
      el("button", {type: "button", class: "secondary", "data-mode": mode, "aria-label": `${label}: ${agent.name}`, onclick: () => spy(agent, mode, label)}, label)));
  }
  function renderAgents() {
    const seen = new Map();
    for (const q of live) for (const a of q.agents) if (!seen.has(a.interface) || a.state !== "free") seen.set(a.interface, a);
    const order = {ringing: 0, on_call: 1, wrapup: 2, free: 3, paused: 4, offline: 5};
    const agents = [...seen.values()].sort((a, b) => (order[a.state] - order[b.state]) || a.name.localeCompare(b.name, "uk"));
    document.querySelector("#agents tbody").replaceChildren(...agents.map((a) => el("tr", {"data-interface": a.interface},
      el("td", {}, a.name, " ", el("span", {class: "muted"}, a.interface.replace(/^PJSIP\//, ""))),
      el("td", {}, el("span", {class: `state ${a.state}`}, a.state_label), a.paused_reason ? el("span", {class: "muted"}, ` (${a.paused_reason})`) : ""),
      el("td", {class: "num tick", "data-from": a.since ? String(Date.parse(a.since)) : ""}, a.since ? fmt.duration(since(a.since)) : "—"),
      TV ? null : spyButtons(a))));
  }
  function renderListener() {
    const badge = document.getElementById("wb-listener");
    const state = board && board.listener ? board.listener.state : null;
    badge.textContent = state === "up" ? "АТС: на зв'язку" : state === "auth_failed" ? "АТС: помилка входу" : state === "down" ? "АТС: немає зв'язку" : "АТС: невідомо";
    badge.className = "badge " + (state === "up" ? "ok" : "bad");
  }
  function renderLive() { renderListener(); renderTiles(); renderWaiting(); renderAgents(); }

  /* ---- today's panels ---- */
  function renderOperators() {
    document.querySelector("#operators tbody").replaceChildren(...board.operators.map((o) => el("tr", {"data-extension": o.extension || ""},
      el("td", {}, o.name), el("td", {class: "num"}, String(o.calls)), el("td", {class: "num"}, secs(o.aht_seconds)),
      el("td", {class: "num"}, fmt.duration(o.talk_seconds)), el("td", {class: "num"}, fmt.duration(o.pause_seconds)),
      el("td", {class: "num"}, fmt.duration(o.wrapup_seconds)))));
  }
  const CALLBACK = {pending: "чекає", in_progress: "набирається", done: "виконано", cancelled: "скасовано"};
  function renderMissed() {
    document.querySelector("#missed tbody").replaceChildren(...board.missed.map(({call, caller_display}) => el("tr", {"data-call-id": call.call_id},
      el("td", {}, fmt.time(call.started_at)), el("td", {}, caller_display || "номер приховано"), el("td", {}, call.queue ? qname(call.queue) : "—"),
      el("td", {class: "num"}, secs(call.wait_seconds)),
      el("td", {}, call.task_id ? `${CALLBACK[call.task_status] || call.task_status}${call.attempts ? `, спроб: ${call.attempts}` : ""}` : "—"))));
    document.getElementById("missed-empty").hidden = board.missed.length > 0;
  }
  function renderDeadlines() {
    document.querySelector("#deadlines tbody").replaceChildren(...board.deadlines.map((d) => el("tr", {},
      el("td", {}, d.executor), el("td", {class: "num"}, d.overdue ? el("span", {class: "badge bad"}, String(d.overdue)) : "0"),
      el("td", {class: "num"}, d.near ? el("span", {class: "badge warn"}, String(d.near)) : "0"),
      el("td", {}, ...d.items.map((i) => el("span", {class: `badge ${i.overdue ? "bad" : "warn"}`, title: `строк ${fmt.datetime(i.due_at)}`}, `${i.number} до ${fmt.date(i.due_at)}`))))));
    document.getElementById("deadlines-empty").hidden = board.deadlines.length > 0;
  }

  /* ---- the load chart (SVG, no library) ---- */
  function renderChart() {
    const data = board.load, W = 640, H = 190, L = 30, B = 22, T = 8, R = 30;
    const maxCalls = Math.max(4, ...data.map((b) => b.offered));
    const maxWait = Math.max(1, ...data.map((b) => b.avg_waiting));
    const bw = (W - L - R) / Math.max(1, data.length);
    const y = (v) => H - B - (v / maxCalls) * (H - B - T);
    const ns = "http://www.w3.org/2000/svg";
    const svg = document.createElementNS(ns, "svg");
    svg.setAttribute("viewBox", `0 0 ${W} ${H}`);
    const add = (tag, attrs, text) => {
      const n = document.createElementNS(ns, tag);
      for (const [k, v] of Object.entries(attrs)) n.setAttribute(k, v);
      if (text !== undefined) n.textContent = text;
      svg.append(n); return n;
    };
    for (const v of [0, Math.round(maxCalls / 2), maxCalls]) {
      add("line", {x1: L, x2: W - R, y1: y(v), y2: y(v), stroke: "#d5d9e0"});
      add("text", {x: L - 4, y: y(v) + 4, "text-anchor": "end", "font-size": 10, fill: "#5c6672"}, String(v));
    }
    data.forEach((b, i) => {
      const x = L + i * bw + 1, w = Math.max(1, bw - 2);
      let top = H - B;
      for (const [value, color] of [[b.answered, "#1f6b3a"], [b.abandoned, "#a12622"], [b.offered - b.answered - b.abandoned, "#9aa3ad"]]) {
        if (value <= 0) continue;
        const h = (value / maxCalls) * (H - B - T);
        top -= h;
        add("rect", {x, y: top, width: w, height: h, fill: color}).append(Object.assign(document.createElementNS(ns, "title"), {textContent: `${fmt.time(b.start)}: ${value}`}));
      }
      if (i % Math.ceil(data.length / 8) === 0) add("text", {x: x + w / 2, y: H - 6, "text-anchor": "middle", "font-size": 10, fill: "#5c6672"}, fmt.time(b.start));
    });
    const pts = data.map((b, i) => `${L + i * bw + bw / 2},${H - B - (b.avg_waiting / maxWait) * (H - B - T)}`).join(" ");
    if (data.length) add("polyline", {points: pts, fill: "none", stroke: "#f0b429", "stroke-width": 2.5});
    add("text", {x: W - R + 4, y: T + 8, "font-size": 10, fill: "#8a5a00"}, maxWait.toFixed(1));
    document.getElementById("load-chart").replaceChildren(svg);
  }

  function render() {
    if (!board) return;
    document.getElementById("wb-sl").textContent = `Рівень обслуговування: відповідь за ${board.service_level_seconds} с`;
    renderLive(); renderOperators(); renderMissed(); renderDeadlines(); renderChart();
  }

  /* ---- timers ---- */
  const clockFmt = new Intl.DateTimeFormat("uk-UA", {timeZone: "Europe/Kyiv", hour: "2-digit", minute: "2-digit", second: "2-digit"});
  function tick() {
    document.getElementById("wb-clock").textContent = clockFmt.format(new Date());
    for (const cell of document.querySelectorAll(".tick[data-from]")) {
      if (cell.dataset.from) cell.textContent = fmt.duration((Date.now() - Number(cell.dataset.from)) / 1000);
    }
    for (const cell of document.querySelectorAll(".longest[data-longest]")) {
      if (cell.dataset.longest) cell.textContent = fmt.duration((Date.now() - Number(cell.dataset.longest)) / 1000);
    }
  }

  /* ---- listen / whisper / barge ---- */
  async function spy(agent, mode, label) {
    try {
      const r = await json("/api/wallboard/spy", {method: "POST", body: {interface: agent.interface, mode}});
      flash(`${label}: ${agent.name} — ваш телефон зараз задзвонить`, "ok");
      const timer = setInterval(() => poll(r.command_id), 2000);
      pending.set(r.command_id, {label, timer, until: Date.now() + 60000});
    } catch (err) { flash(err.message); }
  }
  function settle(result) {
    const item = pending.get(result.command_id);
    if (!item) return;
    clearInterval(item.timer); pending.delete(result.command_id);
    const outcome = result.outcome || result.status;
    if (outcome === "ok") flash(`${item.label}: з'єднано`, "ok");
    else flash(`${item.label}: не вдалося (${result.reason || outcome})`);
  }
  async function poll(id) {
    const item = pending.get(id);
    if (!item) return;
    if (Date.now() > item.until) { clearInterval(item.timer); pending.delete(id); flash(`${item.label}: АТС не відповіла`); return; }
    try {
      const r = await json(`/api/commands/${encodeURIComponent(id)}`);
      if (r.status !== "pending") settle(r);
    } catch { /* the socket may still deliver it */ }
  }

  CC.start({
    init: async () => {
      if (TV) document.body.classList.add("tv");
      await refresh();
      setInterval(refresh, FULL_EVERY);
      setInterval(() => { if (Date.now() - liveAt >= LIVE_EVERY) refreshLive(); }, 1000);
      setInterval(tick, 1000); tick();
    },
    ws: {
      snapshot: () => soonLive(),
      "queue.state": () => soonLive(),
      "call.offered": () => soonLive(),
      "call.answered": () => { soonLive(); soonFull(); },
      "call.ended": () => { soonLive(); soonFull(); },
      "command.result": (msg) => settle(msg.data || msg),
    },
  });
})();
