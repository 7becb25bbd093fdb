/* The console core shared by every page: token-aware fetch, the reconnecting WebSocket client,
   Kyiv dates, phone formatting, small DOM helpers, keyboard shortcuts. No dependencies. See docs/console.md. */
(() => {
  "use strict";
  const TOKEN = "cc_token";
  const store = window.sessionStorage;
  const TZ = "Europe/Kyiv";
  const HOME = {
    operator: "/operator", supervisor: "/supervisor", callback_agent: "/callbacks",
    executor: "/executor", admin: "/admin/kb", head: "/reports",
  };
  const ROLE_NAMES = {
    operator: "оператор", supervisor: "супервізор", callback_agent: "агент зворотного зв'язку",
    executor: "виконавець", admin: "адміністратор", head: "керівник",
  };

  class ApiError extends Error {
    constructor(status, code, message, body) {
      super(message); this.status = status; this.code = code; this.body = body;
    }
  }

  const token = () => store.getItem(TOKEN);
  const signOut = () => {
    store.removeItem(TOKEN);
    const here = location.pathname + location.search;
    location.assign(here === "/" ? "/" : "/?next=" + encodeURIComponent(here));
  };

  /** fetch with the bearer token; a plain-object body is sent as JSON; 401 sends the user to the login page. */
  async function api(url, opts = {}) {
    const headers = {...(opts.headers || {})};
    if (token()) headers.Authorization = "Bearer " + token();
    let body = opts.body;
    if (body && !(body instanceof FormData) && !(body instanceof URLSearchParams) && !(body instanceof Blob) && typeof body === "object") {
      body = JSON.stringify(body); headers["Content-Type"] = "application/json";
    }
    const r = await fetch(url, {...opts, headers, body});
    if (r.status === 401) { signOut(); throw new ApiError(401, "unauthorized", "Сеанс завершився, увійдіть знову"); }
    return r;
  }

  /** api() that returns the parsed JSON body, or throws ApiError with the server's `error.message`. */
  async function json(url, opts = {}) {
    const r = await api(url, opts);
    const body = r.status === 204 ? null : await r.json().catch(() => null);
    if (!r.ok) {
      const err = (body && body.error) || {};
      let message = err.message || `Помилка ${r.status}`;
      if (Array.isArray(body && body.detail)) message = body.detail.map((d) => d.msg).join("; ");
      throw new ApiError(r.status, err.code || String(r.status), message, body);
    }
    return body;
  }

  /* ---- formatting ---- */
  const dateFmt = new Intl.DateTimeFormat("uk-UA", {timeZone: TZ, day: "2-digit", month: "2-digit", year: "numeric"});
  const timeFmt = new Intl.DateTimeFormat("uk-UA", {timeZone: TZ, hour: "2-digit", minute: "2-digit"});
  const toDate = (v) => (v instanceof Date ? v : new Date(v));
  const fmt = {
    /** "+380441234567" → "+380 44 123 4567"; null → "номер приховано". */
    phone(e164) {
      if (!e164) return "номер приховано";
      const m = /^\+380(\d{2})(\d{3})(\d{4})$/.exec(e164);
      return m ? `+380 ${m[1]} ${m[2]} ${m[3]}` : e164;
    },
    date: (v) => (v ? dateFmt.format(toDate(v)) : ""),
    time: (v) => (v ? timeFmt.format(toDate(v)) : ""),
    datetime: (v) => (v ? `${dateFmt.format(toDate(v))} ${timeFmt.format(toDate(v))}` : ""),
    /** Seconds → "m:ss" (or "h:mm:ss"). */
    duration(seconds) {
      const s = Math.max(0, Math.round(seconds || 0));
      const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), r = String(s % 60).padStart(2, "0");
      return h ? `${h}:${String(m).padStart(2, "0")}:${r}` : `${m}:${r}`;
    },
    role: (r) => ROLE_NAMES[r] || r,
  };

  /* ---- DOM helpers ---- */
  /** el("a", {href: "/x", class: "c", onclick: fn, dataset: {k: v}}, "text", child) */
  function el(tag, attrs = {}, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k === "class") node.className = v;
      else if (k === "dataset") Object.assign(node.dataset, v);
      else if (k.startsWith("on") && typeof v === "function") node.addEventListener(k.slice(2), v);
      else if (v === true) node.setAttribute(k, "");
      else node.setAttribute(k, v);
    }
    for (const c of children.flat()) if (c !== null && c !== undefined && c !== false) node.append(c instanceof Node ? c : String(c));
    return node;
  }
  const $ = (sel, root = document) => root.querySelector(sel);
  /** node.replaceChildren without the null/false placeholders of conditional children. */
  const fill = (node, ...children) => node.replaceChildren(...children.flat().filter((c) => c !== null && c !== undefined && c !== false));
  let flashTimer = null;
  function flash(message, kind = "error") {
    const box = document.getElementById("flash"); if (!box) return;
    box.textContent = message; box.dataset.kind = kind; box.hidden = false;
    clearTimeout(flashTimer); flashTimer = setTimeout(() => { box.hidden = true; }, kind === "error" ? 8000 : 4000);
  }

  /* ---- per-field error messages (the API's `error.field_messages`, Ukrainian) ---- */
  let fieldErrorSeq = 0;
  function clearFieldErrors(root) {
    for (const note of root.querySelectorAll(".field-error")) note.remove();
    for (const input of root.querySelectorAll("[aria-invalid=true]")) {
      input.removeAttribute("aria-invalid");
      const rest = (input.getAttribute("aria-describedby") || "").split(" ").filter((id) => id && !id.startsWith("field-error-"));
      if (rest.length) input.setAttribute("aria-describedby", rest.join(" ")); else input.removeAttribute("aria-describedby");
    }
  }
  /**
   * Puts each of an ApiError's field messages next to its field (inside the field's label, linked by aria-describedby)
   * and marks the field aria-invalid until it is edited. `locate(name)` maps an API field name ("issues.0.description")
   * to the input; by default the root form's element of that name. Returns how many messages were placed.
   */
  function fieldErrors(root, err, locate) {
    clearFieldErrors(root);
    const messages = (err && err.body && err.body.error && err.body.error.field_messages) || {};
    let placed = 0;
    for (const [name, text] of Object.entries(messages)) {
      const input = locate ? locate(name) : (root.elements && root.elements[name]) || null;
      if (!input || !input.setAttribute) continue;
      const id = `field-error-${++fieldErrorSeq}`;
      const note = el("span", {class: "field-error error", id, dataset: {field: name}}, text);
      (input.closest("label") || input.parentNode).append(note);
      input.setAttribute("aria-invalid", "true");
      input.setAttribute("aria-describedby", `${input.getAttribute("aria-describedby") || ""} ${id}`.trim());
      input.addEventListener("input", () => { note.remove(); input.removeAttribute("aria-invalid"); }, {once: true});
      placed += 1;
    }
    return placed;
  }

  /* ---- keyboard shortcuts: CC.keys({"Alt+KeyR": fn, "F2": fn}) ---- */
  const shortcuts = new Map();
  document.addEventListener("keydown", (ev) => {
    const name = (ev.ctrlKey ? "Ctrl+" : "") + (ev.altKey ? "Alt+" : "") + (ev.shiftKey ? "Shift+" : "") + ev.code;
    const handler = shortcuts.get(name) || shortcuts.get(ev.key);
    if (handler) { ev.preventDefault(); handler(ev); }
  });
  const keys = (map) => { for (const [k, fn] of Object.entries(map)) shortcuts.set(k, fn); };

  /* ---- the reconnecting WebSocket client ---- */
  const compareIds = (a, b) => {
    const [am, as] = String(a).split("-").map(Number), [bm, bs] = String(b).split("-").map(Number);
    return am !== bm ? am - bm : (as || 0) - (bs || 0);
  };

  /**
   * Connects to /ws/console. `handlers` maps message types to functions: "snapshot" (a full state, on every
   * (re)connect), "card", "card.withdrawn", "call.offered", "queue.state", … and "*" for every delta. Deltas carry
   * `id` (the cc:events entry id); ones at or before the last seen id are dropped. Reconnects with back-off and
   * sends its last id; the server answers with a fresh snapshot.
   */
  function connect(handlers, {onStatus} = {}) {
    let ws = null, lastId = null, attempt = 0, watchdog = null, stopped = false;
    const status = (state) => {
      const badge = document.getElementById("ws-status");
      if (badge) {
        badge.hidden = false; badge.dataset.state = state;
        badge.textContent = {open: "на зв'язку", connecting: "з'єднання…", reconnecting: "зв'язок втрачено, перепідключення…", closed: "відключено"}[state] || state;
      }
      if (onStatus) onStatus(state);
    };
    const arm = (seconds) => {
      clearTimeout(watchdog);
      watchdog = setTimeout(() => { if (ws) ws.close(4000, "heartbeat timeout"); }, Math.max(5, seconds * 3) * 1000);
    };
    const dispatch = (msg) => {
      if (msg.type === "heartbeat") { arm(msg.interval || 15); return; }
      if (msg.type === "snapshot") {
        lastId = msg.id || lastId; arm(msg.heartbeat || 15);
        if (handlers.snapshot) handlers.snapshot(msg);
        return;
      }
      if (msg.id) {
        if (lastId && compareIds(msg.id, lastId) <= 0) return;
        lastId = msg.id;
      }
      if (handlers[msg.type]) handlers[msg.type](msg);
      if (handlers["*"]) handlers["*"](msg);
    };
    const open = () => {
      if (stopped) return;
      status(attempt ? "reconnecting" : "connecting");
      const proto = location.protocol === "https:" ? "wss:" : "ws:";
      const q = new URLSearchParams({token: token() || ""});
      if (lastId) q.set("last_id", lastId);
      ws = new WebSocket(`${proto}//${location.host}/ws/console?${q}`);
      ws.onopen = () => { attempt = 0; status("open"); };
      ws.onmessage = (ev) => {
        let msg; try { msg = JSON.parse(ev.data); } catch { return; }
        arm(15);
        dispatch(msg);
      };
      ws.onclose = (ev) => {
        clearTimeout(watchdog); ws = null;
        if (ev.code === 4401) { signOut(); return; }
        if (ev.code === 4403) { stopped = true; status("closed"); flash("Ця роль не має доступу до живої консолі"); return; }
        if (stopped) { status("closed"); return; }
        attempt += 1; status("reconnecting");
        const delay = Math.min(10000, 500 * 2 ** Math.min(attempt, 5)) * (0.75 + Math.random() / 2);
        setTimeout(open, delay);
      };
    };
    open();
    return {
      send: (obj) => { if (ws && ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(obj)); },
      resync: () => { if (ws && ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify({type: "resync"})); },
      close: () => { stopped = true; if (ws) ws.close(1000, "bye"); },
      get lastId() { return lastId; },
    };
  }

  /* ---- page start-up ---- */
  let meCache = null;
  const me = async () => (meCache = meCache || (await json("/api/auth/me")));

  /**
   * Every page calls CC.start({init(user), ws: {handlers}}). Redirects to the login page without a token,
   * shows the nav links for the user's role, refuses a page not meant for the role (body data-roles).
   */
  async function start({init, ws} = {}) {
    if (!token()) { signOut(); return null; }
    const user = await me().catch(() => null);
    if (!user) return null;
    document.getElementById("who").textContent = `${user.full_name || user.username} (${fmt.role(user.role)})`;
    for (const a of document.querySelectorAll("#nav a[data-roles]")) a.hidden = !a.dataset.roles.split(",").includes(user.role);
    const logout = document.getElementById("logout");
    logout.hidden = false; logout.onclick = () => signOut();
    const allowed = (document.body.dataset.roles || "").split(",").filter(Boolean);
    if (allowed.length && !allowed.includes(user.role)) {
      const main = document.getElementById("main");
      main.replaceChildren(el("p", {class: "error", role: "alert"}, "Ця сторінка недоступна для вашої ролі. ", el("a", {href: HOME[user.role] || "/"}, "На мою сторінку")));
      return null;
    }
    CC.user = user;
    if (init) await init(user);
    if (ws) CC.socket = connect(ws);
    return user;
  }

  /** The login page: sign in, keep the token in sessionStorage `cc_token`, go to ?next or the role's home page. */
  function loginPage(form, errorBox) {
    const next = new URLSearchParams(location.search).get("next");
    const go = (role) => location.assign(next && next.startsWith("/") && !next.startsWith("//") ? next : HOME[role] || "/reports");
    if (token()) me().then((u) => go(u.role)).catch(() => store.removeItem(TOKEN));
    form.addEventListener("submit", async (ev) => {
      ev.preventDefault(); errorBox.textContent = "";
      const r = await fetch("/api/auth/token", {method: "POST", body: new URLSearchParams(new FormData(form))});
      const body = await r.json().catch(() => ({}));
      if (!r.ok) { errorBox.textContent = (body.error && body.error.message) || "Не вдалося увійти"; return; }
      store.setItem(TOKEN, body.access_token); meCache = null; go(body.role);
    });
  }

  /** Ukrainian labels for codes: CC.label("issue_status", "in_work") → "У роботі" (falls back to the code). */
  let labelSets = null;
  const label = (set, code) => {
    if (!labelSets) { try { labelSets = JSON.parse(document.getElementById("cc-labels").textContent); } catch { labelSets = {}; } }
    return (labelSets[set] && labelSets[set][code]) || code || "";
  };

  window.CC = {label, fill, api, json, ApiError, fmt, el, $, flash, keys, fieldErrors, clearFieldErrors, connect, start, loginPage, signOut, token, HOME, user: null, socket: null};
})();
