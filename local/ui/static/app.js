// The ops page: hash routes, one view at a time, its data polled every second while it is shown.
"use strict";

const API = "/_local/ui/api";
const POLL_MS = 1000;
const ORDER_STATUSES = ["PLACED", "BACKORDERED", "PROCESSING", "PARTIALLY_SHIPPED", "SHIPPED", "DELIVERED", "CANCELLED", "FAILED"];
const CARRIERS = ["UPS", "FedEx", "USPS", "DHL", "Royal Mail"];
const REJECT_REASONS = ["out_of_stock", "incorrect_address", "other"];

// --- markup -------------------------------------------------------------------------------------------
class Raw { constructor(text) { this.text = text; } }
const raw = (text) => new Raw(text);
const escape = (value) => String(value ?? "").replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c]));
function html(strings, ...values) {
  let out = strings[0];
  values.forEach((value, i) => {
    const parts = Array.isArray(value) ? value : [value];
    out += parts.map((v) => (v instanceof Raw ? v.text : escape(v))).join("") + strings[i + 1];
  });
  return raw(out);
}
const badge = (status) => html`<span class="badge s-${status}">${String(status).replaceAll("_", " ")}</span>`;
const when = (iso) => (iso ? new Date(iso).toLocaleString(undefined, { month: "short", day: "numeric", hour: "2-digit", minute: "2-digit", second: "2-digit" }) : "");
const short = (id) => (id && id.length > 14 ? id.slice(0, 8) + "…" + id.slice(-5) : id);

async function getJson(path) {
  const response = await fetch(API + path, { cache: "no-store" });
  const body = await response.json();
  if (!response.ok) throw new Error(body?.error?.message || `HTTP ${response.status}`);
  return body;
}
async function postJson(path, payload) {
  const response = await fetch(API + path, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(payload) });
  return { ok: response.ok, status: response.status, body: await response.json().catch(() => null) };
}

// --- views --------------------------------------------------------------------------------------------
const view = document.getElementById("view");
const messages = {}; // the last outcome of a form, by its key, kept across re-renders

function message(key) {
  const m = messages[key];
  return m ? html`<p class="message ${m.ok ? "ok" : "error"}" role="status">${m.text}</p>` : raw(`<p class="message" role="status"></p>`);
}

const orderList = { cursors: [], cursor: null, status: "" };

