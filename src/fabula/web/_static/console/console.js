// fabula console: plain JavaScript, no dependencies, served by the package (works offline).
"use strict";

const view = document.getElementById("view");
const message = document.getElementById("message");
const tokenInput = document.getElementById("token");
let tail = null; // the live log's EventSource, closed when leaving the page

tokenInput.value = sessionStorage.getItem("fabula-console-token") || "";
tokenInput.addEventListener("change", () =>
  sessionStorage.setItem("fabula-console-token", tokenInput.value));

function el(tag, attributes, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attributes || {})) {
    if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value);
  }
  for (const child of children) {
    if (child !== null && child !== undefined) {
      node.append(child instanceof Node ? child : String(child));
    }
  }
  return node;
}

function say(text, isError) {
  message.textContent = text;
  message.className = isError ? "error" : "";
}

async function api(path, options) {
  const response = await fetch("api/" + path, options);
  const body = await response.json().catch(() => ({}));
  if (!response.ok) {
    const error = new Error(`${response.status}: ${body.message || response.statusText}`);
    error.status = response.status;
    throw error;
  }
  return body;
}

function pretty(value) {
  return JSON.stringify(value, null, 2);
}

function query(params) {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== null && value !== undefined && value !== "") search.set(key, value);
  }
  return search.toString();
}

function confirmAction(text) {
  const dialog = document.getElementById("confirm");
  document.getElementById("confirm-text").textContent = text;
  return new Promise((resolve) => {
    const done = (answer) => {
      dialog.close();
      yes.removeEventListener("click", onYes);
      no.removeEventListener("click", onNo);
      resolve(answer);
    };
    const yes = document.getElementById("confirm-yes");
    const no = document.getElementById("confirm-no");
    const onYes = () => done(true);
    const onNo = () => done(false);
    yes.addEventListener("click", onYes);
    no.addEventListener("click", onNo);
    dialog.showModal();
  });
}

// ---- streams ----------------------------------------------------------------------------

async function showStreams(params) {
  const kind = params.get("kind") || "prefix";
  const text = params.get("q") || "";
  const input = el("input", { id: "search", placeholder: "stream id prefix or category", value: text });
  const select = el("select", { id: "search-kind" },
    el("option", { value: "prefix" }, "prefix"), el("option", { value: "category" }, "category"));
  select.value = kind;
  const form = el("form", { id: "search-form" }, input, " ", select, " ",
    el("button", { id: "search-go", type: "submit" }, "Search"), " ",
    el("span", { id: "stream-count" }, "counting..."));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    location.hash = "#/streams?" + query({ q: input.value, kind: select.value });
  });
  const rows = el("tbody");
  const more = el("button", { id: "more", type: "button", hidden: "" }, "More");
  view.replaceChildren(el("h2", {}, "Streams"), form,
    el("table", { id: "streams" }, el("thead", {}, el("tr", {}, el("th", {}, "stream"),
      el("th", {}, "version"))), rows), more);
  const filter = kind === "category" ? { category: text } : { prefix: text };
  api("streams/count?" + query(filter)).then(
    (body) => { document.getElementById("stream-count").textContent = `${body.count} streams`; },
    (error) => say(error.message, true));
  let after = null;
  async function page() {
    const body = await api("streams?" + query({ ...filter, after, limit: 50 }));
    for (const stream of body.streams) {
      rows.append(el("tr", { class: "stream" },
        el("td", {}, el("a", { class: "stream-link",
          href: "#/stream?" + query({ id: stream.stream_id }) }, stream.stream_id)),
        el("td", {}, stream.version)));
    }
    after = body.next;
    more.hidden = after === null;
  }
  more.addEventListener("click", () => page().catch((error) => say(error.message, true)));
  await page();
}

// ---- one stream -------------------------------------------------------------------------

