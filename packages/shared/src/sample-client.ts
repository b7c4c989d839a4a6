/**
 * A typed client of `GET /sample` for TypeScript tools (a marketing pipeline, a CMS plugin): the
 * request is typed and checked with the server's own parser before anything is sent, the URL is
 * canonical (parameters in declared order, defaults left out, so equal requests share caches),
 * and a JSON answer is validated against the response schema. Any fetch works (browsers, Node,
 * Workers, or a Hono app's `request` in tests).
 *
 * @example
 * const client = createSampleClient("https://gan.example.com", { apiKey });
 * const doc = await client.json({ count: 8, label: 7, seed: 42, scale: 4 });
 * doc.images[0].png; // data:image/png;base64,...
 * const sheet = await client.png({ count: 64, seed: 1, columns: 16, invert: true });
 * const banner = await client.svg({ text: "2026", seed: 7, fg: "ff6600", bg: "transparent" });
 * const apng = await client.animate({ seed: 1, to: 2, label: 3, toLabel: 8, frames: 24, loop: true });
 */
import { ANIMATE_PARAMETERS, type AnimateQuery, parseAnimateQuery } from "./animate-query.ts";
import { type SampleDocument, sampleDocumentSchema } from "./sample-document.ts";
import {
  parseSampleQuery,
  type QueryLimits,
  queryKey,
  SAMPLE_PARAMETERS,
  type SampleQuery,
} from "./sample-query.ts";

/** What a client asks for: every parameter optional, in its natural type (labels as a list). */
export type SampleRequest = Partial<Omit<SampleQuery, "format">>;

/** What a client asks /animate for: every parameter optional (toLabel is `to_label` in the URL). */
export type AnimateRequest = Partial<AnimateQuery>;

/**
 * The canonical query string of an /animate request, checked with the server's parser.
 * @throws RangeError with the server's own message for a request it would refuse.
 */
function animateSearch(request: AnimateRequest): string {
  const params = new URLSearchParams();
  for (const { name } of ANIMATE_PARAMETERS) {
    const value = request[queryKey(name)];
    if (value !== undefined && value !== null) params.set(name, String(value));
  }
  const parsed = parseAnimateQuery(params);
  if (!parsed.ok) throw new RangeError(`${parsed.error.code}: ${parsed.error.message}`);
  for (const parameter of ANIMATE_PARAMETERS) {
    const fallback = parameter.fallback({ maxCount: 64 });
    if (params.get(parameter.name) === String(fallback)) params.delete(parameter.name);
  }
  return params.toString();
}

/** The server answered with an error: its status and `{ error: { code, message } }`. */
export class SampleApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(`${status} ${code}: ${message}`);
  }
}

type Fetch = (input: string, init?: RequestInit) => Promise<Response>;

export interface SampleClientOptions {
  /** Sent as `Authorization: Bearer <key>` when the API requires one. */
  apiKey?: string;
  /** The server's MAX_COUNT, for the local check (default 64, the deployed default). */
  maxCount?: number;
  /** Default: the global fetch. */
  fetch?: Fetch;
}

/**
 * The canonical query string of a request, checked with the server's parser.
 * @throws RangeError with the server's own message ("count must be ...") for a request it would refuse.
 */
export function sampleSearch(
  request: SampleRequest & { format?: SampleQuery["format"] },
  limits: QueryLimits = { maxCount: 64 },
): string {
  const params = new URLSearchParams();
  for (const { name } of SAMPLE_PARAMETERS) {
    const value = request[name];
    if (value !== undefined && value !== null) params.set(name, String(value));
  }
  const parsed = parseSampleQuery(params, limits);
  if (!parsed.ok) throw new RangeError(`${parsed.error.code}: ${parsed.error.message}`);
  // leave out what equals the default, so equal requests give one URL
  for (const parameter of SAMPLE_PARAMETERS) {
    const fallback = parameter.fallback(limits);
    if (params.get(parameter.name) === String(fallback)) params.delete(parameter.name);
  }
  return params.toString();
}

export function createSampleClient(base: string | URL, options: SampleClientOptions = {}) {
  const limits = { maxCount: options.maxCount ?? 64 };
  const doFetch: Fetch = options.fetch ?? ((input, init) => fetch(input, init));
  const headers: Record<string, string> = options.apiKey
    ? { Authorization: `Bearer ${options.apiKey}` }
    : {};
  async function get(request: SampleRequest, format: SampleQuery["format"]): Promise<Response> {
    return fetchChecked("/sample", sampleSearch({ ...request, format }, limits));
  }
  async function fetchChecked(path: string, search: string): Promise<Response> {
    const url = new URL(path, base);
    url.search = search;
    const res = await doFetch(url.toString(), { headers });
    if (!res.ok) {
      const body = (await res.json().catch(() => null)) as {
        error?: { code?: string; message?: string };
      } | null;
      throw new SampleApiError(
        res.status,
        body?.error?.code ?? "http_error",
        body?.error?.message ?? res.statusText,
      );
    }
    return res;
  }
  return {
    /** The JSON answer, validated against the response schema. */
    async json(request: SampleRequest = {}): Promise<SampleDocument> {
      return sampleDocumentSchema.parse(await (await get(request, "json")).json());
    },
    /** The PNG sprite sheet's bytes. */
    async png(request: SampleRequest = {}): Promise<Uint8Array> {
      return new Uint8Array(await (await get(request, "png")).arrayBuffer());
    },
    /** The SVG sprite sheet's text. */
    async svg(request: SampleRequest = {}): Promise<string> {
      return (await get(request, "svg")).text();
    },
    /** The animated PNG's bytes (GET /animate). */
    async animate(request: AnimateRequest = {}): Promise<Uint8Array> {
      const res = await fetchChecked("/animate", animateSearch(request));
      return new Uint8Array(await res.arrayBuffer());
    },
  };
}