const views = {
  async orders() {
    const query = new URLSearchParams();
    if (orderList.status) query.set("status", orderList.status);
    if (orderList.cursor) query.set("cursor", orderList.cursor);
    const page = await getJson(`/orders?${query}`);
    const rows = page.orders.map((o) => html`
      <tr data-order="${o.order_id}">
        <td class="nowrap"><a href="#/orders/${o.order_id}" class="mono" title="${o.order_id}">${short(o.order_id)}</a><div class="muted">${o.external_ref}</div></td>
        <td>${badge(o.status)}</td>
        <td>${o.customer.name}<div class="muted">${o.customer.email}</div></td>
        <td>${o.shipments} <span class="muted">${o.partner_ids.join(", ")}</span></td>
        <td class="hide-narrow nowrap">${when(o.created_at)}</td>
        <td class="hide-narrow nowrap">${when(o.updated_at)}</td>
      </tr>`);
    return html`
      <div class="heading"><div><h1>Orders</h1><p class="muted">Newest first; the list follows the orders as they move.</p></div>
        <div class="toolbar"><div class="field"><label for="status-filter">Status</label>
          <select id="status-filter" data-keep>
            <option value="">Every status</option>
            ${ORDER_STATUSES.map((s) => html`<option value="${s}" ${raw(s === orderList.status ? "selected" : "")}>${s.replaceAll("_", " ")}</option>`)}
          </select></div></div></div>
      <section class="panel" aria-label="Orders">
        <table><caption class="skip">Orders, newest first</caption>
          <thead><tr><th scope="col">Order</th><th scope="col">Status</th><th scope="col">Customer</th><th scope="col">Shipments</th><th scope="col" class="hide-narrow">Placed</th><th scope="col" class="hide-narrow">Updated</th></tr></thead>
          <tbody>${rows.length ? rows : html`<tr><td colspan="6" class="empty">No orders${orderList.status ? " in this status" : ""} yet.</td></tr>`}</tbody>
        </table>
        <div class="pager">
          <button class="secondary" id="newer" ${raw(orderList.cursors.length ? "" : "disabled")}>← Newer</button>
          <button class="secondary" id="older" data-cursor="${page.next_cursor || ""}" ${raw(page.next_cursor ? "" : "disabled")}>Older →</button>
        </div>
      </section>`;
  },

  async order(orderId) {
    const { order, execution } = await getJson(`/orders/${encodeURIComponent(orderId)}`);
    const lines = order.lines.map((l) => html`<tr><td class="mono sku">${l.sku}</td>${["quantity", "allocated", "backordered", "cancelled", "shipped", "delivered"].map((k) => html`<td class="num">${l[k]}</td>`)}</tr>`);
    const shipments = order.shipments.map((s) => html`
      <article class="shipment" data-shipment="${s.shipment_id}">
        <header><strong class="mono">${s.shipment_id}</strong> ${badge(s.status)}
          <span class="muted">${s.kind.replaceAll("_", " ").toLowerCase()} · <a href="#/partners/${s.partner_id}">${s.partner_id}</a></span></header>
        ${s.exception ? html`<p class="exception"><strong>Delayed:</strong> ${s.exception.reason} <span class="muted">since ${when(s.exception.at)}</span></p>` : ""}
        <p>${s.lines.map((l) => `${l.quantity} × ${l.sku}`).join(", ")}</p>
        ${s.tracking_number ? html`<p>${s.carrier} <span class="mono">${s.tracking_number}</span> ${s.tracking_url ? html`· <a href="${s.tracking_url}" target="_blank" rel="noopener">Track the parcel</a>` : ""}</p>` : ""}
        ${s.moves.length ? html`<p><a href="#/partners/${s.partner_id}">Act as ${s.partner_id} →</a></p>` : ""}
      </article>`);
    const timeline = [...order.timeline].reverse().map((t) => html`<li><time datetime="${t.at}">${when(t.at)}</time><strong>${t.type}</strong>
      <div class="detail">${Object.entries(t.detail || {}).map(([k, v]) => `${k}: ${typeof v === "object" ? JSON.stringify(v) : v}`).join(" · ")}</div></li>`);
    const a = order.shipping_address;
    return html`
      <div class="heading"><div><p class="muted"><a href="#/orders">← Orders</a></p>
        <h1><span class="mono">${order.order_id}</span> ${badge(order.status)}</h1>
        <p class="muted">${order.external_ref} · placed ${when(order.created_at)} · updated ${when(order.updated_at)}</p></div></div>
      <div class="grid wide-right">
        <section class="panel" aria-labelledby="customer-h"><h2 id="customer-h">Customer</h2>
          <dl class="facts"><dt>Name</dt><dd>${order.customer.name}</dd><dt>Email</dt><dd>${order.customer.email}</dd>
          <dt>Ship to</dt><dd>${[a.name, a.line1, a.line2, a.city, a.region, a.postal_code, a.country].filter(Boolean).join(", ")}</dd>
          <dt>Policy</dt><dd>${order.backorder_policy.replaceAll("_", " ")}</dd></dl></section>
        <section class="panel" aria-labelledby="lines-h"><h2 id="lines-h">Lines</h2>
          <table><thead><tr><th scope="col">SKU</th>${["Qty", "Allocated", "Backordered", "Cancelled", "Shipped", "Delivered"].map((h) => html`<th scope="col" class="num">${h}</th>`)}</tr></thead><tbody>${lines}</tbody></table></section>
      </div>
      <section class="panel" aria-labelledby="machine-h"><h2 id="machine-h">Workflow ${execution ? badge(execution.status) : ""}</h2>
        ${execution ? html`<div class="machine-wrap">${raw(execution.svg)}</div>
          <p class="legend"><span class="l-visited">on this order's path</span><span class="l-waiting">waiting here</span><span class="l-idle">not reached</span></p>
          <p id="waiting-state">${execution.waiting ? html`Waiting in <strong>${execution.waiting}</strong>.` : html`Execution ${execution.status.toLowerCase()}${execution.error ? `: ${execution.error}` : ""}.`}</p>`
        : html`<p class="empty">No execution yet.</p>`}
      </section>
      <div class="grid">
        <section class="panel" aria-labelledby="shipments-h"><h2 id="shipments-h">Shipments</h2>${shipments.length ? shipments : html`<p class="empty">No shipments.</p>`}</section>
        <section class="panel" aria-labelledby="timeline-h"><h2 id="timeline-h">Timeline</h2><ol class="timeline" reversed>${timeline}</ol></section>
      </div>`;
  },

  async inventory() {
    const { skus, locations } = await getJson("/inventory");
    const stocked = skus.filter((s) => s.fulfillment === "STOCKED");
    const rows = skus.map((s) => {
      const spots = s.locations.length ? s.locations : [null];
      return spots.map((l, i) => html`<tr data-sku="${s.sku}">
        ${i === 0 ? html`<th scope="rowgroup" rowspan="${spots.length}"><span class="mono">${s.sku}</span><div class="muted">${s.name}</div></th>` : ""}
        <td>${l ? l.location : html`<span class="muted">drop-shipped by ${s.vendor_id || "its vendor"}</span>`}</td>
        <td class="num">${l ? l.on_hand : "–"}</td><td class="num">${l ? l.reserved : "–"}</td><td class="num">${l ? l.available : "–"}</td>
        ${i === 0 ? html`<td class="num" rowspan="${spots.length}">${s.backordered ? html`<span class="badge s-BACKORDERED">${s.backordered}</span>` : "0"}</td>` : ""}
      </tr>`);
    });
    return html`
      <div class="heading"><div><h1>Inventory</h1><p class="muted">Stock per SKU and location, and the units orders wait for.</p></div></div>
      <section class="panel" aria-labelledby="receive-h"><h2 id="receive-h">Receive stock</h2>
        <form id="receipt" class="toolbar">
          <div class="field"><label for="receipt-sku">SKU</label><select id="receipt-sku" name="sku" data-keep required>${stocked.map((s) => html`<option>${s.sku}</option>`)}</select></div>
          <div class="field"><label for="receipt-location">Location</label><select id="receipt-location" name="location" data-keep required>${locations.map((l) => html`<option>${l}</option>`)}</select></div>
          <div class="field"><label for="receipt-quantity">Quantity</label><input id="receipt-quantity" name="quantity" type="number" min="1" max="100000" value="10" data-keep required></div>
          <button type="submit">Receive</button>
        </form>${message("receipt")}</section>
      <section class="panel" aria-label="Stock"><table>
        <thead><tr><th scope="col">SKU</th><th scope="col">Location</th><th scope="col" class="num">On hand</th><th scope="col" class="num">Reserved</th><th scope="col" class="num">Available</th><th scope="col" class="num">Backordered</th></tr></thead>
        <tbody>${rows.flat()}</tbody></table></section>`;
  },

  async partners(partnerId) {
    const { partners } = await getJson("/partners");
    const chosen = partners.find((p) => p.id === partnerId) || partners[0];
    if (!chosen) return html`<h1>Partners</h1><p class="empty">No partners.</p>`;
    const cards = chosen.shipments.map((s) => {
      const id = s.shipment_id;
      const can = (m) => s.moves.includes(m);
      return html`<article class="shipment" data-shipment="${id}">
        <header><strong class="mono">${id}</strong> ${badge(s.status)} <span class="muted">order <a href="#/orders/${s.order_id}">${short(s.order_id)}</a></span></header>
        ${s.exception ? html`<p class="exception"><strong>Delayed:</strong> ${s.exception.reason}</p>` : ""}
        <p>${s.lines.map((l) => `${l.quantity} × ${l.sku}`).join(", ")} <span class="muted">to ${s.shipping_address.name}, ${s.shipping_address.city} ${s.shipping_address.country}</span></p>
        ${s.tracking_number ? html`<p>${s.carrier} <span class="mono">${s.tracking_number}</span></p>` : ""}
        <div class="moves" aria-label="Next moves for ${id}">
          ${can("ACCEPTED") ? html`<button data-move="ACCEPTED" data-shipment="${id}">Accept</button>` : ""}
          ${can("SHIPPED") ? html`<form data-move="SHIPPED" data-shipment="${id}">
            <div class="field"><label for="carrier-${id}">Carrier</label><select id="carrier-${id}" name="carrier" data-keep>${CARRIERS.map((c) => html`<option>${c}</option>`)}</select></div>
            <div class="field"><label for="tracking-${id}">Tracking number</label><input id="tracking-${id}" name="tracking_number" required data-keep placeholder="1Z999AA10123456784"></div>
            <button type="submit">Ship</button></form>` : ""}
          ${can("IN_TRANSIT") ? html`<button class="secondary" data-move="IN_TRANSIT" data-shipment="${id}">In transit</button>` : ""}
          ${can("DELIVERED") ? html`<button class="secondary" data-move="DELIVERED" data-shipment="${id}">Delivered</button>` : ""}
          ${can("REJECTED") ? html`<form data-move="REJECTED" data-shipment="${id}">
            <div class="field"><label for="reject-${id}">Reason</label><select id="reject-${id}" name="reason" data-keep>${REJECT_REASONS.map((r) => html`<option value="${r}">${r.replaceAll("_", " ")}</option>`)}</select></div>
            <button type="submit" class="danger">Reject</button></form>` : ""}
          ${can("EXCEPTION") ? html`<form data-move="EXCEPTION" data-shipment="${id}">
            <div class="field"><label for="exception-${id}">Delay reason</label><input id="exception-${id}" name="reason" required data-keep placeholder="weather"></div>
            <button type="submit" class="secondary">Report exception</button></form>` : ""}
        </div>${message(id)}
      </article>`;
    });
    return html`
      <div class="heading"><div><h1>Partner's view</h1><p class="muted">Each button posts the signed update the partner would send to <span class="mono">POST /partners/{id}/tracking</span>.</p></div></div>
      <nav class="tabs" aria-label="Partners">${partners.map((p) => html`<a href="#/partners/${p.id}" ${raw(p.id === chosen.id ? 'aria-current="page"' : "")}>${p.name} <span class="badge">${p.shipments.length}</span></a>`)}</nav>
      <section class="panel" aria-labelledby="partner-h"><h2 id="partner-h">${chosen.name} <span class="muted">· ${chosen.kind.replaceAll("_", " ").toLowerCase()} · ${chosen.email}</span></h2>
        ${cards.length ? cards : html`<p class="empty">No open shipments at ${chosen.name}.</p>`}</section>`;
  },

  async outbox(emailId) {
    const { emails } = await getJson("/outbox");
    const chosen = emailId ? await getJson(`/outbox/${encodeURIComponent(emailId)}`) : null;
    const width = outboxWidth;
    const items = emails.map((e) => html`<li><a href="#/outbox/${e.id}" ${raw(e.id === emailId ? 'aria-current="true"' : "")}>
      <span class="subject">${e.subject}</span><span class="meta">${e.kind || "email"} · to ${e.to.join(", ")} · ${when(e.sent_at)}</span></a></li>`);
    return html`
      <div class="heading"><div><h1>Outbox</h1><p class="muted">Every email OMS sent, newest first, as its reader sees it.</p></div></div>
      <div class="split">
        <section class="panel" aria-label="Emails"><ul class="mail-list">${items.length ? items : html`<li class="empty">No emails yet.</li>`}</ul></section>
        <section class="panel" aria-label="The email">${chosen ? html`
          <h2>${chosen.subject}</h2>
          <dl class="facts"><dt>To</dt><dd>${chosen.to.join(", ")}</dd><dt>From</dt><dd>${chosen.from}</dd><dt>Kind</dt><dd>${chosen.kind || ""}</dd>
            ${chosen.order_id ? html`<dt>Order</dt><dd><a href="#/orders/${chosen.order_id}">${chosen.order_id}</a></dd>` : ""}</dl>
          <div class="toolbar" role="group" aria-label="Width"><button class="secondary" data-width="375" aria-pressed="${width === 375}">375 px</button><button class="secondary" data-width="600" aria-pressed="${width === 600}">600 px</button></div>
          <div class="frame-wrap">${chosen.html ? html`<iframe class="mail" sandbox="" title="The email's HTML part: ${chosen.subject}" width="${width}" srcdoc="${chosen.html}"></iframe>` : html`<p class="empty">No HTML part.</p>`}</div>
          <h2>Plain text</h2><pre class="text">${chosen.text || ""}</pre>` : html`<p class="empty">Pick an email.</p>`}</section>
      </div>`;
  },

  async webhooks() {
    const { targets } = await getJson("/webhooks");
    const sections = targets.map((t) => html`<section class="panel" aria-label="Deliveries to ${t.name}"><h2>${t.name}</h2>
      ${t.attempts.length ? html`<table><thead><tr><th scope="col">At</th><th scope="col">Event</th><th scope="col">Order</th><th scope="col" class="num">Attempt</th><th scope="col">Status</th><th scope="col">Answer</th><th scope="col">Next attempt</th></tr></thead><tbody>
        ${t.attempts.map((a) => html`<tr><td>${when(a.at)}</td><td>${a.type}<div class="muted mono">${a.event_id}</div></td><td>${a.order_id ? html`<a href="#/orders/${a.order_id}">${short(a.order_id)}</a>` : ""}</td>
          <td class="num">${a.attempt}</td><td>${badge(a.status)}</td><td>${a.status_code ?? ""} ${a.error || ""}</td><td>${when(a.next_attempt_at)}</td></tr>`)}</tbody></table>`
        : html`<p class="empty">No deliveries${t.target === "storefront" ? " (the seed sets no storefront_webhook_url, or nothing was sent yet)" : " (no webhook_url, or nothing was sent yet)"}.</p>`}</section>`);
    return html`<div class="heading"><div><h1>Webhook deliveries</h1><p class="muted">Every attempt, newest first.</p></div></div>${sections}`;
  },
};

