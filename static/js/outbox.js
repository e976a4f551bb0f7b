// The outbox: activities logged with no signal, kept in IndexedDB (through idb-keyval) until the
// server has confirmed each one. Pages and the service worker (Background Sync) share this code,
// so it touches no DOM and shows no words; static/js/offline.js draws it on the page.
//
// An item leaves only when the server answers "created" or "duplicate" for it. A "rejected" item
// is set aside, with the server's reason, until the rep discards it; the items after it are sent
// all the same. When the server refuses a whole batch (400, 413, 422) the batch is split until
// the item it refuses is found and set aside alone, so no item ever holds up the others. On a
// 401 or a CSRF failure nothing changes: the items wait for the rep to sign in again. On a 503
// (or 429, 502, 504) nothing changes either: they are sent again later, after Retry-After. The
// server's idempotency by client id is the real guarantee against double counting; the lock
// below only spares it needless work.
(function (scope) {
  "use strict";

  const kv = scope.idbKeyval;
  if (!kv) return;
  const activities = kv.createStore("pacer-outbox", "activities");
  const settings = kv.createStore("pacer-device", "settings");
  const LOCK = "pacer-outbox-sync";
  const SYNC_TAG = "pacer-outbox";
  const BATCH_SIZE = 100; // the server takes up to 500 at a time
  const REFUSED = new Set([400, 413, 422]); // the server will never take this batch as it is
  const LATER = new Set([429, 502, 503, 504]); // busy or briefly away: the same batch, later
  const LATER_DEFAULT_S = 30; // when a "later" answer does not say how much later
  const LATER_MOST_S = 600;
  const channel = typeof BroadcastChannel === "function" ? new BroadcastChannel("pacer-outbox") : null;
  const listeners = new Set();
  let running = null;
  let again = false;

  function newId() {
    if (scope.crypto && typeof scope.crypto.randomUUID === "function") return scope.crypto.randomUUID();
    const bytes = scope.crypto.getRandomValues(new Uint8Array(16));
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
    return [hex.slice(0, 8), hex.slice(8, 12), hex.slice(12, 16), hex.slice(16, 20), hex.slice(20)].join("-");
  }

  // ISO 8601 by the device's clock, with its UTC offset: 2026-11-22T23:50:00.000+01:00.
  function deviceTime(date) {
    const pad = (n, width = 2) => String(Math.abs(n)).padStart(width, "0");
    const offset = -date.getTimezoneOffset();
    return (
      `${pad(date.getFullYear(), 4)}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}` +
      `T${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}` +
      `.${pad(date.getMilliseconds(), 3)}${offset < 0 ? "-" : "+"}` +
      `${pad(Math.floor(Math.abs(offset) / 60))}:${pad(Math.abs(offset) % 60)}`
    );
  }

  // Tell this context's listeners, and every other tab and the service worker, what changed.
  function notify(change) {
    listeners.forEach((listener) => listener(change));
    if (channel) channel.postMessage(change);
  }
  if (channel) channel.onmessage = (event) => listeners.forEach((listener) => listener(event.data));

  function onChange(listener) {
    listeners.add(listener);
  }

  // One sync at a time across tabs and the service worker, where the browser has Web Locks.
  function withLock(task) {
    const locks = scope.navigator && scope.navigator.locks;
    return locks ? locks.request(LOCK, task) : task();
  }

  async function all() {
    const items = await kv.values(activities);
    return items.sort((a, b) => a.queued_at - b.queued_at);
  }

  async function add(item) {
    const stored = Object.assign({ state: "queued", queued_at: Date.now() }, item);
    await kv.set(stored.client_id, stored, activities);
    notify({ type: "changed" });
    return stored;
  }

  // Undo (a pending item) or discard (a rejected one). Waits for a sync in flight, so an item is
  // never both sent and undone; false when it had already been sent.
  function remove(clientId) {
    return withLock(async () => {
      if ((await kv.get(clientId, activities)) === undefined) return false;
      await kv.del(clientId, activities);
      notify({ type: "changed" });
      return true;
    });
  }

  // The server has this one already (a plain form post of the same client id went through).
  async function confirmed(clientId) {
    if ((await kv.get(clientId, activities)) === undefined) return;
    await kv.del(clientId, activities);
    notify({ type: "changed" });
  }

  async function deviceId() {
    let id;
    await kv.update("device_id", (known) => (id = known || newId()), settings);
    return id;
  }

  async function askSession(api) {
    const response = await fetch(api.session, {
      credentials: "same-origin", cache: "no-store", headers: { Accept: "application/json" },
    });
    if (response.status === 401 || response.status === 403) return null;
    if (!response.ok) throw new Error(`session: ${response.status}`);
    return response.json();
  }

  async function post(api, token, batch, pending) {
    const body = {
      device_id: await deviceId(),
      pending,
      // The phone's clock as it sends: the server corrects the times it stamped if it is off.
      sent_at: new Date().toISOString(),
      activities: batch.map((item) => ({
        client_id: item.client_id,
        metric: item.metric,
        quantity: item.quantity,
        value: item.value === undefined ? null : item.value,
        occurred_at: item.occurred_at,
        note: item.note || "",
      })),
    };
    return fetch(api.activities, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": token },
      body: JSON.stringify(body),
    });
  }

  async function isCsrfFailure(response) {
    if (response.status !== 400 && response.status !== 403) return false;
    const answer = await response.clone().json().catch(() => ({}));
    return answer.code === "csrf";
  }

  async function setAside(item, code, error, counts) {
    const rejected = Object.assign({}, item, { state: "rejected", error: error || "", code: code || "refused" });
    await kv.set(item.client_id, rejected, activities);
    counts.rejected += 1;
  }

  // Apply the server's answers: confirmed items leave, rejected ones are set aside with the
  // reason. One answer per item, in order: an item the server could not even read has no
  // client id in its answer, and its place names it.
  async function settle(batch, results, counts) {
    const sent = new Map(batch.map((item) => [item.client_id, item]));
    for (const [index, result] of (results || []).entries()) {
      const item = result.client_id == null ? batch[index] : sent.get(result.client_id);
      if (!item) continue;
      if (result.status === "created" || result.status === "duplicate") {
        await kv.del(item.client_id, activities);
        counts[result.status] += 1;
      } else if (result.status === "rejected") {
        await setAside(item, result.code, result.error, counts);
      }
    }
  }

  // Seconds from a Retry-After header (seconds or an HTTP date), within sensible bounds.
  function retryAfter(response) {
    const header = response.headers.get("Retry-After") || "";
    let seconds = /^\d+$/.test(header.trim()) ? Number(header) : (Date.parse(header) - Date.now()) / 1000;
    if (!Number.isFinite(seconds)) seconds = LATER_DEFAULT_S;
    return Math.min(Math.max(Math.ceil(seconds), 1), LATER_MOST_S);
  }

  // Send one batch; a batch the server refuses as a whole is split in two and each half sent,
  // down to the one item it refuses, which is set aside. Returns "done" or why it stopped.
  async function deliver(api, run, batch, pending) {
    let response;
    try {
      response = await post(api, run.token, batch, pending);
      if (await isCsrfFailure(response)) {
        // A token from before a new sign-in: fetch the current one and try once more.
        const fresh = await askSession(api);
        if (!fresh) return "auth";
        run.token = fresh.csrf_token;
        response = await post(api, run.token, batch, pending);
      }
    } catch (error) {
      return "offline";
    }
    if (response.status === 401 || (await isCsrfFailure(response))) return "auth";
    if (LATER.has(response.status)) {
      run.retryAfter = retryAfter(response);
      return "later";
    }
    if (REFUSED.has(response.status)) {
      if (batch.length > 1) {
        const half = Math.ceil(batch.length / 2);
        const first = await deliver(api, run, batch.slice(0, half), pending + batch.length - half);
        return first === "done" ? deliver(api, run, batch.slice(half), pending) : first;
      }
      const answer = await response.json().catch(() => ({}));
      await setAside(batch[0], answer.code, answer.error, run.counts);
      return "done";
    }
    if (!response.ok) return "error";
    const answer = await response.json().catch(() => ({}));
    await settle(batch, answer.results, run.counts);
    return "done";
  }

  async function syncOnce(api) {
    const counts = { created: 0, duplicate: 0, rejected: 0 };
    const everything = await all();
    const waiting = everything.filter((item) => item.state === "queued");
    if (!waiting.length) return Object.assign({ status: "idle" }, counts);
    let who;
    try {
      who = await askSession(api);
    } catch (error) {
      return Object.assign({ status: "offline", waiting: waiting.length }, counts);
    }
    if (!who) return Object.assign({ status: "auth", waiting: waiting.length }, counts);
    const user = String(who.user.id);
    const mine = waiting.filter((item) => item.user === user);
    const held = everything.filter((item) => item.user === user).length;
    const run = { token: who.csrf_token, counts, retryAfter: null };
    let status = "done";
    for (let start = 0; start < mine.length && status === "done"; start += BATCH_SIZE) {
      const batch = mine.slice(start, start + BATCH_SIZE);
      status = await deliver(api, run, batch, held - start - batch.length);
    }
    const left = (await all()).filter((item) => item.state === "queued").length;
    const result = Object.assign({ status, waiting: left }, counts);
    if (status === "later") result.retryAfter = run.retryAfter;
    return result;
  }

  // Send what waits; calls while one runs share it (and it runs once more, for what came since).
  function sync(api) {
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      let result;
      do {
        again = false;
        result = await withLock(() => syncOnce(api));
        if (result.status !== "idle") notify({ type: "synced", result });
      } while (again && result.status === "done");
      return result;
    })().finally(() => {
      running = null;
    });
    return running;
  }

  scope.PacerOutbox = { SYNC_TAG, add, all, remove, confirmed, sync, onChange, newId, deviceTime, deviceId };
})(typeof self !== "undefined" ? self : this);
