/**
 * GET / (gallery page), /gallery.js and /gallery.css, with a strict Content-Security-Policy:
 * only same-origin script, style and fetch; images only from data: URLs and the blob: URLs of
 * the previews the page fetched itself; no framing.
 */
import type { Context } from "hono";
import { secureHeaders } from "hono/secure-headers";
import type { AppEnv } from "../app-env.ts";
import { GALLERY_CSS, GALLERY_JS, galleryHtml } from "../gallery-assets.ts";

/** Security headers for the page and its assets. */
export const pageSecurityHeaders = secureHeaders({
  contentSecurityPolicy: {
    defaultSrc: ["'none'"],
    scriptSrc: ["'self'"],
    styleSrc: ["'self'"],
    imgSrc: ["data:", "blob:"],
    connectSrc: ["'self'"],
    baseUri: ["'none'"],
    formAction: ["'none'"],
    frameAncestors: ["'none'"],
  },
  xFrameOptions: "DENY",
  referrerPolicy: "no-referrer",
  permissionsPolicy: { camera: [], microphone: [], geolocation: [] },
});

/** Handler for GET /: the gallery page. */
export const galleryPage = (c: Context<AppEnv>) =>
  c.html(galleryHtml(c.get("config").maxCount), 200, { "Cache-Control": "no-cache" });

/** Handler for GET /gallery.js. */
export const galleryScript = (c: Context<AppEnv>) =>
  c.body(GALLERY_JS, 200, {
    "Content-Type": "text/javascript; charset=utf-8",
    "Cache-Control": "no-cache",
  });

/** Handler for GET /gallery.css. */
export const galleryStyles = (c: Context<AppEnv>) =>
  c.body(GALLERY_CSS, 200, {
    "Content-Type": "text/css; charset=utf-8",
    "Cache-Control": "no-cache",
  });
