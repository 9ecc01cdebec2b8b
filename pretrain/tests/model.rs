//! The transformer on the CPU backend: shapes, parameter counts, causality, the KV cache and
//! checkpoint round trips of the public API the eval stage uses.

use burn::module::Module;
use burn::tensor::{Int, Tensor, TensorData, Tolerance};
use mekong_pretrain::{CpuBackend, KvCache, Model, ModelConfig};

type B = CpuBackend;

fn tokens(ids: &[i64], batch: usize) -> Tensor<B, 2, Int> {
    let seq = ids.len() / batch;
    Tensor::from_data(
        TensorData::new(ids.to_vec(), [batch, seq]),
        &Default::default(),
    )
}

fn tiny(vocab: usize) -> (ModelConfig, Model<B>) {
    let config = ModelConfig::preset("tiny", vocab).unwrap();
    let model = config.init::<B>(&Default::default()).unwrap();
    (config, model)
}

#[test]
fn logits_have_batch_seq_vocab_shape() {
    let (_, model) = tiny(97);
    let logits = model.forward(tokens(&[1, 2, 3, 4, 5, 6, 7, 8], 2));
    assert_eq!(logits.dims(), [2, 4, 97]);
}

#[test]
fn parameter_counts_match_the_shapes() {
    for name in ["tiny", "mini"] {
        let config = ModelConfig::preset(name, 1000).unwrap();
        let model = config.init::<B>(&Default::default()).unwrap();
        assert_eq!(model.num_params(), config.num_params(), "{name}");
        let untied = ModelConfig {
            tie_embeddings: false,
            ..config.clone()
        };
        let model = untied.init::<B>(&Default::default()).unwrap();
        assert_eq!(model.num_params(), untied.num_params(), "{name} untied");
        assert_eq!(
            untied.num_params() - config.num_params(),
            1000 * config.d_model
        );
    }
    // The largest preset is GPT-2-small sized with a 32k vocabulary.
    let base = ModelConfig::preset("base", 32_000).unwrap();
    assert!((100_000_000..130_000_000).contains(&base.num_params()));
    let names = ModelConfig::preset_names();
    let sizes: Vec<usize> = names
        .iter()
        .map(|n| ModelConfig::preset(n, 32_000).unwrap().num_params())
        .collect();
    assert!(
        sizes.windows(2).all(|w| w[0] < w[1]),
        "presets grow: {sizes:?}"
    );
    assert!(ModelConfig::preset("huge", 10).is_err());
}

#[test]
fn later_tokens_never_change_earlier_logits() {
    let (_, model) = tiny(50);
    let a = model.forward(tokens(&[3, 9, 4, 1, 7, 7, 2, 8], 1));
    let b = model.forward(tokens(&[3, 9, 4, 1, 7, 30, 11, 0], 1));
    let prefix = |t: Tensor<B, 3>| t.narrow(1, 0, 5).into_data();
    prefix(a.clone()).assert_approx_eq::<f32>(&prefix(b.clone()), Tolerance::absolute(1e-6));
    // ...while the changed positions do change.
    let last = |t: Tensor<B, 3>| t.narrow(1, 7, 1).into_data();
    assert_ne!(last(a), last(b));
}

#[test]
fn cached_forward_in_chunks_equals_full_forward() {
    let (_, model) = tiny(50);
    cached_equals_full(&model);
    // Grouped-query attention: the cache keeps the two key/value heads, unrepeated.
    let gqa = ModelConfig {
        n_kv_heads: Some(2),
        ..ModelConfig::preset("tiny", 50).unwrap()
    };
    cached_equals_full(&gqa.init::<B>(&Default::default()).unwrap());
}

fn cached_equals_full(model: &Model<B>) {
    let ids = [5, 1, 44, 2, 9, 13, 0, 7, 31, 8, 12, 6];
    let full = model.forward(tokens(&ids, 1));
    let mut cache = KvCache::new(model);
    let mut parts = Vec::new();
    for chunk in [&ids[..5], &ids[5..6], &ids[6..7], &ids[7..]] {
        parts.push(model.forward_cached(tokens(chunk, 1), &mut cache).unwrap());
    }
    assert_eq!(cache.len(), ids.len());
    let cached = Tensor::cat(parts, 1);
    cached
        .into_data()
        .assert_approx_eq::<f32>(&full.into_data(), Tolerance::absolute(1e-5));
}

#[test]
fn cache_refuses_to_grow_past_max_seq_len() {
    let (config, model) = tiny(20);
    let mut cache = KvCache::new(&model);
    let ids: Vec<i64> = (0..config.max_seq_len as i64).map(|i| i % 20).collect();
    model.forward_cached(tokens(&ids, 1), &mut cache).unwrap();
    let error = model
        .forward_cached(tokens(&[1], 1), &mut cache)
        .unwrap_err();
    assert!(error.to_string().contains("max_seq_len"), "{error}");
}

#[test]
fn invalid_shapes_are_rejected() {
    let mut config = ModelConfig::preset("tiny", 20).unwrap();
    config.n_heads = 3;
    let error = config.init::<B>(&Default::default()).unwrap_err();
    assert!(error.to_string().contains("n_heads"), "{error}");
}