function eventBox(event) {
  return el("div", { class: "event", "data-version": event.version, "data-position": event.position },
    el("div", { class: "meta" },
      el("strong", { class: "event-type" }, event.type), ` version ${event.version}`,
      ` · position ${event.position} · ${event.recorded_at} · schema ${event.schema_version}`,
      ` · ${event.stream_id}`),
    el("pre", { class: "payload" }, pretty(event.data)),
    el("details", {}, el("summary", {}, "metadata"),
      el("pre", { class: "metadata" }, pretty({
        event_id: event.event_id, causation_id: event.causation_id,
        correlation_id: event.correlation_id, ...event.metadata }))));
}

async function showStream(params) {
  const id = params.get("id");
  const list = el("div", { id: "events" });
  const more = el("button", { id: "more", type: "button", hidden: "" }, "More");
  const title = el("h2", { id: "stream-title" }, id);
  view.replaceChildren(title, list, more);
  let after = 0;
  let first = true;
  async function page() {
    const body = await api("stream?" + query({ id, after, limit: 50 }));
    if (first) {
      first = false;
      title.append(` (version ${body.version})`);
      if (body.model) title.after(stateForm(id, body.version));
    }
    for (const event of body.events) list.append(eventBox(event));
    after = body.next;
    more.hidden = after === null;
  }
  more.addEventListener("click", () => page().catch((error) => say(error.message, true)));
  await page();
}

function stateForm(id, version) {
  const input = el("input", { id: "state-version", type: "number", min: "0", max: String(version),
    value: String(version) });
  const output = el("pre", { id: "state" });
  const form = el("form", { class: "state" }, "State at version ", input, " ",
    el("button", { id: "state-load", type: "submit" }, "Load"), output);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      const body = await api("state?" + query({ id, version: input.value }));
      output.textContent = pretty(body.state);
    } catch (error) {
      say(error.message, true);
    }
  });
  return form;
}

// ---- the live log -----------------------------------------------------------------------

function logRow(event) {
  return el("tr", { class: "log-event", "data-position": event.position },
    el("td", {}, event.position),
    el("td", {}, el("a", { href: "#/stream?" + query({ id: event.stream_id }) }, event.stream_id)),
    el("td", {}, event.version), el("td", { class: "event-type" }, event.type),
    el("td", {}, event.recorded_at),
    el("td", {}, el("code", { class: "payload" }, JSON.stringify(event.data))));
}

async function showLog(params) {
  const rows = el("tbody");
  const status = el("span", { id: "tail-status" }, "connecting...");
  const from = el("input", { id: "log-after", type: "number", min: "0",
    placeholder: "position", value: params.get("after") || "" });
  const form = el("form", {}, "Browse from after position ", from, " ",
    el("button", { type: "submit" }, "Go"), " ", el("a", { href: "#/log" }, "latest, live"));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    location.hash = "#/log?" + query({ after: from.value || "0" });
  });
  const more = el("button", { id: "more", type: "button", hidden: "" }, "More");
  const table = el("table", { id: "log" }, el("thead", {}, el("tr", {}, ...["position", "stream",
    "version", "type", "recorded", "payload"].map((name) => el("th", {}, name)))), rows);
  if (params.has("after")) {
    // Forwards from a position, a page at a time (keyset: after the last position shown).
    view.replaceChildren(el("h2", {}, "Log"), form, table, more);
    let after = params.get("after");
    const page = async () => {
      const body = await api("log?" + query({ after, limit: 50 }));
      for (const event of body.events) rows.append(logRow(event));
      after = body.next;
      more.hidden = after === null;
    };
    more.addEventListener("click", () => page().catch((error) => say(error.message, true)));
    await page();
    return;
  }
  view.replaceChildren(el("h2", {}, "Live log ", status), form, table);
  const body = await api("log?limit=50");
  for (const event of body.events) rows.prepend(logRow(event));
  const last = body.events.length ? body.events[body.events.length - 1].position : body.head;
  tail = new EventSource("api/tail?after=" + last);
  tail.onopen = () => { status.textContent = "live"; };
  tail.onerror = () => { status.textContent = "reconnecting..."; };
  tail.onmessage = (message) => {
    rows.prepend(logRow(JSON.parse(message.data)));
    while (rows.children.length > 500) rows.lastChild.remove();
  };
}

// ---- consumers --------------------------------------------------------------------------

