//! HTTP side: our own accept loop (so that a fault can close a connection without answering),
//! hyper HTTP/1.1 per connection, an axum router for the single endpoint `POST /`.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State as AxState};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::response::Response;
use hyper_util::rt::TokioIo;
use hyper_util::service::TowerToHyperService;
use serde_json::{Map, Value};
use tokio::net::TcpListener;
use tokio::sync::{Notify, oneshot};
use tokio::task::JoinSet;

use super::error::ApiError;
use super::faults::{FaultKind, FaultPlan};
use super::json::{Out, now_ms};
use super::ops::{Op, dispatch};
use super::record::Recorder;
use super::rng::SimRng;
use super::state::State;

/// Largest request body accepted (the biggest real input is far below this).
pub const MAX_BODY_BYTES: usize = 1 << 20;

pub struct Inner {
    pub state: State,
    pub recorder: Recorder,
    pub faults: FaultPlan,
    /// Calls received per operation name (unknown targets under `"?"`), faults included.
    pub calls: HashMap<String, usize>,
}

pub struct Shared {
    inner: Mutex<Inner>,
    latency: Duration,
    request_ids: Mutex<SimRng>,
}

impl Shared {
    pub fn new(inner: Inner, latency: Duration, seed: u64) -> Self {
        Shared {
            inner: Mutex::new(inner),
            latency,
            request_ids: Mutex::new(SimRng::derived(seed ^ now_ms() as u64, "request-ids")),
        }
    }

    /// The state lock; a poisoned lock is taken over (nothing panics while holding it, but the
    /// server must never stop answering because of one).
    pub fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn request_id(&self) -> String {
        let (a, b) = {
            let mut r = self.request_ids.lock().unwrap_or_else(|e| e.into_inner());
            (r.next_u64(), r.next_u64())
        };
        let h = format!("{a:016x}{b:016x}");
        let variant = ["8", "9", "a", "b"][(b >> 62) as usize];
        format!(
            "{}-{}-4{}-{variant}{}-{}",
            &h[0..8],
            &h[8..12],
            &h[13..16],
            &h[17..20],
            &h[20..32]
        )
    }
}

/// Per-connection control: a handler notifies `kill` to have the connection closed unanswered.
#[derive(Clone)]
struct ConnCtl {
    kill: Arc<Notify>,
}

fn respond(shared: &Shared, status: u16, body: &Out) -> Response {
    let mut resp = Response::new(Body::from(body.to_json()));
    *resp.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_REQUEST);
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/x-amz-json-1.1"),
    );
    if let Ok(v) = HeaderValue::from_str(&shared.request_id()) {
        h.insert("x-amzn-RequestId", v);
    }
    resp
}

fn error_response(shared: &Shared, e: &ApiError) -> Response {
    respond(shared, e.status, &e.body(now_ms()))
}

/// Close the connection without an answer (the future never completes; the connection task
/// drops it together with the connection).
async fn drop_connection(ctl: Option<ConnCtl>) -> Response {
    if let Some(ctl) = ctl {
        ctl.kill.notify_one();
    }
    std::future::pending::<Response>().await
}

fn parse_body(bytes: &[u8]) -> Result<Map<String, Value>, ApiError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        // An empty body is read as `{}` (no SDK sends one; curl users might).
        return Ok(Map::new());
    }
    match serde_json::from_slice::<Value>(bytes) {
        Ok(Value::Object(m)) => Ok(m),
        Ok(_) => Err(ApiError::invalid("The request body must be a JSON object.")),
        Err(e) => Err(ApiError::invalid(format!(
            "The request body is not valid JSON: {e}."
        ))),
    }
}

