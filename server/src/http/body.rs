//! Request bodies admitted by size: every route takes the small limit except the upload routes,
//! which the router gives the upload limit ([`BodyLimit`] layers); a declared `Content-Length`
//! over the limit is refused before a byte is read, and a body growing past it as soon as it
//! does (413 naming `body`). Handlers get the body unread ([`UnreadBody`]), so an upload route
//! takes its queue place first and reads after.

use axum::body::{Body, Bytes};
use axum::extract::{FromRequest, Request};
use axum::http::header;
use futures_util::StreamExt;
use serde_json::Value;

use crate::{ApiError, Platform};

/// The largest body of the routes below the layer that sets it (the innermost layer wins).
#[derive(Debug, Clone, Copy)]
pub(super) struct BodyLimit(pub usize);

/// Used when no layer set a limit: the default small limit.
const FALLBACK_LIMIT: usize = 64 * 1024;

/// A request body not read yet, with the limit of its route.
pub(super) struct UnreadBody {
    body: Body,
    limit: usize,
}

impl<S: Send + Sync> FromRequest<S> for UnreadBody {
    type Rejection = ApiError;

    async fn from_request(req: Request, _: &S) -> Result<Self, ApiError> {
        let limit = req
            .extensions()
            .get::<BodyLimit>()
            .map_or(FALLBACK_LIMIT, |l| l.0);
        let declared = req
            .headers()
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok());
        if declared.is_some_and(|n| n > limit as u64) {
            return Err(ApiError::BodyTooLarge { limit_bytes: limit });
        }
        Ok(Self {
            body: req.into_body(),
            limit,
        })
    }
}

impl UnreadBody {
    /// The whole body, refused as soon as it outgrows the limit or stops arriving.
    pub(super) async fn bytes(self, p: &Platform) -> Result<Bytes, ApiError> {
        let mut stream = self.body.into_data_stream();
        let mut buf = Vec::new();
        while let Some(chunk) = stream.next().await {
            let chunk = chunk.map_err(|e| {
                if super::timed_out(&e) {
                    ApiError::BodyTimeout {
                        seconds: p.config.connections.body_read_timeout.as_secs().max(1),
                    }
                } else {
                    ApiError::BadBody {
                        reason: e.to_string(),
                    }
                }
            })?;
            if buf.len() + chunk.len() > self.limit {
                return Err(ApiError::BodyTooLarge {
                    limit_bytes: self.limit,
                });
            }
            buf.extend_from_slice(&chunk);
        }
        Ok(Bytes::from(buf))
    }

    /// The body as a JSON parameter object (empty: all defaults); for small-limit routes, where
    /// parsing on the async worker costs nothing worth moving.
    pub(super) async fn json(self, p: &Platform) -> Result<Value, ApiError> {
        crate::parse_params(&self.bytes(p).await?)
    }
}