// --- routing, polling, actions ---------------------------------------------------------------------
let outboxWidth = 600;
let current = { key: "", markup: "" };
let timer = null;
let generation = 0;

function route() {
  const [section, id] = location.hash.replace(/^#\/?/, "").split("/").map(decodeURIComponent);
  if (section === "orders" && id) return { name: "order", args: [id], section: "orders" };
  if (section in views) return { name: section, args: [id], section };
  return { name: "orders", args: [], section: "orders" };
}

function keepInputs(render) {
  const kept = new Map();
  view.querySelectorAll("[data-keep][id]").forEach((el) => kept.set(el.id, el.value));
  const focused = document.activeElement?.id;
  render();
  kept.forEach((value, id) => { const el = document.getElementById(id); if (el && el.value !== value && [...(el.options || [{ value }])].some((o) => o.value === value)) el.value = value; });
  if (focused) document.getElementById(focused)?.focus();
}

async function refresh(mine) {
  const r = route();
  const live = document.getElementById("live");
  try {
    const markup = (await views[r.name](...r.args)).text;
    if (mine !== generation) return;
    const key = location.hash;
    if (key !== current.key || markup !== current.markup) {
      keepInputs(() => { view.innerHTML = markup; });
      view.dataset.view = r.name; // what the content shows now: the hash changes before the data arrives
      current = { key, markup };
    }
    live.classList.remove("stale");
    document.getElementById("live-text").textContent = `live · ${new Date().toLocaleTimeString()}`;
  } catch (error) {
    if (mine !== generation) return;
    live.classList.add("stale");
    document.getElementById("live-text").textContent = `retrying · ${error.message}`;
  }
  timer = setTimeout(() => refresh(mine), POLL_MS);
}

function show() {
  clearTimeout(timer);
  generation += 1;
  const r = route();
  document.querySelectorAll(".top nav a").forEach((a) => {
    if (a.dataset.section === r.section) a.setAttribute("aria-current", "page"); else a.removeAttribute("aria-current");
  });
  document.title = `OMS · ${r.section}`;
  refresh(generation);
}

function now() { clearTimeout(timer); generation += 1; refresh(generation); }

async function move(shipmentId, status, fields) {
  const partnerId = route().args[0] || document.querySelector('.tabs a[aria-current="page"]')?.getAttribute("href").split("/").pop();
  const answer = await postJson(`/partners/${encodeURIComponent(partnerId)}/tracking`, { shipment_id: shipmentId, status, ...fields });
  messages[shipmentId] = answer.ok
    ? { ok: true, text: answer.body.applied ? `${status.replaceAll("_", " ")} sent and applied.` : `${status} sent; OMS had already moved past it.` }
    : { ok: false, text: answer.body?.error?.message || `HTTP ${answer.status}` };
  now();
}

view.addEventListener("change", (event) => {
  if (event.target.id === "status-filter") {
    Object.assign(orderList, { status: event.target.value, cursor: null, cursors: [] });
    now();
  }
});

view.addEventListener("click", (event) => {
  const button = event.target.closest("button");
  if (!button || button.type === "submit") return;
  if (button.id === "older") { orderList.cursors.push(orderList.cursor); orderList.cursor = button.dataset.cursor; now(); }
  else if (button.id === "newer") { orderList.cursor = orderList.cursors.pop() ?? null; now(); }
  else if (button.dataset.width) { outboxWidth = Number(button.dataset.width); now(); }
  else if (button.dataset.move) { button.disabled = true; move(button.dataset.shipment, button.dataset.move, {}); }
});

view.addEventListener("submit", async (event) => {
  event.preventDefault();
  const form = event.target;
  const fields = Object.fromEntries(new FormData(form));
  form.querySelector("button[type=submit]").disabled = true;
  if (form.id === "receipt") {
    const answer = await postJson("/inventory/receipts", { ...fields, quantity: Number(fields.quantity) });
    messages.receipt = answer.ok
      ? { ok: true, text: `Received ${fields.quantity} × ${fields.sku} at ${fields.location}.` }
      : { ok: false, text: answer.body?.error?.message || `HTTP ${answer.status}` };
    now();
  } else if (form.dataset.move) {
    await move(form.dataset.shipment, form.dataset.move, fields);
  }
});

window.addEventListener("hashchange", () => { view.focus({ preventScroll: true }); show(); });
show();