async fn handle(AxState(shared): AxState<Arc<Shared>>, req: Request) -> Response {
    let ctl = req.extensions().get::<ConnCtl>().cloned();
    let is_post = req.method() == Method::POST;
    let target = req
        .headers()
        .get("x-amz-target")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    if !shared.latency.is_zero() {
        tokio::time::sleep(shared.latency).await;
    }
    // Authentication comes first, as at AWS: a wrong region, service or clock is refused
    // whatever the operation.
    let signed = {
        let header = |name: &str| req.headers().get(name).and_then(|v| v.to_str().ok());
        super::sigv4::check(header("authorization"), header("x-amz-date"), now_ms())
    };
    if let Err(e) = signed {
        *shared.lock().calls.entry("?".into()).or_default() += 1;
        return error_response(&shared, &e);
    }
    let op = if is_post {
        target.as_deref().and_then(Op::from_target)
    } else {
        None
    };
    let Some(op) = op else {
        *shared.lock().calls.entry("?".into()).or_default() += 1;
        let msg = match (&target, is_post) {
            (_, false) => "Only POST / is served.".to_string(),
            (None, _) => "Missing the X-Amz-Target header.".to_string(),
            (Some(t), _) => {
                let shown: String = t.chars().take(120).collect();
                format!("Unknown operation {shown:?}.")
            }
        };
        return error_response(&shared, &ApiError::unknown_operation(msg));
    };
    let fault = {
        let mut inner = shared.lock();
        *inner.calls.entry(op.name().into()).or_default() += 1;
        inner.faults.next_fault(op)
    };
    match fault {
        Some(FaultKind::ServiceFault) => {
            return error_response(&shared, &ApiError::service_fault());
        }
        Some(FaultKind::Throttling) => return error_response(&shared, &ApiError::throttling()),
        Some(FaultKind::DropBeforeApply) => return drop_connection(ctl).await,
        Some(FaultKind::DropAfterApply) | None => {}
    }
    let result = match axum::body::to_bytes(req.into_body(), MAX_BODY_BYTES).await {
        Err(_) => Err(ApiError::invalid(format!(
            "The request body could not be read or is larger than {MAX_BODY_BYTES} bytes."
        ))),
        Ok(bytes) => parse_body(&bytes).and_then(|body| {
            let now = now_ms();
            let mut inner = shared.lock();
            let Inner {
                state, recorder, ..
            } = &mut *inner;
            dispatch(op, &body, state, recorder, now)
        }),
    };
    if fault == Some(FaultKind::DropAfterApply) {
        return drop_connection(ctl).await;
    }
    match result {
        Ok(out) => respond(&shared, 200, &out),
        Err(e) => error_response(&shared, &e),
    }
}

pub fn router(shared: Arc<Shared>) -> Router {
    // One endpoint: every method and path reaches `handle`, which answers POST only.
    Router::new().fallback(handle).with_state(shared)
}

/// Accept connections until `shutdown` fires; then close every open connection. A dropped
/// sender (a dropped `SimHandle`) does not stop the server: it runs as long as the runtime.
pub async fn serve(listener: TcpListener, router: Router, mut shutdown: oneshot::Receiver<()>) {
    let mut conns = JoinSet::new();
    let mut can_stop = true;
    loop {
        tokio::select! {
            stop = &mut shutdown, if can_stop => {
                if stop.is_ok() {
                    break;
                }
                can_stop = false;
            }
            accepted = listener.accept() => {
                let stream = match accepted {
                    Ok((stream, _)) => stream,
                    Err(e) => {
                        tracing::warn!("sim: accept failed: {e}");
                        tokio::time::sleep(Duration::from_millis(20)).await;
                        continue;
                    }
                };
                let _ = stream.set_nodelay(true);
                let router = router.clone();
                conns.spawn(async move {
                    let kill = Arc::new(Notify::new());
                    let ctl = ConnCtl { kill: kill.clone() };
                    let svc = TowerToHyperService::new(router);
                    let svc = hyper::service::service_fn(move |mut req: hyper::Request<hyper::body::Incoming>| {
                        req.extensions_mut().insert(ctl.clone());
                        hyper::service::Service::call(&svc, req)
                    });
                    let conn = hyper::server::conn::http1::Builder::new()
                        .keep_alive(true)
                        .serve_connection(TokioIo::new(stream), svc);
                    tokio::select! {
                        _ = conn => {}
                        _ = kill.notified() => {}
                    }
                });
            }
            Some(_) = conns.join_next(), if !conns.is_empty() => {}
        }
    }
    conns.abort_all();
    while conns.join_next().await.is_some() {}
}
