// Offline on the page: registers the service worker, shows the offline banner, and on Today keeps
// what the rep logs with no signal in the outbox (static/js/outbox.js), counted in the totals as
// pending until the server confirms it. Words shown come from the page (#pacer-offline's data-t-*
// attributes, rendered in the rep's language).
(function () {
  "use strict";

  const outbox = window.PacerOutbox;
  if (!outbox) return;

  const queuing = new Set(); // client ids being stored right now: a second tap is the same tap
  const submitters = new WeakMap(); // form -> the button that last submitted it (a quick pick)
  let worker = null; // the registration, once asked for
  let started = null; // the #pacer-offline element the page was last set up for
  let needsSignIn = false;
  let message = "";
  let drawing = 0;
  let retry = null; // the timer that sends again after the server said "later"

  const status = () => document.getElementById("pacer-offline");
  const panel = () => document.getElementById("outbox");
  const lang = () => document.documentElement.lang || undefined;

  function api() {
    const data = status().dataset;
    return { session: data.sessionUrl, activities: data.syncUrl };
  }

  // The signed-in person's id; "" when signed out; undefined on a page kept for anyone.
  function user() {
    const element = status();
    return element ? element.dataset.user : undefined;
  }

  // Where the person reads and types times (their display timezone, as on the server).
  function timezone() {
    const element = status();
    return (element && element.dataset.timezone) || undefined;
  }

  // A sentence from the page: data-t-NAME, or data-t-NAME-one/-other by count; {x} fill-ins.
  function say(name, fill) {
    const data = status() ? status().dataset : {};
    const key = (suffix) => `t-${name}${suffix}`.replace(/-([a-z])/g, (_, c) => c.toUpperCase());
    let text = data[key("")];
    const values = Object.assign({}, fill);
    if (values.count !== undefined) {
      const form = new Intl.PluralRules(lang()).select(values.count);
      text = data[key(`-${form}`)] || data[key("-other")] || text;
      values.count = formatNumber(values.count);
    }
    return (text || "").replace(/\{(\w+)\}/g, (whole, field) => (field in values ? values[field] : whole));
  }

  function formatNumber(number) {
    return new Intl.NumberFormat(lang(), { maximumFractionDigits: 2 }).format(number);
  }

  // ---- The period an instant counts in, in the organisation's timezone (as the server does).

  function dayKey(date, timeZone) {
    const parts = {};
    new Intl.DateTimeFormat("en-US", { timeZone, year: "numeric", month: "2-digit", day: "2-digit" })
      .formatToParts(date)
      .forEach((part) => (parts[part.type] = part.value));
    return `${parts.year}-${parts.month}-${parts.day}`;
  }

  function periodOf(date, timeZone, weekStart) {
    const day = dayKey(date, timeZone);
    const start = new Date(`${day}T00:00:00Z`);
    const weekday = (start.getUTCDay() + 6) % 7; // 0 = Monday, as in the server's calendar
    start.setUTCDate(start.getUTCDate() - ((weekday - weekStart + 7) % 7));
    return { day, week: start.toISOString().slice(0, 10) };
  }

  // ---- When an item happened

  // The zone's offset from UTC, in ms, at the instant `ms`.
  function offsetAt(ms, timeZone) {
    const parts = {};
    new Intl.DateTimeFormat("en-US", {
      timeZone, hourCycle: "h23", year: "numeric", month: "2-digit", day: "2-digit",
      hour: "2-digit", minute: "2-digit", second: "2-digit",
    }).formatToParts(new Date(ms)).forEach((part) => (parts[part.type] = part.value));
    const wall = Date.UTC(parts.year, parts.month - 1, parts.day, parts.hour, parts.minute, parts.second);
    return wall - (ms - (ms % 1000));
  }

  // The instant an item's time means. A time the rep typed is sent as typed, with no offset,
  // and the server reads it in their timezone (services/activity_times.py); here it is read
  // the same way, only to draw it (around a DST change it may be an hour off; the server's
  // reading is the one that counts).
  function instantOf(item) {
    const text = item.occurred_at;
    if (/(Z|[+-]\d\d:?\d\d)$/.test(text) || !item.timezone) return new Date(text);
    const asUtc = Date.parse(`${text}Z`);
    try {
      return new Date(asUtc - offsetAt(asUtc - offsetAt(asUtc, item.timezone), item.timezone));
    } catch (error) {
      return new Date(text); // a timezone this browser does not know: the phone's own
    }
  }

  const isTime = (date) => !Number.isNaN(date.getTime());

  // ---- Drawing the outbox

  async function mine() {
    const me = user();
    if (!me) return { queued: [], rejected: [] };
    const items = (await outbox.all()).filter((item) => item.user === me);
    return {
      queued: items.filter((item) => item.state === "queued"),
      rejected: items.filter((item) => item.state === "rejected"),
    };
  }

  async function draw() {
    const turn = ++drawing;
    const items = await mine();
    if (turn !== drawing) return; // a newer drawing is on its way
    drawTiles(items.queued);
    drawPanel(items);
  }

  function drawTiles(queued) {
    const today = document.getElementById("today");
    if (!today || !today.dataset.timezone) return;
    const timeZone = today.dataset.timezone;
    const weekStart = Number(today.dataset.weekStart || 0);
    const now = periodOf(new Date(), timeZone, weekStart);
    for (const tile of today.querySelectorAll(".tile")) {
      const metric = tile.querySelector("input[name=metric]");
      if (!metric) continue;
      const gate = tile.dataset.qualityMin === undefined ? null : Number(tile.dataset.qualityMin);
      const pending = queued.filter((item) => item.metric === metric.value);
      const counted = pending.filter((item) => gate === null || (item.value !== null && item.value >= gate));
      for (const [total, period] of [["today", "day"], ["week", "week"]]) {
        const shown = tile.querySelector(`[data-total="${total}"]`);
        if (!shown) continue;
        if (shown.dataset.server === undefined) shown.dataset.server = shown.textContent;
        // A page kept from an earlier day or week: its numbers are not this period's.
        const current = today.dataset[period] === now[period];
        const base = current ? Number(shown.dataset.value || 0) : 0;
        const extra = counted
          .filter((item) => isTime(instantOf(item)))
          .filter((item) => periodOf(instantOf(item), timeZone, weekStart)[period] === now[period])
          .reduce((sum, item) => sum + item.quantity, 0);
        shown.textContent = extra || !current ? formatNumber(base + extra) : shown.dataset.server;
        shown.classList.toggle("has-pending", extra > 0);
      }
      let badge = tile.querySelector(".pending-badge");
      if (pending.length) {
        if (!badge) {
          badge = document.createElement("span");
          badge.className = "badge pending-badge";
          tile.querySelector(".totals").append(badge);
        }
        badge.textContent = say("pending", { count: pending.length });
      } else if (badge) {
        badge.remove();
      }
    }
  }

  function entry(item, action) {
    const row = document.createElement("li");
    row.dataset.clientId = item.client_id;
    const what = document.createElement("span");
    what.className = "what";
    what.textContent = say("entry", { quantity: formatNumber(item.quantity), metric: item.metric_name || item.metric });
    const when = document.createElement("time");
    const instant = instantOf(item);
    when.dateTime = isTime(instant) ? instant.toISOString() : "";
    when.textContent = isTime(instant) ? formatTime(instant) : item.occurred_at;
    row.append(what, when);
    if (!counts(item)) {
      const tile = document.querySelector(`.tile[data-metric="${CSS.escape(item.metric)}"]`);
      const warning = document.createElement("span");
      warning.className = "badge badge-warning";
      warning.textContent = tile.dataset.uncounted;
      row.append(warning);
    }
    if (item.note) {
      const note = document.createElement("span");
      note.className = "note";
      note.textContent = item.note;
      row.append(note);
    }
    if (item.state === "rejected") {
      const error = document.createElement("span");
      error.className = "error";
      error.textContent = item.error || say("refused");
      row.append(error);
    }
    const button = document.createElement("button");
    button.type = "button";
    button.className = "link";
    button.dataset.outboxRemove = item.client_id;
    button.textContent = say(action);
    const hidden = document.createElement("span");
    hidden.className = "visually-hidden";
    hidden.textContent = ` ${item.metric_name || item.metric}`;
    button.append(hidden);
    row.append(button);
    return row;
  }

  // In the person's timezone, as the server shows times; the phone's where the page has none.
  function formatTime(instant) {
    const style = { dateStyle: "short", timeStyle: "short" };
    try {
      return new Intl.DateTimeFormat(lang(), Object.assign({ timeZone: timezone() }, style)).format(instant);
    } catch (error) {
      return new Intl.DateTimeFormat(lang(), style).format(instant);
    }
  }

  function drawPanel({ queued, rejected }) {
    const section = panel();
    if (!section) return;
    section.hidden = !queued.length && !rejected.length;
    section.querySelector(".outbox-items").replaceChildren(...queued.map((item) => entry(item, "undo")));
    const refused = section.querySelector(".outbox-rejected");
    refused.hidden = !rejected.length;
    refused.querySelector("ul").replaceChildren(...rejected.map((item) => entry(item, "discard")));
    const signIn = section.querySelector(".outbox-sign-in");
    signIn.hidden = !(needsSignIn && queued.length);
    signIn.querySelector("a").textContent = say("sign-in", { count: queued.length });
    section.querySelector(".outbox-message").textContent = queued.length || rejected.length ? message : "";
    // Nothing left to send: the panel holds only what was refused, and says so.
    section.querySelector(".outbox-title-waiting").hidden = !queued.length && rejected.length > 0;
    section.querySelector(".outbox-title-refused").hidden = queued.length > 0 || !rejected.length;
    section.querySelector(".outbox-sync").hidden = !queued.length;
    // The glance above the tiles leads here while anything waits.
    for (const link of document.querySelectorAll(".outbox-link")) {
      link.hidden = !queued.length;
      link.querySelector(".count").textContent = formatNumber(queued.length);
    }
    const alert = document.querySelector(".outbox-alert");
    if (alert) {
      alert.hidden = !rejected.length;
      alert.querySelector("a").textContent = rejected.length ? say("refused-count", { count: rejected.length }) : "";
    }
  }

  // ---- Logging with no signal

  function itemFrom(form) {
    const submitter = submitters.get(form);
    const data = submitter && submitter.form === form ? new FormData(form, submitter) : new FormData(form);
    const when = data.get("occurred_at");
    const value = data.get("value");
    const heading = form.closest(".tile") && form.closest(".tile").querySelector("h2");
    return {
      client_id: data.get("client_id"),
      user: user(),
      metric: data.get("metric"),
      metric_name: heading ? heading.textContent.trim() : data.get("metric"),
      quantity: Number(data.get("quantity") || 1),
      value: value ? Number(value) : null,
      // Typed: as typed, for the server to read in the person's timezone as the web form
      // does (not the phone's). Left empty: now, by the phone's clock, with its offset.
      occurred_at: when || outbox.deviceTime(new Date()),
      timezone: timezone(),
      note: (data.get("note") || "").trim(),
    };
  }

  // Whether an item passes its metric's quality gate (the tile's data-quality-min), as the
  // server will judge it.
  function counts(item) {
    const tile = document.querySelector(`.tile[data-metric="${CSS.escape(item.metric)}"]`);
    if (!tile || tile.dataset.qualityMin === undefined) return true;
    return item.value !== null && item.value >= Number(tile.dataset.qualityMin);
  }

  // Say at the tile that the entry waits on the phone, and plainly if it will not count.
  function confirmAtTile(form, item) {
    const tile = form.closest(".tile");
    const notice = tile && tile.querySelector(".notice");
    if (!notice) return;
    const counted = counts(item);
    notice.classList.toggle("notice-warning", !counted);
    notice.textContent = counted ? tile.dataset.kept : tile.dataset.uncounted;
  }

  // Store the form's activity in the outbox. `next` readies the form for the next one (a new
  // client id); after a failed send the form keeps its id, so tapping again retries that one.
  async function queue(form, next) {
    const input = form.elements.namedItem("client_id");
    if (!input || !user() || queuing.has(input.value)) return false;
    const item = itemFrom(form);
    queuing.add(item.client_id);
    try {
      await outbox.add(item);
      confirmAtTile(form, item);
      if (next) {
        form.reset();
        input.value = outbox.newId();
        const details = form.closest("details");
        if (details) details.open = false;
        askForBackgroundSync();
      }
    } finally {
      queuing.delete(item.client_id);
    }
    await draw();
    return true;
  }

  document.addEventListener(
    "submit",
    (event) => {
      const form = event.target;
      if (!(form instanceof HTMLFormElement) || !form.matches(".log-form")) return;
      if (event.submitter) submitters.set(form, event.submitter);
      if (navigator.onLine) return;
      // Before htmx sees it: there is no one to send it to.
      event.preventDefault();
      event.stopPropagation();
      queue(form, true);
    },
    true,
  );

  // Signal that looks present but is not: keep it, with the same client id as was sent.
  document.addEventListener("htmx:sendError", (event) => {
    const form = event.target.closest && event.target.closest(".log-form");
    if (!form) return;
    queue(form, false).then((kept) => {
      const note = form.querySelector(".send-error");
      if (kept && note) note.textContent = say("kept");
    });
  });

  document.addEventListener("htmx:afterRequest", (event) => {
    const form = event.target.closest && event.target.closest(".log-form");
    if (form && event.detail.successful) {
      outbox.confirmed(form.elements.namedItem("client_id").value);
      keepShell(true);
    }
  });

  // ---- Sending

  function sync() {
    if (!user()) return Promise.resolve(null);
    message = say("sending");
    return outbox.sync(api());
  }

  async function syncIfWaiting() {
    if ((await mine()).queued.length) await sync();
  }

  // The server is busy or briefly away: nothing was lost; send again when it said to.
  function sendAgainIn(seconds) {
    clearTimeout(retry);
    retry = setTimeout(() => {
      retry = null;
      if (navigator.onLine) syncIfWaiting();
    }, (seconds || 30) * 1000);
  }

  // Every sync's result, from this page, another tab or the service worker.
  function settled(result) {
    needsSignIn = result.status === "auth";
    message = {
      done: result.rejected ? "" : say("sent"),
      offline: say("no-signal"),
      error: say("try-later"),
      later: say("try-later"),
      auth: "",
    }[result.status] || "";
    if (result.status === "offline" || result.status === "later") askForBackgroundSync();
    if (result.status === "later") sendAgainIn(result.retryAfter);
    if (result.created || result.duplicate) {
      refreshToday();
      keepShell(true);
    }
    draw();
  }

  outbox.onChange((change) => {
    if (change.type === "synced") settled(change.result);
    else draw();
  });

  function refreshToday() {
    const today = document.getElementById("today");
    if (today && window.htmx && today.dataset.refreshUrl) {
      window.htmx.ajax("GET", today.dataset.refreshUrl, { target: "#today", swap: "outerHTML" });
    }
  }

  async function askForBackgroundSync() {
    try {
      const registration = await worker;
      if (registration && registration.sync) await registration.sync.register(outbox.SYNC_TAG);
    } catch (error) {
      // No Background Sync here: the online event and page loads will do.
    }
  }

  // ---- The service worker and the offline shell

  function register() {
    const data = status() ? status().dataset : null;
    if (worker || !data || !("serviceWorker" in navigator)) return;
    worker = navigator.serviceWorker
      .register(data.worker, { scope: data.scope, updateViaCache: "none" })
      .catch(() => null);
  }

  function ask(message) {
    return new Promise((resolve) => {
      navigator.serviceWorker.ready.then((registration) => {
        const channel = new MessageChannel();
        channel.port1.onmessage = (event) => resolve(event.data);
        registration.active.postMessage(message, [channel.port2]);
      });
      setTimeout(() => resolve(null), 20000);
    });
  }

  let keeping = null;
  // Have the worker keep the rep's shell pages (fresh ones if `force`) for offline use.
  async function keepShell(force) {
    if (!worker || !(await worker) || !navigator.onLine || user() === undefined) return;
    if (!user()) {
      await ask({ type: "signed-out" });
      return;
    }
    clearTimeout(keeping);
    keeping = setTimeout(async () => {
      const answer = await ask({ type: "keep-shell", force: Boolean(force) });
      if (answer && answer.kept.length) document.documentElement.dataset.offline = "ready";
    }, force ? 2000 : 0);
  }

  function showBanner() {
    const banner = document.querySelector(".offline-banner");
    if (banner) banner.hidden = navigator.onLine;
  }

  // A page load, or a page htmx swapped in whole (hx-boost): set it up.
  function start() {
    const element = status();
    if (!element || element === started) return;
    started = element;
    register();
    showBanner();
    draw();
    if (navigator.onLine) {
      syncIfWaiting();
      keepShell(false);
    }
  }

  function settle() {
    if (status() !== started) start();
    else draw(); // new totals from the server: put the pending ones back on them
  }
  document.addEventListener("htmx:afterSettle", settle);
  document.addEventListener("htmx:historyRestore", settle);
  document.addEventListener("click", (event) => {
    const remove = event.target.closest("[data-outbox-remove]");
    if (remove) {
      outbox.remove(remove.dataset.outboxRemove).then((removed) => {
        if (!removed) {
          message = say("already-sent");
          refreshToday();
        }
        draw();
      });
    } else if (event.target.closest(".outbox-sync")) {
      sync();
    }
  });
  window.addEventListener("online", () => {
    showBanner();
    syncIfWaiting();
    keepShell(false);
  });
  window.addEventListener("offline", showBanner);
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible" && navigator.onLine) syncIfWaiting();
  });

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();

  window.Pacer = Object.assign(window.Pacer || {}, { sync, draw });
})();
