//! Validation during training: the loss and bits per byte of the fixed validation windows.

use super::log::Validation;
use super::split_window;
use crate::data::Stream;
use crate::model::Model;
use burn::tensor::backend::Backend;
use std::collections::BTreeMap;

/// Loss and bits per byte on the fixed validation windows, per language and overall.
pub(super) fn validate<B: Backend>(
    model: &Model<B>,
    windows: &[(usize, Vec<i64>)],
    streams: &[Stream],
    batch_size: usize,
    device: &B::Device,
) -> Validation {
    let seq_len = windows[0].1.len() - 1;
    // Per stream: nats summed, tokens scored.
    let mut nats = vec![0.0f64; streams.len()];
    let mut scored = vec![0u64; streams.len()];
    for chunk in windows.chunks(batch_size) {
        let ids: Vec<i64> = chunk.iter().flat_map(|(_, w)| w.iter().copied()).collect();
        let (inputs, targets) = split_window::<B>(ids, chunk.len(), seq_len, device);
        let log_probs = burn::tensor::activation::log_softmax(model.forward(inputs), 2);
        let picked = log_probs
            .gather(2, targets.unsqueeze_dim::<3>(2))
            .sum_dim(1)
            .reshape([chunk.len()]);
        let sums = picked
            .into_data()
            .convert::<f64>()
            .to_vec::<f64>()
            .expect("f64");
        for ((stream, _), sum) in chunk.iter().zip(sums) {
            nats[*stream] -= sum;
            scored[*stream] += seq_len as u64;
        }
    }
    let ln2 = std::f64::consts::LN_2;
    let mut languages = BTreeMap::new();
    let (mut total_nats, mut total_tokens, mut total_bytes) = (0.0, 0u64, 0.0);
    for (i, stream) in streams.iter().enumerate() {
        if scored[i] == 0 {
            continue;
        }
        let bytes_per_token = stream.counts.bytes as f64 / stream.counts.tokens.max(1) as f64;
        let bytes = scored[i] as f64 * bytes_per_token;
        languages.insert(
            stream.lang.clone(),
            (nats[i] / scored[i] as f64, nats[i] / ln2 / bytes),
        );
        total_nats += nats[i];
        total_tokens += scored[i];
        total_bytes += bytes;
    }
    Validation {
        loss: total_nats / total_tokens.max(1) as f64,
        bits_per_byte: total_nats / ln2 / total_bytes.max(1e-9),
        languages,
    }
}
