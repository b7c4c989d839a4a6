/**
 * The typed client against a stand-in server that answers with what it was asked: canonical URLs,
 * local refusals with the server's message, errors and schema checks. (Against the real worker:
 * apps/edge-api/test/endpoints.test.ts.)
 */
import { describe, expect, it } from "vitest";
import { createSampleClient, SampleApiError, sampleSearch } from "./sample-client.ts";

describe("sampleSearch", () => {
  it("writes parameters in declared order and leaves out defaults", () => {
    expect(sampleSearch({ seed: 42, count: 8, label: 7, scale: 1, invert: true })).toBe(
      "count=8&label=7&seed=42&invert=true",
    );
    expect(sampleSearch({ count: 16, format: "json", padding: 2 })).toBe("");
  });

  it("writes a sequence, colours and resampling, and leaves their defaults out", () => {
    expect(
      new URLSearchParams(
        sampleSearch({
          labels: [2, 0, 2, 6],
          style: "shared",
          seed: 1,
          fg: "FF6600",
          bg: "transparent",
        }),
      ).toString(),
    ).toBe("labels=2%2C0%2C2%2C6&seed=1&fg=FF6600&bg=transparent");
    expect(sampleSearch({ text: "2026", resample: "nearest", scale: 16 })).toBe(
      "text=2026&scale=16",
    );
    expect(() => sampleSearch({ labels: [1, 2], count: 2 })).toThrow(
      /conflicting_parameters: labels gives the images' classes/,
    );
  });

  it("refuses what the server would refuse, with its message, before any request", () => {
    expect(() => sampleSearch({ count: 65 })).toThrow(
      /invalid_count: count must be an integer from 1 to 64/,
    );
    expect(() => sampleSearch({ count: 64, scale: 8 })).not.toThrow();
    expect(() => sampleSearch({ count: 100, scale: 8 }, { maxCount: 256 })).toThrow(
      /request_too_large: count \* scale\^2 = 100 \* 8\^2 = 6400 exceeds/,
    );
  });
});

describe("createSampleClient", () => {
  const seen: string[] = [];
  const server = (status: number, body: unknown) => async (url: string, init?: RequestInit) => {
    seen.push(`${url} ${JSON.stringify(init?.headers ?? {})}`);
    return new Response(JSON.stringify(body), { status });
  };

  it("sends the key, builds the URL on the base, and refuses an answer off the schema", async () => {
    const client = createSampleClient("https://gan.example.com/", {
      apiKey: "k",
      fetch: server(200, { count: 1 }),
    });
    await expect(client.json({ count: 1, seed: 5 })).rejects.toThrow(/model/);
    expect(seen.at(-1)).toBe(
      'https://gan.example.com/sample?count=1&seed=5 {"Authorization":"Bearer k"}',
    );
  });

  it("asks for an SVG sheet and returns its text", async () => {
    const client = createSampleClient("https://gan.example.com", {
      fetch: async (url) => new Response(`<svg><!-- ${url} --></svg>`),
    });
    expect(await client.svg({ text: "42", seed: 3 })).toBe(
      "<svg><!-- https://gan.example.com/sample?text=42&seed=3&format=svg --></svg>",
    );
  });

  it("asks /animate with a canonical, checked URL (toLabel as to_label) and returns the bytes", async () => {
    const client = createSampleClient("https://gan.example.com", {
      fetch: async (url) => new Response(new TextEncoder().encode(url)),
    });
    const bytes = await client.animate({ seed: 1, to: 2, toLabel: 8, frames: 16, loop: true });
    expect(new TextDecoder().decode(bytes)).toBe(
      "https://gan.example.com/animate?seed=1&to=2&to_label=8&loop=true",
    );
    await expect(client.animate({ frames: 65 })).rejects.toThrow(/invalid_frames: frames must be/);
  });

  it("turns an error answer into a SampleApiError with status and code", async () => {
    const client = createSampleClient("http://localhost:8787", {
      fetch: server(404, { error: { code: "unknown_model", message: "known: mnist" } }),
    });
    const error = await client.png({ model: "nope" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SampleApiError);
    expect(error).toMatchObject({ status: 404, code: "unknown_model" });
  });
});
