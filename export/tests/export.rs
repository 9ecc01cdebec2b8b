//! The export stage end to end on a model trained for a few steps: the folder transformers
//! reads (names, shapes, dtypes, configs, card), the way back through `--init-from` with
//! identical logits, and bad input refused with nothing written.

use burn::tensor::{Int, Tensor, TensorData, Tolerance};
use mekong_common::corpus_shards::{Cell, ShardWriter, Table};
use mekong_export::{ExportConfig, ExportError};
use mekong_pretrain::hf::{load_hf_model, ExportDtype};
use mekong_pretrain::stage::{run_stage, StageParameters, TOKENS_DIR};
use mekong_pretrain::{
    load_checkpoint, train, CpuBackend, DeviceKind, Model, TrainConfig, TrainOptions,
};
use mekong_tokenizer::train::{Algorithm, TrainOptions as TokenizerOptions};
use safetensors::{Dtype, SafeTensors};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

const VI: [&str; 4] = [
    "Nước Việt Nam nằm ở phía đông bán đảo Đông Dương.",
    "Người dân ở đồng bằng sông Cửu Long trồng lúa và nuôi cá.",
    "Thành phố Huế từng là kinh đô của triều Nguyễn.",
    "Chợ nổi Cái Răng họp từ sáng sớm trên sông.",
];
const EN: [&str; 4] = [
    "Vietnam lies on the eastern side of the Indochinese peninsula.",
    "People in the Mekong Delta grow rice and raise fish.",
    "The city of Hue was once the capital of the Nguyen dynasty.",
    "The Cai Rang floating market opens early in the morning on the river.",
];

/// A corpus (written by the corpus stage's own writer), a Mekong tokenizer trained on it, and a
/// `tiny` model trained on it for a few steps by the pretrain stage. Built once per test binary.
struct Fixture {
    dir: tempfile::TempDir,
    tokenizer: PathBuf,
    model: PathBuf,
}

fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let corpus = dir.path().join("corpus");
        let mut writer = ShardWriter::new(&corpus, Table::Monolingual, 1000, 0);
        for i in 0..40 {
            for (lang, lines) in [("vi", VI), ("en", EN)] {
                let text = lines[i % lines.len()];
                writer
                    .push(&[Cell::Str("fixture"), Cell::Str(lang), Cell::Str(text)])
                    .unwrap();
            }
        }
        writer.finish().unwrap();
        let tokenizer = train_tokenizer(&corpus, 300, &dir.path().join("tokenizer"));
        let model = dir.path().join("pretrain");
        let parameters = StageParameters {
            train: TrainConfig {
                steps: 3,
                batch_size: 2,
                seq_len: Some(32),
                warmup_steps: 1,
                eval_every: 0,
                eval_windows: 1,
                checkpoint_every: 0,
                tie_embeddings: false,
                ..TrainConfig::default()
            },
            ..StageParameters::default()
        };
        run_stage(&corpus, &tokenizer, &model, &parameters, &cpu()).unwrap();
        Fixture {
            dir,
            tokenizer,
            model,
        }
    })
}

/// A classic Mekong BPE of `vocab_size` ids trained on `corpus` by the tokenizer stage.
fn train_tokenizer(corpus: &Path, vocab_size: usize, out_dir: &Path) -> PathBuf {
    let config = mekong_tokenizer::train::TrainConfig {
        train: corpus.to_path_buf(),
        dev: None,
        test: None,
        options: TokenizerOptions {
            vocab_size,
            algorithm: Algorithm::Classic,
            ..TokenizerOptions::default()
        },
        show_progress: false,
    };
    mekong_tokenizer::train::run_stage(&config, out_dir).unwrap();
    out_dir.join(mekong_tokenizer::train::TOKENIZER_FILE)
}

fn cpu() -> TrainOptions {
    TrainOptions {
        device: Some(DeviceKind::Cpu),
        progress: false,
        ..TrainOptions::default()
    }
}

fn export(into: &Path, dtype: ExportDtype) -> PathBuf {
    let fixture = fixture();
    let config = ExportConfig {
        dtype,
        license: Some("apache-2.0".into()),
        ..ExportConfig::new(fixture.model.clone(), fixture.tokenizer.clone())
    };
    let out = into.join("export");
    mekong_export::run(&config, &out, false).unwrap();
    out
}

fn logits(model: &Model<CpuBackend>) -> TensorData {
    let ids = Tensor::<CpuBackend, 2, Int>::from_data(
        TensorData::new(vec![0i64, 17, 42, 99, 5, 260, 7, 1], [2, 4]),
        &Default::default(),
    );
    model.forward(ids).into_data()
}

