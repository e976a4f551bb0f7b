// Pacer's service worker. Served at /sw.js by blueprints/pwa, which puts `const PACER = {...}`
// before this code: the version naming the caches (a digest of the asset build), what to cache
// ahead, the rep's offline shell and the API's URLs. (Served as a plain static file it does nothing.)
//
// Pages: network first; with no network, the copy kept for offline (only the rep's shell pages:
// Today, the scorecard, onboarding; the front door "/" gets Today) or else the offline page.
// Static assets: cache first, since their URLs change with their content. Kept pages belong to
// one person: a page for someone else, or for no one (sign-in), drops them.
/* global PACER, PacerOutbox */
importScripts(...PACER.scripts);

const STATIC_CACHE = `pacer-static-${PACER.version}`;
const PAGES_CACHE = `pacer-pages-${PACER.version}`;
const OWNER = new URL("/__pacer/owner", self.location).href; // whose pages PAGES_CACHE holds
const NETWORK_PATIENCE_MS = 8000; // on a crawling connection, show the kept copy after this
const FRESH_MS = 60 * 1000; // a kept page this young is not fetched again unless asked to

self.addEventListener("install", (event) => {
  event.waitUntil(precache().then(() => self.skipWaiting()));
});

async function precache() {
  const cache = await caches.open(STATIC_CACHE);
  // Without cookies: none is needed, and an answer setting one could undo a sign-in in flight.
  await cache.addAll(PACER.precache.map((url) => new Request(url, { credentials: "omit" })));
  // The offline page as anyone sees it: nothing of whoever happens to be signed in.
  const offline = await fetch(PACER.offline, { credentials: "omit" });
  if (!offline.ok) throw new Error(`offline page: ${offline.status}`);
  await cache.put(PACER.offline, offline);
}

self.addEventListener("activate", (event) => {
  event.waitUntil(replaceOldCaches());
});

// A new release: carry the rep's kept pages over (fetched anew, so they point at this release's
// assets), then delete every older cache. Only with no network is the old copy carried as it
// was: a server that answered has decided (another person, no one, or not this page any more),
// and its answer may just have emptied the cache, so nothing of the old one goes back in.
async function replaceOldCaches() {
  const old = (await caches.keys()).filter(
    (name) => name.startsWith("pacer-") && name !== STATIC_CACHE && name !== PAGES_CACHE,
  );
  for (const name of old.filter((each) => each.startsWith("pacer-pages-"))) {
    const cache = await caches.open(name);
    const owner = await cache.match(OWNER);
    if (!owner) continue; // kept for no one: nothing to carry
    await (await caches.open(PAGES_CACHE)).put(OWNER, owner);
    for (const request of await cache.keys()) {
      if (request.url === OWNER) continue;
      const kept = await cache.match(request);
      let answered = true;
      try {
        await fetchPage(request.url);
      } catch (error) {
        answered = false; // no network: what we had still stands
      }
      // Opened anew: an answer for someone else has replaced PAGES_CACHE meanwhile.
      const pages = await caches.open(PAGES_CACHE);
      if (!answered && kept && (await isOwnedBy(pages, owner))) await pages.put(request.url, kept);
    }
  }
  await Promise.all(old.map((name) => caches.delete(name)));
}

async function isOwnedBy(pages, owner) {
  const current = await pages.match(OWNER);
  return Boolean(current) && (await current.text()) === (await owner.clone().text());
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (url.pathname.startsWith(PACER.static) || PACER.precache.includes(url.pathname)) {
    event.respondWith(cacheFirst(request));
  } else if (request.mode === "navigate" || request.headers.get("HX-Boosted") === "true") {
    event.respondWith(networkFirst(event, url));
  }
  // Everything else (the API, htmx fragments) goes to the network untouched.
});

async function cacheFirst(request) {
  const hit = await caches.match(request, { ignoreVary: true });
  if (hit) return hit;
  const response = await fetch(request);
  if (response.ok) {
    const cache = await caches.open(STATIC_CACHE);
    await cache.put(request, response.clone());
  }
  return response;
}

