/** Constant-time key comparison (the middleware itself is tested through the app in test/access.test.ts). */
import { describe, expect, it } from "vitest";
import { safeEqual } from "./auth.ts";

describe("safeEqual", () => {
  it("is true only for identical strings", async () => {
    expect(await safeEqual("secret-key", "secret-key")).toBe(true);
    expect(await safeEqual("secret-key", "secret-kez")).toBe(false);
    expect(await safeEqual("secret-key", "secret-key-longer")).toBe(false);
    expect(await safeEqual("", "x")).toBe(false);
  });
});
