//! The backends whose reads live in a second WebAssembly module, loaded on demand.
//!
//! The object stores and HCP Terraform need what no other backend does: request signing, token
//! exchanges, XML. A run that reads a local file or a Kubernetes Secret should not load that
//! code, so the build makes two modules of this crate (scripts/build.sh): the action
//! (`dist/stage_action_bg.wasm`), in which these backends are chosen, configured and masked as
//! every other, and `dist/cloud_bg.wasm` (built with the `cloud` feature), which only reads
//! them. When a stage's location is one of them, the action hands the location, as JSON, to
//! `js/host.js`, which loads the second module the first time it is needed and calls its
//! `open` or `workspaces` (`serve`, built with the `cloud` feature); the answer comes back as JSON, with the state's bytes
//! beside it.
//!
//! Natively (the tests) and inside the second module, the dispatch calls the backend directly:
//! the same functions run, only not across the seam. The crossing itself is pure ([`encode`],
//! [`decode`]) and tested natively. The location crosses with its credentials in it: inside
//! one process, from one module's memory to the other's, never printed or written anywhere.

use serde::{Deserialize, Serialize};

use super::workspace::Workspace;
use super::{Lock, NoState, Opened, Snapshot};
use crate::error::{Error, Result};

/// A failure inside the module, as the action shows it: the title, message and place the
/// module's own [`Error`] gave it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Failed {
    /// The annotation's title (`backend error`, …).
    pub title: String,
    /// The whole message.
    pub message: String,
    /// The file and line it points at, when it has one.
    pub location: Option<(String, Option<usize>)>,
}

/// What crosses back, besides the state's bytes.
#[derive(Debug, Serialize, Deserialize)]
enum Answer {
    State {
        size: Option<u64>,
        name: String,
        workspace: Option<String>,
        modified_ms: Option<f64>,
        lock: Option<Lock>,
        warnings: Vec<String>,
    },
    NoStateYet {
        backend: String,
        place: String,
        looked_for: String,
        workspace: Option<Workspace>,
        existing: Vec<String>,
    },
    Workspaces(Vec<String>),
    Failed(Failed),
}

/// What an `open` or `workspaces` gave, for the crossing: the answer as JSON, and the state's
/// bytes (empty but for a state).
pub fn encode(result: Result<Reply>) -> (String, Vec<u8>) {
    let (answer, body) = match result {
        Ok(Reply::Opened(Opened::State(mut snapshot))) => {
            let mut body = Vec::new();
            match snapshot.body.read_to_end(&mut body) {
                Ok(_) => (
                    Answer::State {
                        size: snapshot.size,
                        name: snapshot.name,
                        workspace: snapshot.workspace,
                        modified_ms: snapshot.modified_ms,
                        lock: snapshot.lock,
                        warnings: snapshot.warnings,
                    },
                    body,
                ),
                Err(e) => (failed(&Error::Internal(format!("reading {}: {e}", snapshot.name))), Vec::new()),
            }
        }
        Ok(Reply::Opened(Opened::NoStateYet(none))) => (
            Answer::NoStateYet {
                backend: none.backend.to_string(),
                place: none.place,
                looked_for: none.looked_for,
                workspace: none.workspace,
                existing: none.existing,
            },
            Vec::new(),
        ),
        Ok(Reply::Workspaces(names)) => (Answer::Workspaces(names), Vec::new()),
        Err(e) => (failed(&e), Vec::new()),
    };
    // An answer of strings, numbers and options always serializes.
    (serde_json::to_string(&answer).unwrap_or_default(), body)
}

/// What a backend's `open` or `workspaces` gave inside the module.
pub enum Reply {
    /// `open`'s answer.
    Opened(Opened),
    /// `workspaces`' answer.
    Workspaces(Vec<String>),
}

fn failed(e: &Error) -> Answer {
    Answer::Failed(Failed { title: e.title().to_string(), message: e.to_string(), location: e.location() })
}

/// The module's answer back as the backend's own would have been; `backend` names the backend
/// asked (a "no state yet" names it as Terraform does).
pub fn decode(json: &str, body: Vec<u8>) -> Result<Reply> {
    let answer: Answer = serde_json::from_str(json).map_err(|e| {
        Error::Internal(format!("the cloud backends' module answered what the action cannot read: {e}"))
    })?;
    match answer {
        Answer::State { size, name, workspace, modified_ms, lock, warnings } => {
            Ok(Reply::Opened(Opened::State(Snapshot {
                body: Box::new(std::io::Cursor::new(body)),
                size,
                name,
                workspace,
                modified_ms,
                lock,
                warnings,
            })))
        }
        Answer::NoStateYet { backend, place, looked_for, workspace, existing } => {
            let backend = super::specs().into_iter().map(|s| s.name).find(|n| *n == backend).ok_or_else(|| {
                Error::Internal(format!("the cloud backends' module named an unknown backend {backend:?}"))
            })?;
            Ok(Reply::Opened(Opened::NoStateYet(NoState { backend, place, looked_for, workspace, existing })))
        }
        Answer::Workspaces(names) => Ok(Reply::Workspaces(names)),
        Answer::Failed(f) => Err(super::Error::OnDemand(Box::new(f)).into()),
    }
}

/// Inside the module: runs `op` (`open` or `workspaces`) for the backend named `backend` at
/// `location` (its `Location` as JSON), and encodes what it gave.
#[cfg(any(feature = "cloud", test))]
pub async fn serve(op: &str, backend: &str, location: &str) -> (String, Vec<u8>) {
    encode(super::serve_named(op, backend, location).await)
}