fn json(path: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

#[test]
fn the_folder_holds_what_transformers_reads() {
    let dir = tempfile::tempdir().unwrap();
    let out = export(dir.path(), ExportDtype::F32);
    let config = json(&out.join("config.json"));
    assert_eq!(config["architectures"][0], "LlamaForCausalLM");
    assert_eq!(config["vocab_size"], 300);
    assert_eq!(config["hidden_size"], 64);
    assert_eq!(config["num_key_value_heads"], config["num_attention_heads"]);
    assert_eq!(
        config["rope_parameters"]["rope_theta"],
        config["rope_theta"]
    );
    assert_eq!(config["tie_word_embeddings"], false);
    assert_eq!(
        config["eos_token_id"], 0,
        "<|endoftext|> is the tokenizer's id 0"
    );

    let bytes = std::fs::read(out.join("model.safetensors")).unwrap();
    let tensors = SafeTensors::deserialize(&bytes).unwrap();
    let shape = |name: &str| tensors.tensor(name).unwrap().shape().to_vec();
    assert_eq!(shape("model.embed_tokens.weight"), [300, 64]);
    assert_eq!(shape("lm_head.weight"), [300, 64]);
    assert_eq!(shape("model.layers.1.self_attn.k_proj.weight"), [64, 64]);
    assert_eq!(shape("model.layers.0.mlp.gate_proj.weight"), [176, 64]);
    assert_eq!(shape("model.layers.0.mlp.down_proj.weight"), [64, 176]);
    assert_eq!(
        shape("model.layers.1.post_attention_layernorm.weight"),
        [64]
    );
    assert_eq!(shape("model.norm.weight"), [64]);
    assert_eq!(tensors.len(), 2 + 1 + 2 * 9);
    assert!(tensors
        .tensors()
        .iter()
        .all(|(_, t)| t.dtype() == Dtype::F32));

    assert_eq!(
        std::fs::read(out.join("tokenizer.json")).unwrap(),
        std::fs::read(&fixture().tokenizer).unwrap(),
        "the tokenizer ships as trained"
    );
    let tokenizer_config = json(&out.join("tokenizer_config.json"));
    assert_eq!(
        tokenizer_config["tokenizer_class"],
        "PreTrainedTokenizerFast"
    );
    assert_eq!(tokenizer_config["eos_token"], "<|endoftext|>");
    assert_eq!(tokenizer_config["model_max_length"], 128);
    assert_eq!(json(&out.join("generation_config.json"))["eos_token_id"], 0);
    assert_eq!(
        json(&out.join("special_tokens_map.json"))["pad_token"],
        "<|endoftext|>"
    );

    let card = std::fs::read_to_string(out.join("README.md")).unwrap();
    assert!(
        card.starts_with("---\nlanguage:\n- en\n- vi\nlicense: apache-2.0\n"),
        "{card}"
    );
    assert!(card.contains("library_name: transformers"));
    assert!(card.contains("AutoModelForCausalLM.from_pretrained"));
    assert!(card.contains("optimizer steps: 3"), "{card}");
    assert!(card.contains("training time:"), "{card}");
    let manifest = json(&out.join("manifest.json"));
    assert_eq!(manifest["stage"], "export");
    assert!(!dir.path().read_dir().unwrap().any(|e| e
        .unwrap()
        .file_name()
        .to_string_lossy()
        .contains("staging")));
}

#[test]
fn bf16_export_halves_the_weights() {
    let dir = tempfile::tempdir().unwrap();
    let out = export(dir.path(), ExportDtype::Bf16);
    let bytes = std::fs::read(out.join("model.safetensors")).unwrap();
    let tensors = SafeTensors::deserialize(&bytes).unwrap();
    assert!(tensors
        .tensors()
        .iter()
        .all(|(_, t)| t.dtype() == Dtype::BF16));
    assert_eq!(json(&out.join("config.json"))["torch_dtype"], "bfloat16");
}

#[test]
fn the_exported_folder_comes_back_with_identical_logits() {
    let dir = tempfile::tempdir().unwrap();
    let out = export(dir.path(), ExportDtype::F32);
    let device = Default::default();
    let (original, config, _) = load_checkpoint::<CpuBackend>(&fixture().model, &device).unwrap();
    let (loaded, loaded_config) = load_hf_model::<CpuBackend>(&out, &device).unwrap();
    assert_eq!(loaded_config, config);
    logits(&loaded).assert_approx_eq::<f32>(&logits(&original), Tolerance::absolute(0.0));
}

/// Continued pretraining starts from the exported weights: one step at a vanishing learning
/// rate leaves them, so the new run's checkpoint scores like the original model.
#[test]
fn init_from_continues_from_the_exported_weights() {
    let dir = tempfile::tempdir().unwrap();
    let out = export(dir.path(), ExportDtype::F32);
    let tokens = fixture().model.join(TOKENS_DIR);
    let config = TrainConfig {
        preset: "mini".into(), // ignored: the shape comes from config.json
        steps: 1,
        lr: 1e-12,
        warmup_steps: 0,
        batch_size: 2,
        seq_len: Some(32),
        eval_every: 0,
        eval_windows: 1,
        init_from: Some(out.clone()),
        ..TrainConfig::default()
    };
    let run = dir.path().join("continued");
    let summary = train(&tokens, &run, &config, &cpu()).unwrap();
    assert_eq!(
        summary.model.d_model, 64,
        "the export's shape, not the preset's"
    );
    let device = Default::default();
    let (original, _, _) = load_checkpoint::<CpuBackend>(&fixture().model, &device).unwrap();
    let (continued, _, meta) = load_checkpoint::<CpuBackend>(&run, &device).unwrap();
    assert_eq!(meta.step, 1);
    logits(&continued).assert_approx_eq::<f32>(&logits(&original), Tolerance::absolute(1e-5));
}

#[test]
fn init_from_refuses_features_the_model_lacks() {
    let dir = tempfile::tempdir().unwrap();
    let out = export(dir.path(), ExportDtype::F32);
    let mut config = json(&out.join("config.json"));
    config["attention_bias"] = true.into();
    std::fs::write(out.join("config.json"), config.to_string()).unwrap();
    let train_config = TrainConfig {
        steps: 1,
        init_from: Some(out.clone()),
        ..TrainConfig::default()
    };
    let tokens = fixture().model.join(TOKENS_DIR);
    let run = dir.path().join("continued");
    let error = train(&tokens, &run, &train_config, &cpu())
        .unwrap_err()
        .to_string();
    assert!(error.contains("attention_bias"), "{error}");
    assert!(error.contains("config.json"), "{error}");
    assert!(!run.join("checkpoints").exists());
}

#[test]
fn a_non_empty_output_folder_is_refused_unless_replaced() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("export");
    std::fs::create_dir_all(&out).unwrap();
    std::fs::write(out.join("notes.txt"), "mine").unwrap();
    let fixture = fixture();
    let config = ExportConfig::new(fixture.model.clone(), fixture.tokenizer.clone());
    let error = mekong_export::run(&config, &out, false).unwrap_err();
    assert!(
        matches!(error, ExportError::OutputNotEmpty { .. }),
        "{error}"
    );
    assert!(error.to_string().contains("--force"));
    assert_eq!(
        std::fs::read_to_string(out.join("notes.txt")).unwrap(),
        "mine"
    );
    mekong_export::run(&config, &out, true).unwrap();
    assert!(out.join("model.safetensors").is_file());
    assert!(!out.join("notes.txt").exists());
}