async function networkFirst(event, url) {
  // Extend the event now, while it is being handled: once respondWith has settled (the kept
  // copy answered a crawling network), waitUntil may no longer be called.
  let settleKeeping = null;
  const keeping = new Promise((resolve) => (settleKeeping = resolve));
  event.waitUntil(keeping);
  const network = fetch(event.request).then((response) => {
    settleKeeping(keep(url.href, response.clone()).catch(() => false));
    return response;
  });
  network.catch(() => settleKeeping(false)); // answered from the cache instead: not an error
  const kept = keptPage(isHome(url) ? new URL(PACER.home.kept, self.location).href : url.href);
  const patience = new Promise((resolve) => setTimeout(resolve, NETWORK_PATIENCE_MS));
  try {
    const first = await Promise.race([network, patience.then(() => kept)]);
    return first || (await network);
  } catch (error) {
    return (await kept) || (await caches.match(PACER.offline)) || Response.error();
  }
}

async function keptPage(href) {
  const pages = await caches.open(PAGES_CACHE);
  return pages.match(href, { ignoreVary: true });
}

// The installed app starts at the front door, which sends each person to their own home. With
// no signal a rep gets their kept Today there; anyone else, who has nothing kept, the offline page.
function isHome(url) {
  return url.pathname === PACER.home.path && !url.search;
}

function isHtml(response) {
  return (response.headers.get("Content-Type") || "").startsWith("text/html");
}

function isShell(href) {
  const url = new URL(href);
  return !url.search && PACER.shell.includes(url.pathname);
}

async function forgetPages() {
  const names = (await caches.keys()).filter((name) => name.startsWith("pacer-pages-"));
  await Promise.all(names.map((name) => caches.delete(name)));
}

// Keep a shell page from the network for offline use, for the person it belongs to.
async function keep(href, response) {
  if (response.type === "opaqueredirect" || !isHtml(response)) return false;
  const user = response.headers.get(PACER.userHeader);
  if (!user) {
    await forgetPages(); // signed out: nobody's pages stay on this phone
    return false;
  }
  let pages = await caches.open(PAGES_CACHE);
  const owner = await pages.match(OWNER);
  if (!owner || (await owner.text()) !== user) {
    await forgetPages();
    pages = await caches.open(PAGES_CACHE);
    await pages.put(OWNER, new Response(user));
  }
  if (response.status >= 400 && response.status < 500) {
    await pages.delete(href); // not this person's page any more (403, 404): not offline either
    return false;
  }
  if (!response.ok || response.redirected || !isShell(href)) return false;
  await pages.put(href, response);
  return true;
}

async function fetchPage(href) {
  const response = await fetch(href, { credentials: "same-origin", headers: { Accept: "text/html" } });
  return keep(href, response);
}

async function isFresh(href) {
  const kept = await keptPage(href);
  const date = kept && Date.parse(kept.headers.get("Date"));
  return Boolean(date) && Date.now() - date < FRESH_MS;
}

// Fetch the rep's shell pages so they open with no signal; answers which are kept.
async function keepShell(force) {
  const kept = [];
  for (const path of PACER.shell) {
    const href = new URL(path, self.location).href;
    try {
      if ((!force && (await isFresh(href))) || (await fetchPage(href))) kept.push(path);
    } catch (error) {
      if (await keptPage(href)) kept.push(path); // no network: what we had still stands
    }
  }
  return { kept };
}

self.addEventListener("message", (event) => {
  const message = event.data || {};
  const reply = (answer) => event.ports[0] && event.ports[0].postMessage(answer);
  if (message.type === "keep-shell") {
    event.waitUntil(keepShell(message.force).then(reply, () => reply({ kept: [] })));
  } else if (message.type === "signed-out") {
    event.waitUntil(forgetPages().then(() => reply({ kept: [] })));
  }
});

// Background Sync: the browser wakes us when the network is back, even with no page open.
self.addEventListener("sync", (event) => {
  if (event.tag !== PacerOutbox.SYNC_TAG) return;
  event.waitUntil(
    PacerOutbox.sync(PACER.api).then((result) => {
      // Rejecting asks the browser to try again later; a sign-in is up to the rep.
      if (["offline", "error", "later"].includes(result.status)) throw new Error(result.status);
    }),
  );
});