/// In the action: asks the module to run `op` for `backend` at `location`.
#[cfg(all(target_arch = "wasm32", not(feature = "cloud")))]
pub async fn cross<L: Serialize>(op: &str, backend: &'static str, location: &L) -> Result<Reply> {
    let json = serde_json::to_string(location).map_err(|e| Error::Internal(format!("the {backend} location: {e}")))?;
    let (answer, body) = crate::host::on_demand(op, backend, &json).await.map_err(|e| {
        Error::Internal(format!("cannot run the cloud backends' module (dist/cloud.js) for the {backend} backend: {e}"))
    })?;
    decode(&answer, body)
}

/// `open` across the seam.
#[cfg(all(target_arch = "wasm32", not(feature = "cloud")))]
pub async fn open<L: Serialize>(backend: &'static str, location: &L) -> Result<Opened> {
    match cross("open", backend, location).await? {
        Reply::Opened(opened) => Ok(opened),
        Reply::Workspaces(_) => {
            Err(Error::Internal("the cloud backends' module answered `open` with workspaces".into()))
        }
    }
}

/// `workspaces` across the seam.
#[cfg(all(target_arch = "wasm32", not(feature = "cloud")))]
pub async fn workspaces<L: Serialize>(backend: &'static str, location: &L) -> Result<Vec<String>> {
    match cross("workspaces", backend, location).await? {
        Reply::Workspaces(names) => Ok(names),
        Reply::Opened(_) => {
            Err(Error::Internal("the cloud backends' module answered `workspaces` with a state".into()))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::workspace::Selected;

    fn across(result: Result<Reply>) -> Result<Reply> {
        let (json, body) = encode(result);
        decode(&json, body)
    }

    #[test]
    fn a_state_crosses_with_its_bytes_lock_and_warnings() {
        let lock = Lock {
            who: Some("ci@runner".into()),
            operation: Some("OperationTypeApply".into()),
            created: None,
            id: Some("7".into()),
        };
        let snapshot = Snapshot {
            body: Box::new(std::io::Cursor::new(b"{\"version\":4}".to_vec())),
            size: Some(13),
            name: "s3 object s3://tfstate/app.tfstate".into(),
            workspace: Some("blue".into()),
            modified_ms: Some(1.5e12),
            lock: Some(lock.clone()),
            warnings: vec!["the lock could not be read".into()],
        };
        let Ok(Reply::Opened(Opened::State(mut back))) = across(Ok(Reply::Opened(Opened::State(snapshot)))) else {
            panic!("not a state")
        };
        let mut bytes = String::new();
        back.body.read_to_string(&mut bytes).unwrap();
        assert_eq!(bytes, "{\"version\":4}");
        assert_eq!(
            (back.size, back.name.as_str(), back.workspace.as_deref(), back.modified_ms, back.lock, back.warnings),
            (
                Some(13),
                "s3 object s3://tfstate/app.tfstate",
                Some("blue"),
                Some(1.5e12),
                Some(lock),
                vec!["the lock could not be read".to_string()]
            )
        );
    }

    #[test]
    fn no_state_yet_crosses_naming_the_backend_as_the_list_spells_it() {
        let none = NoState {
            backend: super::super::http::NAME,
            place: "https://state.example/app".into(),
            looked_for: "the state at https://state.example/app".into(),
            workspace: Some(Workspace { name: "default".into(), selected: Selected::Default }),
            existing: vec![],
        };
        let Ok(Reply::Opened(Opened::NoStateYet(back))) = across(Ok(Reply::Opened(Opened::NoStateYet(none.clone()))))
        else {
            panic!("not 'no state yet'")
        };
        assert_eq!(back, none);
        // A name no backend of the list has is refused, not taken.
        let forged = r#"{"NoStateYet":{"backend":"nope","place":"","looked_for":"","workspace":null,"existing":[]}}"#;
        assert!(decode(forged, Vec::new()).err().unwrap().to_string().contains("unknown backend \"nope\""));
    }

    #[test]
    fn an_error_crosses_with_the_title_message_and_place_the_module_gave_it() {
        let inner = Error::Internal("the signer broke".into());
        let (title, message) = (inner.title().to_string(), inner.to_string());
        let back = across(Err(inner)).err().unwrap();
        assert_eq!((back.title(), back.to_string()), (title.as_str(), message));
        assert_eq!(back.location(), None);
        let placed = Failed {
            title: "backend error".into(),
            message: "m".into(),
            location: Some(("infra/main.tf".into(), Some(3))),
        };
        let json = serde_json::to_string(&Answer::Failed(placed)).unwrap();
        let e = decode(&json, Vec::new()).err().unwrap();
        assert_eq!((e.title(), e.location()), ("backend error", Some(("infra/main.tf".to_string(), Some(3)))));
    }

    #[test]
    fn workspaces_cross_in_order() {
        let Ok(Reply::Workspaces(names)) = across(Ok(Reply::Workspaces(vec!["default".into(), "blue".into()]))) else {
            panic!("not workspaces")
        };
        assert_eq!(names, ["default", "blue"]);
    }

    #[test]
    fn an_answer_the_action_cannot_read_is_an_internal_error() {
        let e = decode("{\"State\":", Vec::new()).err().unwrap();
        assert_eq!(e.title(), "internal error");
    }

    #[test]
    fn the_module_refuses_a_backend_it_does_not_read() {
        let (json, _) = crate::backend::tests::now(serve("open", "local", "{}"));
        let e = decode(&json, Vec::new()).err().unwrap();
        assert!(e.to_string().contains("does not read the local backend"), "{e}");
    }
}
