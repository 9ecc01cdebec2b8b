//! `mekong eval` and `mekong export` and their pipeline sections, through the built binary: a
//! tiny model is trained with the binary's own corpus, tokenizer and pretrain commands, then
//! evaluated and exported.

mod common;

use common::{mekong, ok, text, train_test_tokenizer, EN, VI};
use std::path::Path;

/// corpus → tokenizer → pretrain tokenize → train (3 steps of the tiny preset), in `dir`.
fn train_tiny(dir: &Path) {
    let mono: Vec<String> = (0..40).map(|i| VI[i % 4].to_string()).collect();
    std::fs::write(dir.join("vi-mono.txt"), mono.join("\n") + "\n").unwrap();
    let pairs: Vec<String> = (0..40)
        .map(|i| format!("{} {i}\t{} {i}", EN[i % 4], VI[i % 4]))
        .collect();
    std::fs::write(dir.join("pairs.tsv"), pairs.join("\n") + "\n").unwrap();
    ok(
        dir,
        &[
            "corpus",
            "--mono",
            "vi=vi-mono.txt",
            "--parallel",
            "en-vi=pairs.tsv",
            "--output",
            "corpus",
        ],
    );
    train_test_tokenizer(dir);
    ok(
        dir,
        &[
            "pretrain",
            "tokenize",
            "--corpus",
            "corpus",
            "--tokenizer",
            "tok/tokenizer.json",
            "--output",
            "tokens",
        ],
    );
    ok(
        dir,
        &[
            "pretrain",
            "train",
            "--tokens",
            "tokens",
            "--output",
            "model",
            "--preset",
            "tiny",
            "--steps",
            "3",
            "--batch-size",
            "2",
            "--seq-len",
            "32",
            "--warmup-steps",
            "1",
            "--device",
            "cpu",
        ],
    );
    std::fs::create_dir_all(dir.join("parallel")).unwrap();
    std::fs::write(dir.join("parallel/vi.txt"), VI.join("\n") + "\n").unwrap();
    std::fs::write(dir.join("parallel/en.txt"), EN.join("\n") + "\n").unwrap();
}

#[test]
fn eval_cli_and_pipeline_write_reports() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    train_tiny(d);

    let stderr = ok(
        d,
        &[
            "eval",
            "--model",
            "tiny=model",
            "--tokenizer",
            "tok/tokenizer.json",
            "--parallel",
            "parallel",
            "--prompt",
            "Sông Mê Kông",
            "--max-new-tokens",
            "5",
            "--corpus",
            "corpus",
            "--output",
            "out",
        ],
    );
    assert!(stderr.contains("out/eval.html"), "{stderr}");
    for file in ["eval.md", "eval.html", "eval.json", "manifest.json"] {
        assert!(d.join("out").join(file).is_file(), "{file}");
    }

    // The [eval] section of a pipeline, with this workdir's layout, then cached on a rerun.
    let work = d.join("run");
    std::fs::create_dir_all(&work).unwrap();
    std::fs::rename(d.join("model"), work.join("pretrain")).unwrap();
    std::fs::create_dir_all(work.join("tokenizer")).unwrap();
    std::fs::copy(
        d.join("tok/tokenizer.json"),
        work.join("tokenizer/tokenizer.json"),
    )
    .unwrap();
    std::fs::write(
        d.join("pipe.toml"),
        "[pipeline]\nworkdir = \"run\"\n\n[eval]\nparallel = \"parallel\"\nlanguages = [\"vi\"]\n\
         prompts = [\"Huế\"]\nmax_new_tokens = 4\nseed = 3\ncontamination = false\n\n\
         [export]\nlicense = \"apache-2.0\"\n",
    )
    .unwrap();
    let stderr = ok(d, &["run", "pipe.toml"]);
    assert!(stderr.contains("report: "), "{stderr}");
    assert!(work.join("eval/eval.json").is_file());
    let index = std::fs::read_to_string(work.join("report.html")).unwrap();
    assert!(index.contains("eval/eval.html"), "{index}");
    assert!(index.contains("Training curve"), "{index}");
    assert!(index.contains("export/README.md"), "{index}");
    let card = std::fs::read_to_string(work.join("export/README.md")).unwrap();
    assert!(
        card.contains("# mekong-run"),
        "named after the workdir: {card}"
    );
    assert!(
        card.contains("bits per byte"),
        "quotes the eval stage: {card}"
    );
    let again = ok(d, &["run", "pipe.toml"]);
    assert!(again.contains("[eval] cached"), "{again}");
    assert!(again.contains("[export] cached"), "{again}");

    // A misspelt key is refused, naming the section.
    std::fs::write(d.join("bad.toml"), "[eval]\nlanguage = [\"vi\"]\n").unwrap();
    let out = mekong(d, &["run", "bad.toml"]);
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("language"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn bad_input_exits_non_zero_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::create_dir_all(d.join("model")).unwrap();
    std::fs::write(d.join("tokenizer.json"), "{}").unwrap();
    std::fs::write(d.join("empty.txt"), "\n").unwrap();
    std::fs::write(d.join("vi.txt"), "Xin chào\n").unwrap();
    let cases: [(&[&str], &str); 4] = [
        (
            &["--text", "vi=empty.txt"],
            "empty.txt: the evaluation text for 'vi' is empty",
        ),
        (
            &["--text", "vi=missing.txt"],
            "missing.txt: evaluation text for 'vi' not found",
        ),
        (&["--text", "vi"], "expected LANG=PATH"),
        (&["--text", "vi=vi.txt"], "checkpoint"),
    ];
    for (extra, expected) in cases {
        let mut args = vec![
            "eval",
            "--model",
            "m=model",
            "--tokenizer",
            "tokenizer.json",
            "--output",
            "out",
        ];
        args.extend_from_slice(extra);
        let out = mekong(d, &args);
        let stderr = text(&out.stderr);
        assert!(!out.status.success(), "{args:?} succeeded");
        assert!(stderr.contains(expected), "{args:?}: {stderr}");
        assert!(!d.join("out").exists(), "{args:?} left a partial report");
    }
}

#[test]
fn export_cli_writes_a_hugging_face_folder_and_refuses_to_overwrite() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    train_tiny(d);
    let args = [
        "export",
        "--model",
        "model",
        "--tokenizer",
        "tok/tokenizer.json",
        "--output",
        "hf",
        "--dtype",
        "bf16",
    ];
    let stderr = ok(d, &args);
    assert!(stderr.contains("exported step 3"), "{stderr}");
    assert!(
        stderr.contains("AutoModelForCausalLM.from_pretrained"),
        "{stderr}"
    );
    let config = std::fs::read_to_string(d.join("hf/config.json")).unwrap();
    assert!(config.contains("\"torch_dtype\": \"bfloat16\""), "{config}");

    let out = mekong(d, &args);
    assert!(!out.status.success(), "a second export into hf succeeded");
    assert!(
        text(&out.stderr).contains("--force"),
        "{}",
        text(&out.stderr)
    );
    let mut forced = args.to_vec();
    forced.push("--force");
    ok(d, &forced);

    let out = mekong(
        d,
        &[
            "export",
            "--model",
            "model",
            "--tokenizer",
            "tok/tokenizer.json",
            "--output",
            "x",
            "--dtype",
            "f8",
        ],
    );
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("unknown variant `f8`"),
        "{}",
        text(&out.stderr)
    );
    assert!(!d.join("x").exists());
}
