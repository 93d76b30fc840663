// The shop in a real browser: headless Chromium (Debian's), driven by playwright-core, against
// the page as httpd serves it, with /api/ proxied to the backend and its PostgreSQL behind.
// ../../test.sh starts all of that and sets SHOP_URL; run alone it fails, saying so.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";

const SHOP_URL = process.env.SHOP_URL;
const CHROMIUM = process.env.CHROMIUM || "/usr/bin/chromium";

let browser;
let profile;

before(async () => {
  assert.ok(SHOP_URL, "SHOP_URL is not set: run examples/shop/app/test.sh, which starts the stack");
  profile = mkdtempSync(join(tmpdir(), "shop-chromium-"));
  // The flags this machine needs (see the project's notes on Chromium): no sandbox as root,
  // and none of Chromium's own background traffic, which a closed network refuses.
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    chromiumSandbox: false,
    args: [
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
});

after(async () => {
  await browser?.close();
  if (profile) rmSync(profile, { recursive: true, force: true });
});

// A page on the shop, and what goes wrong on it: console errors, page errors, failed requests
// (a missing file is a 404 in the console); each test asserts there was none it did not expect.
async function openShop() {
  const page = await browser.newPage();
  page.setDefaultTimeout(10_000); // everything here is local: a broken page fails in 10 s, not 30
  const problems = [];
  page.on("console", (msg) => msg.type() === "error" && problems.push(`console: ${msg.text()}`));
  page.on("pageerror", (err) => problems.push(`page error: ${err.message}`));
  page.on("requestfailed", (req) => problems.push(`request failed: ${req.url()}`));
  const response = await page.goto(SHOP_URL);
  assert.equal(response.status(), 200);
  return { page, response, problems };
}

test("the page loads with its security headers and an empty catalogue", async () => {
  const { page, response, problems } = await openShop();
  const headers = response.headers();
  assert.match(headers["content-security-policy"], /default-src 'self'/);
  assert.equal(headers["x-content-type-options"], "nosniff");
  await page.getByText("No products yet.").waitFor();
  assert.equal(await page.locator("#products").isHidden(), true);
  await page.close();
  assert.deepEqual(problems, []);
});

test("a product added through the form is listed, shown as text, and still there after a reload", async () => {
  const { page, problems } = await openShop();
  // A name that would run script if the page put it in as HTML.
  const name = `<img src=x onerror="window.injected = 1">Tea & "biscuits"`;
  await page.getByLabel("Name").fill(name);
  await page.getByLabel("Price").fill("2.5");
  await page.getByRole("button", { name: "Add" }).click();

  const row = page.locator("#products tbody tr");
  await row.first().waitFor();
  assert.equal(await row.count(), 1);
  assert.equal(await row.locator("td").nth(0).textContent(), name);
  assert.equal(await row.locator("td").nth(1).textContent(), "2.50");
  assert.equal(await page.locator("#products img").count(), 0, "the name became markup");
  assert.equal(await page.evaluate(() => window.injected), undefined, "the name's script ran");
  assert.equal(await page.getByLabel("Name").inputValue(), "", "the form was not reset");

  await page.reload();
  await row.first().waitFor();
  assert.equal(await row.locator("td").nth(0).textContent(), name);
  await page.close();
  assert.deepEqual(problems, []);
});

test("the backend's refusal is shown, and nothing is added", async () => {
  const { page, problems } = await openShop();
  await page.getByLabel("Name").fill("Too cheap");
  await page.getByLabel("Price").fill("-1");
  await page.getByRole("button", { name: "Add" }).click();
  const error = page.locator("#form-error");
  await error.waitFor();
  assert.match(await error.textContent(), /^price: /);
  assert.equal(await page.locator("#products tbody tr").count(), 1);
  await page.close();
  // The 422 is an answer, not a failure: the browser logs it as a console error, which is expected here.
  const unexpected = problems.filter((p) => !/status of 422/.test(p));
  assert.deepEqual(unexpected, []);
});

test("httpd proxies /api/ and only /api/", async () => {
  const listed = await fetch(new URL("/api/products", SHOP_URL));
  assert.equal(listed.status, 200);
  assert.equal((await listed.json()).length, 1);
  // The backend's probes are not exposed through the frontend, nor a path that merely starts with "api".
  assert.equal((await fetch(new URL("/readyz", SHOP_URL))).status, 404);
  assert.equal((await fetch(new URL("/apifoo", SHOP_URL))).status, 404);
  // Not the configuration (WHATWG URL resolves "/../httpd.conf" to "/httpd.conf", so this asks for that).
  assert.equal((await fetch(new URL("/../httpd.conf", SHOP_URL))).status, 404);
});

// GET PATH exactly as written: node:http sends the request target untouched, where fetch and URL
// would first resolve "..", so a traversal reaches the server only this way.
function rawGet(path) {
  return new Promise((resolve, reject) => {
    const { hostname, port } = new URL(SHOP_URL);
    const req = request({ hostname, port, path, method: "GET" }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (chunk) => (body += chunk));
      res.on("end", () => resolve({ status: res.statusCode, body }));
    });
    req.on("error", reject);
    req.end();
  });
}

test("nothing outside the document root is served, however the path climbs out", async () => {
  // httpd.conf lies beside the document root (public/): one ".." from "/" would reach it.
  const traversals = [
    "/../httpd.conf",
    "/%2e%2e/httpd.conf",
    "/%2E%2E/httpd.conf",
    "/api/..%2fhttpd.conf",
    "/api/../httpd.conf",
  ];
  for (const path of traversals) {
    const { status, body } = await rawGet(path);
    assert.ok(status >= 400 && status < 500, `${path}: expected a refusal (4xx), got ${status}`);
    assert.doesNotMatch(body, /ProxyPass|DocumentRoot|LoadModule/, `${path}: the answer shows httpd.conf`);
  }
  // The check itself reaches the server as written: a path that exists is served through it.
  assert.equal((await rawGet("/index.html")).status, 200);
});