async function act(path, text) {
  if (!(await confirmAction(text))) return;
  try {
    await api(path, { method: "POST", headers: { Authorization: "Bearer " + tokenInput.value } });
    say(`done: ${text}`, false);
  } catch (error) {
    say(error.message, true);
  }
  await showConsumers();
}

async function showConsumers() {
  const body = await api("consumers");
  const rows = el("tbody");
  for (const status of body.consumers) {
    const rebuild = body.rebuilds[status.name];
    rows.append(el("tr", { class: "consumer", "data-name": status.name },
      el("td", {}, status.name), el("td", {}, status.position), el("td", {}, status.head),
      el("td", { class: "lag" }, status.lag_events), el("td", {}, status.lag_seconds.toFixed(1)),
      el("td", { class: status.state }, status.state), el("td", { class: "parked-count" }, status.parked),
      el("td", {}, status.error || status.last_error || ""),
      el("td", {}, rebuild ? `rebuild ${rebuild.state} ${rebuild.detail}` : ""),
      el("td", {}, el("button", { class: "rebuild", type: "button",
        onclick: () => act(`consumers/${encodeURIComponent(status.name)}/rebuild`,
          `Rebuild ${status.name} from the start of the log?`) }, "Rebuild"))));
  }
  const parked = el("tbody");
  for (const status of body.consumers.filter((s) => s.parked > 0)) {
    const letters = await api(`consumers/${encodeURIComponent(status.name)}/parked`);
    for (const letter of letters.parked) {
      const path = `consumers/${encodeURIComponent(letter.name)}/parked/${letter.position}`;
      parked.append(el("tr", { class: "parked", "data-position": letter.position },
        el("td", {}, letter.name), el("td", {}, letter.position),
        el("td", {}, el("a", { href: "#/stream?" + query({ id: letter.stream_id }) },
          `${letter.stream_id}@${letter.version}`)),
        el("td", {}, letter.type), el("td", {}, letter.attempts),
        el("td", {}, el("code", {}, letter.error)),
        el("td", {},
          el("button", { class: "retry", type: "button", onclick: () => act(`${path}/retry`,
            `Retry ${letter.name} #${letter.position}?`) }, "Retry"), " ",
          el("button", { class: "discard", type: "button", onclick: () => act(`${path}/discard`,
            `Discard ${letter.name} #${letter.position} without applying it?`) }, "Discard"))));
    }
  }
  view.replaceChildren(el("h2", {}, "Consumers"),
    el("table", { id: "consumers" }, el("thead", {}, el("tr", {}, ...["name", "position", "head",
      "lag", "lag (s)", "state", "parked", "error", "", ""].map((name) => el("th", {}, name)))), rows),
    el("h2", {}, "Parked events"),
    el("table", { id: "parked" }, el("thead", {}, el("tr", {}, ...["consumer", "position",
      "stream", "type", "attempts", "error", ""].map((name) => el("th", {}, name)))), parked));
}

// ---- routing ----------------------------------------------------------------------------

async function route() {
  if (tail) { tail.close(); tail = null; }
  const [path, search] = (location.hash.slice(1) || "/streams").split("?");
  const params = new URLSearchParams(search || "");
  for (const link of document.querySelectorAll("header nav a")) {
    link.classList.toggle("current", link.getAttribute("href").startsWith("#" + path));
  }
  delete document.body.dataset.shownAt;
  api("info").then((info) => {
    document.getElementById("head").textContent = `head ${info.head}`;
    document.getElementById("mode").textContent = info.actions ? "actions enabled" : "read-only";
    document.getElementById("nav-consumers").hidden = !info.consumers;
  }, (error) => say(error.message, true));
  try {
    if (path === "/stream") await showStream(params);
    else if (path === "/log") await showLog(params);
    else if (path === "/consumers") await showConsumers();
    else await showStreams(params);
    // When the view was shown, in ms since navigation: benchmarks/console_pages.py reads it.
    document.body.dataset.shownAt = String(Math.round(performance.now()));
  } catch (error) {
    say(error.message, true);
  }
}

window.addEventListener("hashchange", () => { say("", false); route(); });
route();
