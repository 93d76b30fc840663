// The shop's page: lists the products and adds one, through the backend's API at /api/ (same
// origin: httpd proxies it). No framework, no build step.
//
// Everything shown comes from users (a product's name is whatever someone typed), so it is only
// ever put on the page as text (textContent, never innerHTML): markup in a name stays visible
// characters. The Content-Security-Policy from httpd.conf is the second line of defence.
"use strict";

const API = "/api/products";

const status = document.getElementById("status");
const table = document.getElementById("products");
const tbody = table.querySelector("tbody");
const form = document.getElementById("add-product");
const formError = document.getElementById("form-error");

function row(product) {
  const tr = document.createElement("tr");
  tr.dataset.id = String(product.id);
  const name = document.createElement("td");
  name.textContent = product.name;
  const price = document.createElement("td");
  price.className = "price";
  price.textContent = product.price; // a decimal string from the API, e.g. "12.50"
  tr.append(name, price);
  return tr;
}

function show(products) {
  tbody.replaceChildren(...products.map(row));
  table.hidden = products.length === 0;
  status.textContent = products.length === 0 ? "No products yet." : "";
}

// FastAPI's errors: {"detail": "text"} or, for a 422, {"detail": [{"loc": [...], "msg": "..."}]}.
async function describe(response) {
  let detail;
  try {
    detail = (await response.json()).detail;
  } catch {
    return `The server answered ${response.status}.`;
  }
  if (Array.isArray(detail)) {
    return detail.map((e) => `${e.loc.at(-1)}: ${e.msg}`).join("; ");
  }
  return typeof detail === "string" ? detail : `The server answered ${response.status}.`;
}

async function load() {
  try {
    const response = await fetch(API, { headers: { Accept: "application/json" } });
    if (!response.ok) {
      status.textContent = `Could not load the products: ${await describe(response)}`;
      return;
    }
    show(await response.json());
  } catch (err) {
    status.textContent = `Could not load the products: ${err.message}`;
  }
}

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  formError.hidden = true;
  const data = new FormData(form);
  const body = { name: String(data.get("name")), price: String(data.get("price")).trim() };
  const button = form.querySelector("button");
  button.disabled = true;
  try {
    const response = await fetch(API, {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify(body),
    });
    if (!response.ok) {
      formError.textContent = await describe(response);
      formError.hidden = false;
      return;
    }
    form.reset();
    await load();
  } catch (err) {
    formError.textContent = err.message;
    formError.hidden = false;
  } finally {
    button.disabled = false;
  }
});

load();
