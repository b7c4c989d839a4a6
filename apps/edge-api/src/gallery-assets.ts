/**
 * The gallery page's HTML, script and stylesheet, served by the worker itself.
 * Script and style are separate files so the page's CSP needs no 'unsafe-inline'.
 * Images come from /sample as data URLs; nothing else is loaded.
 */

/** The page. `maxCount` fills the count input's bound. */
export function galleryHtml(maxCount: number): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>EdgeGAN gallery</title>
<link rel="stylesheet" href="/gallery.css">
<script src="/gallery.js" defer></script>
</head>
<body>
<header><h1>EdgeGAN</h1><p id="model">loading model card...</p></header>
<form id="controls">
  <label>Model <select id="modelName"></select></label>
  <label>Count <input id="count" type="number" min="1" max="${maxCount}" value="16" required></label>
  <label>Label <select id="label"><option value="">any (spread)</option></select></label>
  <label>Seed <input id="seed" type="number" min="0" max="4294967295" placeholder="random"></label>
  <label>Scale <select id="scale"><option>1</option><option>2</option><option>4</option><option>8</option><option>16</option></select></label>
  <label>Columns <input id="columns" type="number" min="1" max="64" placeholder="auto"></label>
  <label>Padding <input id="padding" type="number" min="0" max="16" value="2"></label>
  <label><span>Invert</span><input id="invert" type="checkbox"></label>
  <label>Text or labels <input id="sequence" placeholder="2026 or 2,0,2,6" pattern="[0-9]+|[0-9](,[0-9])*" title="digits (text) or classes separated by commas (labels)"></label>
  <label>Hand <select id="style"><option value="shared">shared</option><option value="each">each</option></select></label>
  <label>Resample <select id="resample"><option>nearest</option><option>bilinear</option><option>bicubic</option></select></label>
  <label><span>Colours</span><input id="colours" type="checkbox"></label>
  <label>Ink <input id="fg" type="color" value="#ff6600"></label>
  <label>Paper <input id="bg" type="color" value="#fff5e6"></label>
  <label><span>Transparent</span><input id="transparent" type="checkbox"></label>
  <label>Walk to seed <input id="to" type="number" min="0" max="4294967295" placeholder="auto"></label>
  <label>To label <select id="toLabel"><option value="">same</option></select></label>
  <label>Frames <input id="frames" type="number" min="2" max="64" value="16"></label>
  <label>FPS <input id="fps" type="number" min="1" max="30" value="12"></label>
  <label><span>Loop</span><input id="loop" type="checkbox"></label>
  <label>API key <input id="key" type="password" autocomplete="off" placeholder="if required"></label>
  <button type="submit">Show</button>
  <button type="button" id="regenerate">Regenerate (new seed)</button>
</form>
<p id="status" role="status"></p>
<section id="previews">
  <figure><img id="previewPng" alt="PNG sheet"><figcaption>PNG <button type="button" id="downloadPng" disabled>Download PNG</button></figcaption></figure>
  <figure><img id="previewSvg" alt="SVG sheet"><figcaption>SVG <button type="button" id="downloadSvg" disabled>Download SVG</button></figcaption></figure>
  <figure><img id="previewAnimation" alt="animation"><figcaption>Animation <button type="button" id="downloadAnimation" disabled>Download animation</button></figcaption></figure>
