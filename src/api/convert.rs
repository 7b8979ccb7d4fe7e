//! Translation between protobuf messages and the domain types of
//! [`crate::text`]. Unknown enum values are refused here, naming the field.

use tonic::Status;

use super::{proto, status::invalid_argument};
use crate::text::{
    align::AlignedSpan,
    keywords::KeywordMethod,
    normalize::NormalizeOptions,
    offsets::{OffsetConverter, OffsetUnit},
    opencc::Profile,
    script::{Script, ScriptReport},
    segment::SegmentMode,
    tag::EntityKind,
};

fn enum_value<E: TryFrom<i32>>(value: i32, field: &str, what: &str) -> Result<E, Status> {
    E::try_from(value).map_err(|_| invalid_argument(field, format!("{value} is not a known {what} value")))
}

/// The offset unit of a request.
pub fn offset_unit(value: i32, field: &str) -> Result<OffsetUnit, Status> {
    use proto::EncodingType as E;
    Ok(match enum_value::<E>(value, field, "EncodingType")? {
        E::Unspecified | E::Utf8 => OffsetUnit::Utf8,
        E::Utf16 => OffsetUnit::Utf16,
        E::Utf32 => OffsetUnit::CodePoint,
    })
}

/// The OpenCC profile of a `Conversion`, `None` for no conversion.
pub fn conversion(value: i32, field: &str) -> Result<Option<Profile>, Status> {
    use proto::Conversion as C;
    Ok(Some(match enum_value::<C>(value, field, "Conversion")? {
        C::Unspecified => return Ok(None),
        C::S2t => Profile::S2t,
        C::T2s => Profile::T2s,
        C::S2tw => Profile::S2tw,
        C::S2twp => Profile::S2twp,
        C::Tw2s => Profile::Tw2s,
        C::Tw2sp => Profile::Tw2sp,
        C::S2hk => Profile::S2hk,
        C::S2hkp => Profile::S2hkp,
        C::Hk2s => Profile::Hk2s,
        C::Hk2sp => Profile::Hk2sp,
        C::T2tw => Profile::T2tw,
        C::Tw2t => Profile::Tw2t,
        C::T2hk => Profile::T2hk,
        C::Hk2t => Profile::Hk2t,
        C::T2jp => Profile::T2jp,
        C::Jp2t => Profile::Jp2t,
    }))
}

/// Normalization options; `field` is the options field's name in the
/// request, for error messages.
pub fn normalize_options(options: Option<proto::NormalizeOptions>, field: &str) -> Result<NormalizeOptions, Status> {
    let Some(o) = options else {
        return Ok(NormalizeOptions::default());
    };
    Ok(NormalizeOptions {
        conversion: conversion(o.conversion, &format!("{field}.conversion"))?,
        strip_pinyin_annotations: o.strip_pinyin_annotations,
        fold_width: o.fold_width,
        collapse_cjk_spaces: o.collapse_cjk_spaces,
        repair_mojibake: o.repair_mojibake,
        remove_invisible: o.remove_invisible,
    })
}

/// The segmentation mode of a request.
pub fn segment_mode(value: i32, field: &str) -> Result<SegmentMode, Status> {
    use proto::SegmentMode as M;
    Ok(match enum_value::<M>(value, field, "SegmentMode")? {
        M::Unspecified | M::Precise => SegmentMode::Precise,
        M::Full => SegmentMode::Full,
        M::Search => SegmentMode::Search,
    })
}

/// The entity kinds a request filters on; `ENTITY_TYPE_UNSPECIFIED` entries
/// are ignored as documented.
pub fn entity_kinds(values: &[i32], field: &str) -> Result<Vec<EntityKind>, Status> {
    use proto::EntityType as T;
    let mut kinds = Vec::new();
    for (i, &value) in values.iter().enumerate() {
        let kind = match enum_value::<T>(value, &format!("{field}[{i}]"), "EntityType")? {
            T::Unspecified => continue,
            T::Person => EntityKind::Person,
            T::Location => EntityKind::Location,
            T::Organization => EntityKind::Organization,
            T::Date => EntityKind::Date,
            T::Time => EntityKind::Time,
            T::Money => EntityKind::Money,
            T::Percent => EntityKind::Percent,
            T::Quantity => EntityKind::Quantity,
            T::PhoneNumber => EntityKind::PhoneNumber,
            T::Email => EntityKind::Email,
            T::Url => EntityKind::Url,
        };
        kinds.push(kind);
    }
    Ok(kinds)
}

/// The proto enum of an entity kind.
pub fn entity_type(kind: EntityKind) -> proto::EntityType {
    use proto::EntityType as T;
    match kind {
        EntityKind::Person => T::Person,
        EntityKind::Location => T::Location,
        EntityKind::Organization => T::Organization,
        EntityKind::Date => T::Date,
        EntityKind::Time => T::Time,
        EntityKind::Money => T::Money,
        EntityKind::Percent => T::Percent,
        EntityKind::Quantity => T::Quantity,
        EntityKind::PhoneNumber => T::PhoneNumber,
        EntityKind::Email => T::Email,
        EntityKind::Url => T::Url,
    }
}

/// An alignment span in the request's unit.
pub fn alignment_span(
    span: &AlignedSpan,
    original: &OffsetConverter<'_>,
    normalized: &OffsetConverter<'_>,
) -> proto::AlignmentSpan {
    let o = original.convert_range(&span.original);
    let n = normalized.convert_range(&span.normalized);
    proto::AlignmentSpan {
        original_begin: o.start,
        original_end: o.end,
        normalized_begin: n.start,
        normalized_end: n.end,
    }
}

/// The script fields of a NormalizeResponse: (detected_script, confidence).
pub fn script(report: &ScriptReport) -> (proto::Script, f32) {
    let script = match report.script {
        Script::Simplified => proto::Script::Simplified,
        Script::Traditional => proto::Script::Traditional,
        Script::Mixed => proto::Script::Mixed,
        Script::Other => proto::Script::Other,
    };
    (script, report.share)
}

/// The keyword ranking method of a request.
pub fn keyword_method(value: i32, field: &str) -> Result<KeywordMethod, Status> {
    use proto::KeywordMethod as M;
    Ok(match enum_value::<M>(value, field, "KeywordMethod")? {
        M::Unspecified | M::Tfidf => KeywordMethod::TfIdf,
        M::Textrank => KeywordMethod::TextRank,
    })
}
