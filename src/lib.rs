//! stage-action: a GitHub Action that reads what a Terraform-managed stage runs, picks and
//! checks promotions, and guards release tags.
//!
//! Layout: `state` (pure core: Terraform state), `backend` (where state lives), `commands`
//! (one per command), `action` (the runner protocol), `host` (the only door to Node). This
//! file is the wasm entry and nothing else.

pub mod action;
pub mod backend;
pub mod commands;
pub mod context;
pub mod encode;
pub mod error;
pub mod files;
pub mod github;
pub mod host;
pub mod join;
pub mod secret;
pub mod stages;
pub mod state;
pub mod suggest;
pub mod tags;
pub mod text;
pub mod time;
pub mod version;

// The default wasm allocator (dlmalloc) has a large `malloc` that V8's optimizing tier
// recompiles mid-run on some inputs, and the exit waits for it. With talc a lookup runs ~6 KB
// less wasm and a 50 KB lookup in Actions mode took 4–5 ms less (BENCHMARKS.md, "Start-up:
// before / after"). Single-threaded wasm only; native builds keep the system allocator.
#[cfg(all(target_arch = "wasm32", not(target_feature = "atomics")))]
#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();

/// Reports a panic as the action's one error (and tells `js/index.js` it was reported), in both
/// modules' entries.
#[cfg(target_arch = "wasm32")]
fn install_panic_hook() {
    std::panic::set_hook(Box::new(|info| {
        crate::action::emit_panic(&info.to_string());
        crate::host::mark_panicked();
    }));
}

#[cfg(all(target_arch = "wasm32", not(feature = "cloud")))]
mod entry {
    use std::future::Future;
    use std::task::{Context, Poll, Waker};

    use wasm_bindgen::prelude::*;

    /// Runs the action: the process exit code, or a promise of it when the command waits on
    /// Node (a request, a child process). A command that never waits (`lookup`, `promote`,
    /// `status` on local state) ends in the first poll and returns its code directly, without
    /// the promise executor's queue and microtask hops (about 0.5 ms of a 50 KB lookup; see
    /// BENCHMARKS.md, "Start-up: without octocrab"). `js/index.js` takes either.
    #[wasm_bindgen]
    pub fn run() -> JsValue {
        crate::install_panic_hook();
        let mut main = Box::pin(crate::commands::main());
        // Nothing is woken through this waker: a JavaScript promise awaited inside keeps its
        // result, and the executor below polls again (with its own waker) before anything else.
        match main.as_mut().poll(&mut Context::from_waker(Waker::noop())) {
            Poll::Ready(code) => JsValue::from(code),
            Poll::Pending => {
                wasm_bindgen_futures::future_to_promise(async move { Ok(JsValue::from(main.await)) }).into()
            }
        }
    }
}

/// The exports of the cloud backends' module (`--features cloud`; src/backend/on_demand.rs),
/// which `js/host.js` loads when the action first needs it.
#[cfg(all(target_arch = "wasm32", feature = "cloud"))]
mod cloud_entry {
    use wasm_bindgen::prelude::*;

    fn answer((json, body): (String, Vec<u8>)) -> JsValue {
        let pair = js_sys::Array::new();
        pair.push(&JsValue::from(json));
        pair.push(&js_sys::Uint8Array::from(body.as_slice()));
        pair.into()
    }

    /// Reads the state of `backend` at `location` (its `Location` as JSON): `[answer, bytes]`.
    #[wasm_bindgen]
    pub async fn open(backend: String, location: String) -> JsValue {
        crate::install_panic_hook();
        answer(crate::backend::on_demand::serve("open", &backend, &location).await)
    }

    /// Lists the workspaces of `backend` at `location`: `[answer, empty bytes]`.
    #[wasm_bindgen]
    pub async fn workspaces(backend: String, location: String) -> JsValue {
        crate::install_panic_hook();
        answer(crate::backend::on_demand::serve("workspaces", &backend, &location).await)
    }
}
