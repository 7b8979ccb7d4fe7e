//! Text processing, independent of gRPC: the pipeline and its stages.

pub mod align;
pub mod cancel;
pub mod char_hmm;
pub mod dictionary;
pub mod keywords;
pub mod lexicon;
pub mod normalize;
pub mod offsets;
pub mod opencc;
pub mod pipeline;
pub mod repair;
pub mod script;
pub mod segment;
pub mod tag;
pub mod word_tags;