</section>
<main id="grid"></main>
</body>
</html>
`;
}

/** Stylesheet. */
export const GALLERY_CSS = `body{font-family:system-ui,sans-serif;margin:1.5rem;background:#111;color:#eee}
header h1{margin:0}#model{color:#aaa;margin:.25rem 0 1rem}
form{display:flex;flex-wrap:wrap;gap:.75rem;align-items:end;margin-bottom:1rem}
label{display:flex;flex-direction:column;font-size:.85rem;gap:.25rem}
input,select,button{font:inherit;padding:.3rem .5rem}
#grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(96px,1fr));gap:.5rem}
figure{margin:0;text-align:center}figure img{width:96px;height:96px;image-rendering:pixelated;background:#000}
label:has(input[type=checkbox]){flex-direction:row;align-items:center}
#previews{display:flex;flex-wrap:wrap;gap:1rem;margin-bottom:1rem}
#previews figure{background:repeating-conic-gradient(#333 0 25%,#444 0 50%) 0 0/16px 16px;padding:.5rem}
#previews img{max-width:min(90vw,640px);max-height:240px;display:block;margin:auto}
figcaption{font-size:.75rem;color:#bbb}#status.error{color:#f77}
`;

/**
 * Script: fills the model picker from /models and the label lists from /model, then calls /sample
 * and shows the images, with previews of the PNG sheet, the SVG sheet and the /animate animation
 * for the same seed, each with a download button.
 */
export const GALLERY_JS = `"use strict";
const $ = (id) => document.getElementById(id);
function headers() {
  const key = $("key").value.trim();
  return key ? { Authorization: "Bearer " + key } : {};
}
async function loadModels() {
  const res = await fetch("/models", { headers: headers() });
  if (!res.ok) { $("model").textContent = "models: " + res.status; return; }
  const list = await res.json();
  const picker = $("modelName");
  const chosen = picker.value || list.default;
  picker.replaceChildren(...list.models.map((m) => {
    const text = m.name + (m.status === "ok" ? " (" + m.dataset.name + ")" : " (unavailable)");
    const option = new Option(text, m.name);
    option.disabled = m.status !== "ok";
    return option;
  }));
  picker.value = chosen;
}
async function loadModel() {
  const res = await fetch("/model?" + new URLSearchParams({ model: $("modelName").value }), { headers: headers() });
  if (!res.ok) { $("model").textContent = "model card: " + res.status; return; }
  const card = await res.json();
  $("model").textContent = card.version + " (" + card.arch + ", " + card.dataset.name + ")";
  const select = $("label");
  select.length = 1;
  card.dataset.classNames.forEach((name, i) => select.add(new Option(i + ": " + name, String(i))));
  const to = $("toLabel");
  to.length = 1;
  card.dataset.classNames.forEach((name, i) => to.add(new Option(i + ": " + name, String(i))));
}
/** The drawing parameters shared by /sample and /animate. */
function drawing(params) {
  if ($("scale").value !== "1") params.set("scale", $("scale").value);
  if ($("resample").value !== "nearest") params.set("resample", $("resample").value);
  if ($("invert").checked) params.set("invert", "true");
  if ($("colours").checked) {
    params.set("fg", $("fg").value.slice(1));
    params.set("bg", $("transparent").checked ? "transparent" : $("bg").value.slice(1));
  } else if ($("transparent").checked) {
    params.set("bg", "transparent");
  }
  return params;
}
function query() {
  const params = new URLSearchParams({ model: $("modelName").value });
  const sequence = $("sequence").value.trim();
  if (sequence !== "") {
    params.set(/^[0-9]+$/.test(sequence) ? "text" : "labels", sequence);
    if ($("style").value !== "shared") params.set("style", $("style").value);
  } else {
    params.set("count", $("count").value);
    if ($("label").value !== "") params.set("label", $("label").value);
  }
  if ($("seed").value !== "") params.set("seed", $("seed").value);
  drawing(params);
  if ($("columns").value !== "") params.set("columns", $("columns").value);
  if ($("padding").value !== "" && $("padding").value !== "2") params.set("padding", $("padding").value);
  return params;
}
function animateQuery() {
  const params = new URLSearchParams({ model: $("modelName").value });
  if ($("seed").value !== "") params.set("seed", $("seed").value);
  if ($("to").value !== "") params.set("to", $("to").value);
  if ($("label").value !== "") params.set("label", $("label").value);
  if ($("toLabel").value !== "") params.set("to_label", $("toLabel").value);
  params.set("frames", $("frames").value);
  params.set("fps", $("fps").value);
  if ($("loop").checked) params.set("loop", "true");
  return drawing(params);
}
function fail(res, body) {
  $("status").className = "error";
  $("status").textContent = res.status + ": " + body.error.message;
}
/** The previews' blobs, for the download buttons. */
const downloads = {};
async function preview(kind, url, img, button, extension) {
  const res = await fetch(url, { headers: headers() });
  if (!res.ok) { fail(res, await res.json()); return false; }
  const blob = await res.blob();
  if (downloads[kind]) URL.revokeObjectURL(downloads[kind].url);
  downloads[kind] = { url: URL.createObjectURL(blob), name: "edgegan-" + $("modelName").value + "-" + res.headers.get("X-Seed") + "." + extension };
  $(img).src = downloads[kind].url;
  $(button).disabled = false;
  return true;
}
function download(kind) {
  const item = downloads[kind];
  if (!item) return;
  const link = document.createElement("a");
  link.href = item.url;
  link.download = item.name;
  link.click();
}
async function show(newSeed) {
  if (newSeed) $("seed").value = "";
  const params = query();
  $("status").className = "";
  $("status").textContent = "generating...";
  const started = performance.now();
  const res = await fetch("/sample?" + params, { headers: headers() });
  const body = await res.json();
  if (!res.ok) { fail(res, body); return; }
  $("seed").value = String(body.seed);
  const grid = $("grid");
  grid.replaceChildren(...body.images.map((image) => {
    const figure = document.createElement("figure");
    const img = document.createElement("img");
    img.src = image.png;
    img.alt = "class " + image.className;
    img.title = "count=1&label=" + image.label + "&seed=" + image.seed;
    const caption = document.createElement("figcaption");
    caption.textContent = image.className + " / " + image.seed;
    figure.append(img, caption);
    return figure;
  }));
  // the previews use the seed the JSON answer reported, so they show the same images
  const seeded = query();
  seeded.set("format", "png");
  const png = "/sample?" + seeded;
  seeded.set("format", "svg");
  const svg = "/sample?" + seeded;
  const done = await Promise.all([
    preview("png", png, "previewPng", "downloadPng", "png"),
    preview("svg", svg, "previewSvg", "downloadSvg", "svg"),
    preview("animation", "/animate?" + animateQuery(), "previewAnimation", "downloadAnimation", "png"),
  ]);
  if (done.every(Boolean)) {
    $("status").textContent = body.count + " images, seed " + body.seed + ", " + Math.round(performance.now() - started) + " ms with previews";
  }
}
document.addEventListener("DOMContentLoaded", () => {
  $("controls").addEventListener("submit", (event) => { event.preventDefault(); show(false); });
  $("regenerate").addEventListener("click", () => show(true));
  $("downloadPng").addEventListener("click", () => download("png"));
  $("downloadSvg").addEventListener("click", () => download("svg"));
  $("downloadAnimation").addEventListener("click", () => download("animation"));
  $("key").addEventListener("change", () => { loadModels().then(loadModel); });
  $("modelName").addEventListener("change", () => { loadModel().then(() => show(false)); });
  loadModels().then(loadModel).then(() => show(false));
});
`;
