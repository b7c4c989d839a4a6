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
  <label>Scale <select id="scale"><option>1</option><option>2</option><option>4</option><option>8</option></select></label>
  <label>Columns <input id="columns" type="number" min="1" max="64" placeholder="auto"></label>
  <label>Padding <input id="padding" type="number" min="0" max="16" value="2"></label>
  <label><span>Invert</span><input id="invert" type="checkbox"></label>
  <label>API key <input id="key" type="password" autocomplete="off" placeholder="if required"></label>
  <button type="submit">Show</button>
  <button type="button" id="regenerate">Regenerate (new seed)</button>
  <button type="button" id="download">Download PNG sheet</button>
</form>
<p id="status" role="status"></p>
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
figcaption{font-size:.75rem;color:#bbb}#status.error{color:#f77}
`;

/** Script: fills the model picker from /models and the label list from /model, then calls /sample and shows the images. */
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
}
function query() {
  const params = new URLSearchParams({ model: $("modelName").value, count: $("count").value });
  if ($("label").value !== "") params.set("label", $("label").value);
  if ($("seed").value !== "") params.set("seed", $("seed").value);
  if ($("scale").value !== "1") params.set("scale", $("scale").value);
  if ($("invert").checked) params.set("invert", "true");
  if ($("columns").value !== "") params.set("columns", $("columns").value);
  if ($("padding").value !== "" && $("padding").value !== "2") params.set("padding", $("padding").value);
  return params;
}
async function download() {
  const params = query();
  params.set("format", "png");
  const res = await fetch("/sample?" + params, { headers: headers() });
  if (!res.ok) {
    $("status").className = "error";
    $("status").textContent = res.status + ": " + (await res.json()).error.message;
    return;
  }
  const url = URL.createObjectURL(await res.blob());
  const link = document.createElement("a");
  link.href = url;
  link.download = "edgegan-" + params.get("model") + "-" + res.headers.get("X-Seed") + ".png";
  link.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
async function show(newSeed) {
  if (newSeed) $("seed").value = "";
  const params = query();
  $("status").className = "";
  $("status").textContent = "generating...";
  const started = performance.now();
  const res = await fetch("/sample?" + params, { headers: headers() });
  const body = await res.json();
  if (!res.ok) {
    $("status").className = "error";
    $("status").textContent = res.status + ": " + body.error.message;
    return;
  }
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
  $("status").textContent = body.count + " images, seed " + body.seed + ", " + Math.round(performance.now() - started) + " ms";
}
document.addEventListener("DOMContentLoaded", () => {
  $("controls").addEventListener("submit", (event) => { event.preventDefault(); show(false); });
  $("regenerate").addEventListener("click", () => show(true));
  $("download").addEventListener("click", () => { download(); });
  $("key").addEventListener("change", () => { loadModels().then(loadModel); });
  $("modelName").addEventListener("change", () => { loadModel().then(() => show(false)); });
  loadModels().then(loadModel).then(() => show(false));
});
`;