#[test]
fn bad_inputs_write_nothing() {
    let fixture = fixture();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("export");

    // A tokenizer of another vocabulary than the model's.
    let corpus = fixture.dir.path().join("corpus");
    let other = train_tokenizer(&corpus, 280, &dir.path().join("other-tokenizer"));
    let config = ExportConfig::new(fixture.model.clone(), other);
    let error = mekong_export::run(&config, &out, false)
        .unwrap_err()
        .to_string();
    assert!(
        error.contains("280 tokens") && error.contains("300"),
        "{error}"
    );
    assert!(!out.exists());

    // A truncated checkpoint.
    let checkpoint = dir.path().join("checkpoint");
    let source = mekong_pretrain::checkpoint::resolve_checkpoint_dir(&fixture.model).unwrap();
    std::fs::create_dir_all(&checkpoint).unwrap();
    for entry in std::fs::read_dir(&source).unwrap() {
        let path = entry.unwrap().path();
        std::fs::copy(&path, checkpoint.join(path.file_name().unwrap())).unwrap();
    }
    let weights = checkpoint.join("model.mpk");
    let bytes = std::fs::read(&weights).unwrap();
    std::fs::write(&weights, &bytes[..bytes.len() / 3]).unwrap();
    let config = ExportConfig::new(checkpoint, fixture.tokenizer.clone());
    let error = mekong_export::run(&config, &out, false)
        .unwrap_err()
        .to_string();
    assert!(error.contains("truncated"), "{error}");
    assert!(!out.exists());
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.starts_with('.'))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}
