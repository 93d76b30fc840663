//! The raw imports from `js/host.js`. Private to `host`: everything here deals in `JsValue`,
//! and nothing of that kind leaves `host`.

use js_sys::Array;
use wasm_bindgen::prelude::*;

#[wasm_bindgen(module = "/js/host.js")]
extern "C" {
    pub fn env_get(name: &str) -> Option<String>;
    pub fn env_names(prefix: &str) -> Array;
    pub fn args() -> Array;
    #[wasm_bindgen(catch)]
    pub fn cwd() -> Result<String, JsValue>;
    #[wasm_bindgen(catch)]
    pub fn stat(path: &str) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(catch)]
    pub fn realpath(path: &str) -> Result<String, JsValue>;
    #[wasm_bindgen(catch)]
    pub fn open_regular(path: &str) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(catch)]
    pub fn read_into(fd: f64, buf: &mut [u8], position: f64) -> Result<f64, JsValue>;
    #[wasm_bindgen(catch)]
    pub fn close(fd: f64) -> Result<(), JsValue>;
    #[wasm_bindgen(catch)]
    pub fn read_dir(path: &str) -> Result<Array, JsValue>;
    #[wasm_bindgen(catch)]
    pub fn append_file(path: &str, data: &[u8]) -> Result<(), JsValue>;
    #[wasm_bindgen(catch)]
    pub fn write_stdout(text: &str) -> Result<(), JsValue>;
    #[wasm_bindgen(catch)]
    pub fn write_stderr(text: &str) -> Result<(), JsValue>;
    pub fn random_uuid() -> String;
    pub fn now_ms() -> f64;
    pub fn mark_panicked();
    #[wasm_bindgen(catch)]
    pub async fn run_process(
        program: &str,
        args: Vec<String>,
        cwd: &str,
        env: Vec<String>,
        timeout_ms: f64,
        max_bytes: f64,
    ) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(catch)]
    #[allow(clippy::too_many_arguments)]
    pub async fn http_request(
        method: &str,
        url: &str,
        headers: Vec<String>,
        body: &[u8],
        timeout_ms: f64,
        max_bytes: f64,
        ca: Option<String>,
        cert: Option<String>,
        key: Option<String>,
        insecure: bool,
    ) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(catch)]
    pub fn x509(pem: &str) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(catch)]
    pub fn x509_matches_key(cert: &str, key: &str) -> Result<bool, JsValue>;
    #[wasm_bindgen(catch)]
    pub fn sign_rs256(pem: &str, data: &[u8]) -> Result<js_sys::Uint8Array, JsValue>;
    // Sockets (src/host/wasm.rs `Socket`): an id per connection, kept by js/host.js.
    #[wasm_bindgen(catch)]
    pub async fn socket_connect(host: &str, port: f64, timeout_ms: f64) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(catch)]
    pub async fn socket_start_tls(
        id: f64,
        ca: Option<String>,
        verify: &str,
        servername: &str,
        timeout_ms: f64,
    ) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(catch)]
    pub async fn socket_write(id: f64, data: &[u8], timeout_ms: f64) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(catch)]
    pub async fn socket_read(id: f64, max: f64, timeout_ms: f64) -> Result<JsValue, JsValue>;
    pub fn socket_close(id: f64);
    // The cloud backends' module (src/backend/on_demand.rs): `{ answer, body }`.
    #[wasm_bindgen(catch)]
    pub async fn on_demand(op: &str, backend: &str, location: &str) -> Result<JsValue, JsValue>;
}
