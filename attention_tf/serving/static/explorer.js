// The explorer page: calls the JSON API and shades words. No libraries.
"use strict";

const LEGENDS = {
  attention: "Orange: attention weight (the weights of a text sum to 1).",
  integrated_gradients:
    "Integrated gradients on the embeddings: green supports the predicted " +
    "class, red opposes it.",
  leave_one_out:
    "Leave-one-out: drop in the predicted class's probability when the " +
    "word is deleted (green: it helped, red: it hurt).",
};
let lastResult = null;

function $(id) { return document.getElementById(id); }

function showError(message) {
  $("error").textContent = message || "";
  $("error").hidden = !message;
}

async function post(path, payload) {
  const response = await fetch(path, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(payload),
  });
  const body = await response.json();
  if (!response.ok) throw new Error(body.error || response.statusText);
  return body;
}

// A background colour for `value` relative to `top` (the largest magnitude).
function shade(value, top, signed) {
  const alpha = top > 0 ? Math.abs(value) / top : 0;
  const colour = !signed ? "255,140,0" : value >= 0 ? "0,150,0" : "210,0,0";
  return `rgba(${colour},${alpha.toFixed(3)})`;
}

function renderWords() {
  const container = $("words");
  container.textContent = "";
  if (!lastResult) return;
  const method = $("method").value;
  const values = lastResult[method];
  $("legend").textContent = LEGENDS[method];
  const top = Math.max(0, ...values.map(Math.abs));
  lastResult.words.forEach((word, i) => {
    const sentence = lastResult.sentence;
    if (sentence && i > 0 && sentence[i] !== sentence[i - 1]) {
      container.appendChild(document.createElement("span")).className =
        "sentence-break";
    }
    const span = document.createElement("span");
    span.className = "word";
    span.textContent = word;
    span.dataset.value = values[i];
    span.dataset.method = method;
    span.title = `${method}: ${values[i].toFixed(4)}`;
    span.style.background = shade(values[i], top, method !== "attention");
    container.appendChild(span);
    container.appendChild(document.createTextNode(" "));
  });
}

async function classify() {
  showError("");
  const text = $("text").value;
  $("classify").disabled = true;
  try {
    const body = await post("/api/classify", {
      texts: [text],
      methods: ["attention", "integrated_gradients", "leave_one_out"],
    });
    lastResult = body.results[0];
    const p = lastResult.probabilities[lastResult.label];
    $("prediction").textContent =
      `Prediction: ${lastResult.label} (p = ${p.toFixed(3)})`;
    renderWords();
  } catch (error) {
    showError(error.message);
  } finally {
    $("classify").disabled = false;
  }
}

function highlightSource(row) {
  document.querySelectorAll("#source-words .word").forEach((span, j) => {
    const weight = row ? row[j] : 0;
    span.dataset.weight = weight;
    span.style.background = shade(weight, 1, false);
  });
}

function renderAlignment(result) {
  const table = $("alignment");
  table.textContent = "";
  const head = table.createTHead().insertRow();
  head.appendChild(document.createElement("th"));
  result.source_words.forEach((word) => {
    head.appendChild(document.createElement("th")).textContent = word;
  });
  const body = table.createTBody();
  result.attention.forEach((row, i) => {
    const tr = body.insertRow();
    tr.appendChild(document.createElement("th")).textContent = result.words[i];
    row.forEach((weight) => {
      const cell = tr.insertCell();
      cell.style.background = shade(weight, 1, false);
      cell.title = weight.toFixed(3);
    });
  });
}

async function translate() {
  showError("");
  try {
    const body = await post("/api/translate", { texts: [$("source").value] });
    const result = body.results[0];
    const source = $("source-words");
    const output = $("translation");
    source.textContent = "";
    output.textContent = "";
    result.source_words.forEach((word) => {
      const span = source.appendChild(document.createElement("span"));
      span.className = "word";
      span.textContent = word;
      source.appendChild(document.createTextNode(" "));
    });
    result.words.forEach((word, i) => {
      const span = output.appendChild(document.createElement("span"));
      span.className = "word out-word";
      span.textContent = word;
      span.dataset.index = i;
      span.addEventListener("mouseenter", () => {
        span.classList.add("active");
        highlightSource(result.attention[i]);
      });
      span.addEventListener("mouseleave", () => {
        span.classList.remove("active");
        highlightSource(null);
      });
      output.appendChild(document.createTextNode(" "));
    });
    renderAlignment(result);
  } catch (error) {
    showError(error.message);
  }
}

async function start() {
  try {
    const info = await (await fetch("/api/info")).json();
    $("classifier-section").hidden = !info.classifier;
    $("translator-section").hidden = !info.translator;
    if (info.classifier) {
      $("status").textContent =
        `Classes: ${info.classifier.class_names.join(", ")}`;
    } else {
      $("status").textContent = "Translator loaded.";
    }
  } catch (error) {
    showError(`Could not reach the server: ${error.message}`);
  }
  $("classify").addEventListener("click", classify);
  $("method").addEventListener("change", renderWords);
  $("translate").addEventListener("click", translate);
  $("source").addEventListener("keydown", (event) => {
    if (event.key === "Enter") translate();
  });
}

document.addEventListener("DOMContentLoaded", start);
