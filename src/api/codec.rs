//! The protobuf codec of the service: prost's, except that a request that
//! cannot be decoded (most often text that is not valid UTF-8) is the
//! caller's mistake and so gets `INVALID_ARGUMENT` naming the field, where
//! prost's codec answers `INTERNAL`. Responses are encoded into a buffer
//! reserved at their exact size, not grown by doubling (a large Segment
//! response would otherwise be copied about twice over while encoding).

use std::marker::PhantomData;

use prost::Message;
use tonic::{
    Code, Status,
    codec::{BufferSettings, Codec, DecodeBuf, Decoder, EncodeBuf, Encoder},
};
use tonic_types::{ErrorDetails, StatusExt};

/// prost encoding with caller-facing decode errors.
#[derive(Debug, Clone)]
pub struct ValidatingCodec<T, U> {
    _pd: PhantomData<(T, U)>,
}

impl<T, U> Default for ValidatingCodec<T, U> {
    fn default() -> Self {
        ValidatingCodec { _pd: PhantomData }
    }
}

impl<T, U> Codec for ValidatingCodec<T, U>
where
    T: Message + Send + 'static,
    U: Message + Default + Send + 'static,
{
    type Encode = T;
    type Decode = U;
    type Encoder = ReservingEncoder<T>;
    type Decoder = ValidatingDecoder<U>;

    fn encoder(&mut self) -> Self::Encoder {
        ReservingEncoder(PhantomData)
    }

    fn decoder(&mut self) -> Self::Decoder {
        ValidatingDecoder(PhantomData)
    }
}

/// Encodes a prost message into room reserved for its encoded length.
#[derive(Debug)]
pub struct ReservingEncoder<T>(PhantomData<T>);

impl<T: Message> Encoder for ReservingEncoder<T> {
    type Item = T;
    type Error = Status;

    fn encode(&mut self, item: T, buf: &mut EncodeBuf<'_>) -> Result<(), Status> {
        buf.reserve(item.encoded_len());
        // `encode` would check the room (computing the length again); the
        // buffer grows on demand, so there is always room.
        item.encode_raw(buf);
        Ok(())
    }

    fn buffer_settings(&self) -> BufferSettings {
        BufferSettings::default()
    }
}

/// Decodes a prost message, mapping failures to `INVALID_ARGUMENT`.
#[derive(Debug)]
pub struct ValidatingDecoder<U>(PhantomData<U>);

impl<U: Message + Default> Decoder for ValidatingDecoder<U> {
    type Item = U;
    type Error = Status;

    fn decode(&mut self, buf: &mut DecodeBuf<'_>) -> Result<Option<U>, Status> {
        U::decode(buf).map(Some).map_err(|e| decode_error_status(&e))
    }

    fn buffer_settings(&self) -> BufferSettings {
        BufferSettings::default()
    }
}

/// Builds the status for a decode error. prost renders the error as
/// `failed to decode Protobuf message: Msg.field: [Outer.field: ]reason`,
/// innermost field first; the field path of the violation is read from it.
pub fn decode_error_status(error: &prost::DecodeError) -> Status {
    let rendered = error.to_string();
    let detail = rendered
        .strip_prefix("failed to decode Protobuf message: ")
        .unwrap_or(&rendered);
    let mut fields = Vec::new();
    let mut reason = detail;
    while let Some((head, rest)) = reason.split_once(": ") {
        match head.split_once('.') {
            Some((message, field))
                if !message.is_empty()
                    && message.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
                    && field.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') =>
            {
                fields.push(field);
                reason = rest;
            }
            _ => break,
        }
    }
    fields.reverse();
    let field = fields.join(".");
    let message = if field.is_empty() {
        format!("malformed request: {reason}")
    } else {
        format!("malformed request field `{field}`: {reason}")
    };
    Status::with_error_details(
        Code::InvalidArgument,
        message,
        ErrorDetails::with_bad_request_violation(field, reason.to_owned()),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::proto::{NormalizeRequest, SegmentRequest};

    #[test]
    fn invalid_utf8_names_the_field() {
        // Field 1 (text), length-delimited, bytes that are not UTF-8.
        let bytes = [0x0a, 0x02, 0xff, 0xfe];
        let error = NormalizeRequest::decode(&bytes[..]).unwrap_err();
        let status = decode_error_status(&error);
        assert_eq!(status.code(), Code::InvalidArgument);
        let details = status.get_error_details();
        let violation = &details.bad_request().expect("bad request").field_violations[0];
        assert_eq!(violation.field, "text");
        assert!(status.message().contains("`text`"), "{}", status.message());
    }

    #[test]
    fn truncated_message_is_invalid_argument() {
        let error = SegmentRequest::decode(&[0x0a, 0x05, b'a'][..]).unwrap_err();
        assert_eq!(decode_error_status(&error).code(), Code::InvalidArgument);
    }
}
