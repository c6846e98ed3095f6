//! Writing collection pages straight into one buffer: envelope by hand, items via serde.

use axum::body::Body;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;
use serde::Serialize;

pub const ODATA_JSON: &str = "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8";

pub struct PageWriter {
    buf: Vec<u8>,
    items: usize,
}

impl PageWriter {
    /// Starts `{"@odata.context":…,[link key:link,]"value":[`.
    #[must_use]
    pub fn new(capacity: usize, context: &str, link: Option<(&str, &str)>) -> Self {
        let mut buf = Vec::with_capacity(capacity);
        buf.extend_from_slice(b"{\"@odata.context\":");
        write_json(&mut buf, context);
        if let Some((key, url)) = link {
            buf.push(b',');
            write_json(&mut buf, key);
            buf.push(b':');
            write_json(&mut buf, url);
        }
        buf.extend_from_slice(b",\"value\":[");
        PageWriter { buf, items: 0 }
    }

    pub fn item<T: Serialize>(&mut self, item: &T) {
        if self.items > 0 {
            self.buf.push(b',');
        }
        self.items += 1;
        write_json(&mut self.buf, item);
    }

    /// Closes the array; `trailing_link` is for delta's `@odata.deltaLink`, which Graph
    /// places after `value`.
    #[must_use]
    pub fn finish(mut self, trailing_link: Option<(&str, &str)>) -> Response {
        self.buf.push(b']');
        if let Some((key, url)) = trailing_link {
            self.buf.push(b',');
            write_json(&mut self.buf, key);
            self.buf.push(b':');
            write_json(&mut self.buf, url);
        }
        self.buf.push(b'}');
        json_response(StatusCode::OK, self.buf)
    }
}

fn write_json<T: Serialize + ?Sized>(buf: &mut Vec<u8>, value: &T) {
    // Serializing our own types into a Vec cannot fail (no maps with non-string keys).
    if let Err(e) = serde_json::to_writer(&mut *buf, value) {
        tracing::error!(error = %e, "emulator failed to serialize a Graph item");
    }
}

#[must_use]
pub fn json_response(status: StatusCode, body: Vec<u8>) -> Response {
    let mut resp = Response::new(Body::from(body));
    *resp.status_mut() = status;
    resp.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(ODATA_JSON));
    resp
}
