//! A lock a backend shows on a state: Terraform holds one while it plans or applies, so a
//! state read under it may be about to change. Backends that store Terraform's `LockInfo`
//! (the Kubernetes Lease's `app.terraform.io/lock-info` annotation, S3/GCS `.tflock` objects, an
//! Azure blob's metadata) fill in who, what and since when; others (a PostgreSQL advisory lock)
//! know only that it is held, and by which session.

use std::fmt;

use serde::Deserialize;

/// A held lock, with what the backend knows of it.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, Deserialize)]
pub struct Lock {
    /// `LockInfo.Who` (`user@host`), or what else names the holder (a database session).
    pub who: Option<String>,
    /// `LockInfo.Operation`: `OperationTypeApply`, `OperationTypePlan`, `init`, ….
    pub operation: Option<String>,
    /// `LockInfo.Created`: RFC 3339, UTC.
    pub created: Option<String>,
    /// `LockInfo.ID`: what `terraform force-unlock` takes.
    pub id: Option<String>,
}

/// Terraform's `LockInfo` as stored (`internal/states/statemgr/locker.go`); every field optional,
/// since what a backend stores is someone else's data.
#[derive(Deserialize)]
struct LockInfo {
    #[serde(rename = "ID")]
    id: Option<String>,
    #[serde(rename = "Operation")]
    operation: Option<String>,
    #[serde(rename = "Who")]
    who: Option<String>,
    #[serde(rename = "Created")]
    created: Option<String>,
}

impl Lock {
    /// A lock from Terraform's `LockInfo` JSON; `None` when the text is not one (the lock is
    /// then still held: the caller says so with what it knows).
    pub fn from_lock_info(json: &str) -> Option<Lock> {
        let info: LockInfo = serde_json::from_str(json).ok()?;
        let clean = |s: Option<String>| s.filter(|s| !s.is_empty()).map(|s| crate::text::name(&s));
        Some(Lock {
            who: clean(info.who),
            operation: clean(info.operation),
            created: clean(info.created),
            id: clean(info.id),
        })
    }

    /// The operation as a person says it: `apply`, `plan`, `init`.
    fn operation_word(&self) -> Option<String> {
        let op = self.operation.as_deref()?;
        Some(op.strip_prefix("OperationType").map(str::to_lowercase).unwrap_or_else(|| op.to_string()))
    }
}

/// `locked by root@vm for apply since 2026-11-29T05:42:19Z` — each part only when known.
impl fmt::Display for Lock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("locked")?;
        if let Some(who) = &self.who {
            write!(f, " by {who}")?;
        }
        if let Some(op) = self.operation_word() {
            write!(f, " for {op}")?;
        }
        if let Some(created) = &self.created {
            write!(f, " since {created}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terraform_lock_info_says_who_what_and_since_when() {
        let json = r#"{"ID":"7e4113c1-d864-f938-1b97-fe0ac47ee033","Operation":"OperationTypeApply","Info":"","Who":"root@vm","Version":"1.11.4","Created":"2026-11-29T05:42:19.510022006Z","Path":""}"#;
        let lock = Lock::from_lock_info(json).unwrap();
        assert_eq!(lock.to_string(), "locked by root@vm for apply since 2026-11-29T05:42:19.510022006Z");
        assert_eq!(lock.id.as_deref(), Some("7e4113c1-d864-f938-1b97-fe0ac47ee033"));
    }

    #[test]
    fn what_a_backend_does_not_know_is_left_out_and_hostile_text_is_escaped() {
        assert_eq!(Lock::default().to_string(), "locked");
        let lock = Lock::from_lock_info(r#"{"Who":"evil\n::error::x","Operation":"init"}"#).unwrap();
        assert_eq!(lock.to_string(), "locked by \"evil\\n::error::x\" for init");
        assert_eq!(Lock::from_lock_info("not json"), None);
    }
}
