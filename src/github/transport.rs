//! The tower `Service` octocrab sends its requests through: the host's HTTP function.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::Bytes;
use http::{Request, Response};
use http_body_util::{BodyExt, Full};
use octocrab::OctoBody;

use crate::host::{self, HttpRequest};

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// Sends each request with [`host::http`], each bounded by `timeout_ms`.
#[derive(Clone, Copy, Debug)]
pub struct HostTransport {
    /// How long one request, body included, may take.
    pub timeout_ms: u64,
}

impl tower::Service<Request<OctoBody>> for HostTransport {
    type Response = Response<Full<Bytes>>;
    type Error = BoxError;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, Self::Error>> + Send>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: Request<OctoBody>) -> Self::Future {
        let timeout_ms = self.timeout_ms;
        let future = async move {
            let (parts, body) = request.into_parts();
            let body = body.collect().await?.to_bytes().to_vec();
            let headers = parts
                .headers
                .iter()
                .filter_map(|(k, v)| Some((k.as_str().to_string(), v.to_str().ok()?.to_string())))
                .collect();
            let request =
                HttpRequest { method: parts.method.to_string(), url: parts.uri.to_string(), headers, body, timeout_ms };
            let reply = host::http(request).await?;
            let mut response = Response::builder().status(reply.status);
            for (name, value) in &reply.headers {
                response = response.header(name, value);
            }
            Ok(response.body(Full::new(Bytes::from(reply.body)))?)
        };
        // octocrab wants Send futures; a JavaScript promise is not Send. wasm32 has one thread,
        // so the future is never polled elsewhere and the wrapper's check never fires.
        Box::pin(send_wrapper::SendWrapper::new(future))
    }
}

/// The innermost message of an octocrab error: the host's, not octocrab's wrapping.
pub fn describe(e: &octocrab::Error) -> String {
    let mut source: Option<&dyn std::error::Error> = Some(e);
    let mut last = e.to_string();
    while let Some(s) = source {
        last = s.to_string();
        source = s.source();
    }
    last
}
