/**
 * The Cache API stand-in that bare workerd lacks, served by `npm run preview` beside the deploy
 * bundle as a second worker (scripts/workerd-preview.ts writes the capnp config that wires it in;
 * the rate limiter is scripts/preview-ratelimit.js):
 *
 * - the Cache API service (`cacheApiOutbound`): workerd turns `caches.default.match(key)` into
 *   `GET key` and `put(key, response)` into `PUT key` whose body is the serialised HTTP response;
 *   a hit is answered with the stored response, a miss with 504 and `CF-Cache-Status: MISS`
 *   (the protocol Miniflare's cache service speaks). Its mode is switchable at run time:
 *   "store" (a working cache), "miss" (never stores), "throw" (every operation fails) or "hang"
 *   (every operation waits HANG_MS before answering, longer than the worker waits);
 * - a control entrypoint (`Control`, on its own loopback socket) for tests:
 *   `POST /cache-mode?mode=M`, `GET /cache-stats` ({ mode, matches, hits, puts, failures }).
 *
 * Plain JavaScript: workerd loads this file as it is, no bundler in between.
 */
import { WorkerEntrypoint } from "cloudflare:workers";

/** How long the "hang" mode keeps a cache operation waiting. */
const HANG_MS = 30_000;
const MODES = ["store", "miss", "throw", "hang"];

/** Module state: one isolate serves the cache service and the control socket. */
const state = {
  mode: "store",
  /** key URL -> { status, headers: [name, value][], body: ArrayBuffer } */
  entries: new Map(),
  stats: { matches: 0, hits: 0, puts: 0, failures: 0 },
};

/** Parse a serialised HTTP/1.1 response (what workerd sends as the body of a cache PUT). */
function parseHttpResponse(bytes) {
  const view = new Uint8Array(bytes);
  let end = -1;
  for (let i = 0; i + 3 < view.length; i++) {
    if (view[i] === 13 && view[i + 1] === 10 && view[i + 2] === 13 && view[i + 3] === 10) {
      end = i;
      break;
    }
  }
  if (end < 0) throw new Error("cache stand-in: PUT body holds no HTTP response head");
  const head = new TextDecoder().decode(view.subarray(0, end)).split("\r\n");
  const status = Number((head[0] ?? "").split(" ")[1]);
  const headers = head.slice(1).map((line) => {
    const colon = line.indexOf(":");
    return [line.slice(0, colon).trim(), line.slice(colon + 1).trim()];
  });
  return { status, headers, body: bytes.slice(end + 4) };
}

/** Apply the failure modes; resolves when the operation may go on. */
async function failOnDemand() {
  if (state.mode === "throw") {
    state.stats.failures++;
    throw new Error("cache stand-in: failing on demand (mode throw)");
  }
  if (state.mode === "hang") {
    state.stats.failures++;
    await new Promise((resolve) => setTimeout(resolve, HANG_MS));
  }
}

async function cacheService(request) {
  await failOnDemand();
  const key = request.url;
  if (request.method === "GET") {
    state.stats.matches++;
    const entry = state.mode === "store" ? state.entries.get(key) : undefined;
    if (!entry) return new Response(null, { status: 504, headers: { "CF-Cache-Status": "MISS" } });
    state.stats.hits++;
    const headers = new Headers(entry.headers);
    headers.set("CF-Cache-Status", "HIT");
    return new Response(entry.body, { status: entry.status, headers });
  }
  if (request.method === "PUT") {
    state.stats.puts++;
    const stored = parseHttpResponse(await request.arrayBuffer());
    if (state.mode === "store") state.entries.set(key, stored);
    return new Response(null, { status: 204 });
  }
  if (request.method === "PURGE") {
    return new Response(null, { status: state.entries.delete(key) ? 200 : 404 });
  }
  return new Response(null, { status: 405 });
}

export default {
  fetch: cacheService,
};

/** Test control: switch the cache's mode, read what it saw. */
export class Control extends WorkerEntrypoint {
  fetch(request) {
    const url = new URL(request.url);
    if (request.method === "POST" && url.pathname === "/cache-mode") {
      const mode = url.searchParams.get("mode");
      if (!MODES.includes(mode)) {
        return new Response(`mode must be one of ${MODES.join(", ")}, got ${mode}\n`, {
          status: 400,
        });
      }
      state.mode = mode;
      if (mode !== "store") state.entries.clear();
      return Response.json({ mode });
    }
    if (request.method === "GET" && url.pathname === "/cache-stats") {
      return Response.json({ mode: state.mode, entries: state.entries.size, ...state.stats });
    }
    return new Response("POST /cache-mode?mode=store|miss|throw|hang, GET /cache-stats\n", {
      status: 404,
    });
  }
}
