#!/usr/bin/python3
"""Fine-tune Real-ESRGAN x4plus with an L1 loss into a PSNR-oriented "fidelity" partner.

The result shares x4plus' architecture, tensor names and weight basin, so Upres can blend
the two weight by weight (ESRGAN network interpolation). See README.md in this folder.

  /usr/bin/python3 tools/finetune/finetune.py --steps 1500            # train (checkpoints every 100 steps)
  /usr/bin/python3 tools/finetune/finetune.py --resume                # continue from the latest checkpoint
  /usr/bin/python3 tools/finetune/finetune.py --export-from CKPT      # write the shipped files from a checkpoint
  /usr/bin/python3 tools/finetune/finetune.py --eval MODEL            # Set5/Set14 PSNR + JPEG probe of a checkpoint or .safetensors
  /usr/bin/python3 tools/finetune/finetune.py --smoke --out DIR       # tiny CI run: train, checkpoint, resume, export
"""
import argparse
import glob
import hashlib
import json
import math
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import numpy as np  # noqa: E402
import torch  # noqa: E402
from PIL import Image  # noqa: E402

from degrade import DegradationConfig, grid_masks, load_hr_images, sample_batch  # noqa: E402
from evaluate import benchmark, bicubic_baseline, load_benchmark, load_photo_probe, photo_probe  # noqa: E402
from rrdbnet import RRDBNet, arch_from_manifest, manifest_arch  # noqa: E402
from st_io import atomic_write_bytes, encode_safetensors, read_safetensors  # noqa: E402

REPO = os.path.abspath(os.path.join(HERE, "..", ".."))
MODELS = os.path.join(REPO, "resources", "models")
BASE_ID = "realesrgan-x4plus"
OUT_ID = "x4plus-fidelity"
DATASETS = os.path.abspath(os.environ.get("UPRES_DATASETS") or os.path.join(REPO, "..", "shared", "datasets"))
TRAIN_DIR = os.path.join(DATASETS, "train", "SunHays80")
PHOTO = os.path.join(DATASETS, "photos", "DSCN0010.jpg")
CKPT_DIR = os.path.join(HERE, "checkpoints")
DATA_DESC = "SunHays80 (80 photos, ×0.5 antialiased, random 128 px crops, flips/rotations)"
CREDIT = (
    "Real-ESRGAN by Xintao Wang, Liangbin Xie, Chao Dong, Ying Shan (Tencent ARC Lab); "
    "fidelity fine-tune by Upres"
)


def sha256_file(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


# ---------------------------------------------------------------- logging


class Log:
    def __init__(self, path=None):
        self.f = open(path, "a", buffering=1) if path else None

    def __call__(self, *parts):
        line = time.strftime("%Y-%m-%d %H:%M:%S ") + " ".join(str(p) for p in parts)
        print(line, flush=True)
        if self.f:
            self.f.write(line + "\n")


# ---------------------------------------------------------------- models and checkpoints


def load_base(arch_kw=None, base_path=None):
    """The x4plus network (fp32) and its tensor order, or a random tiny network when arch_kw is given."""
    if arch_kw is not None:
        model = RRDBNet(**arch_kw)
        return model, list(model.state_dict().keys())
    base_path = base_path or os.path.join(MODELS, BASE_ID + ".safetensors")
    with open(os.path.join(MODELS, BASE_ID + ".json")) as f:
        manifest = json.load(f)
    tensors, _ = read_safetensors(base_path)
    model = RRDBNet(**arch_from_manifest(manifest["architecture"]))
    model.load_state_dict({k: torch.from_numpy(v.astype(np.float32)) for k, v in tensors.items()}, strict=True)
    return model, list(tensors.keys())


def rng_state(rng):
    return {"numpy": rng.bit_generator.state, "torch": torch.get_rng_state()}


def plain(value):
    """Plain Python numbers and containers, so checkpoints hold no numpy objects (Upres's own
    checkpoint reader, like torch.load(weights_only=True), refuses numpy globals)."""
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    return value


def save_checkpoint(ckpt_dir, step, model, opt, rng, cfg, history, keep_full=2):
    """Full checkpoint (model + Adam + step + RNG + config); older full ones are pruned, weights kept."""
    os.makedirs(ckpt_dir, exist_ok=True)
    state = {
        "step": step,
        "model": model.state_dict(),
        "optimizer": opt.state_dict(),
        "rng": rng_state(rng),
        "config": cfg,
        "history": plain(history),
    }
    path = os.path.join(ckpt_dir, f"ckpt-{step:06d}.pt")
    tmp = path + ".tmp"
    torch.save(state, tmp)
    os.replace(tmp, path)
    # A weights-only copy of every checkpoint, so any step can still be exported later.
    wpath = os.path.join(ckpt_dir, f"weights-{step:06d}.pt")
    torch.save({"step": step, "model": model.state_dict(), "config": plain(cfg), "history": plain(history)}, wpath + ".tmp")
    os.replace(wpath + ".tmp", wpath)
    full = sorted(glob.glob(os.path.join(ckpt_dir, "ckpt-*.pt")))
    for old in full[:-keep_full]:
        os.remove(old)
    return path


def latest_checkpoint(ckpt_dir):
    full = sorted(glob.glob(os.path.join(ckpt_dir, "ckpt-*.pt")))
    return full[-1] if full else None


def lr_at(step, cfg):
    """Linear warm-up, then cosine decay from lr to lr_min over the run."""
    lr, lr_min, warm, total = cfg["lr"], cfg["lr_min"], cfg["warmup"], cfg["steps"]
    if step < warm:
        return lr * (step + 1) / warm
    t = min(1.0, (step - warm) / max(1, total - warm))
    return lr_min + 0.5 * (lr - lr_min) * (1 + math.cos(math.pi * t))


# ---------------------------------------------------------------- export


def export(model, tensor_order, cfg, history, step, out_dir, model_id, name, arch, base_file=None, extra_notes=""):
    """Write <id>.safetensors (fp16, base tensor order) and <id>.json (atomically) into out_dir."""
    os.makedirs(out_dir, exist_ok=True)
    sd = model.state_dict()
    if list(sd.keys()) != tensor_order and set(sd.keys()) != set(tensor_order):
        raise RuntimeError("model tensors do not match the base tensor names")
    tensors = {k: sd[k].detach().float().numpy() for k in tensor_order}
    for k, v in tensors.items():
        if not np.all(np.isfinite(v.astype(np.float16))):
            raise RuntimeError(f"{k} does not fit in fp16")
    params = int(sum(v.size for v in tensors.values()))
    st_path = os.path.join(out_dir, model_id + ".safetensors")
    data = encode_safetensors(tensors, {"format": "pt", "upres_id": model_id, "step": str(step)})
    atomic_write_bytes(st_path, data)
    digest = hashlib.sha256(data).hexdigest()

    evals = [h for h in history if "set5" in h]
    ev = ""
    if evals:
        last = evals[-1]
        ev = f" Set5 Y-PSNR ×4 at step {last['step']}: {last['set5']:.2f} dB (training-time probe)."
    deg = DegradationConfig.from_dict(cfg["degradation"])
    if base_file:
        source = "fine-tuned by Upres from realesrgan-x4plus"
        source_files = [{"path": "resources/models/realesrgan-x4plus.safetensors", "sha256": sha256_file(base_file)}]
        base_model = BASE_ID
    else:
        source = "Upres fine-tune smoke test (random tiny RRDBNet)"
        source_files = []
        base_model = "random-init"
    manifest = {
        "id": model_id,
        "name": name,
        "architecture": arch,
        "role": "fidelity",
        "weights": {"file": model_id + ".safetensors", "dtype": "float16", "parameters": params, "sha256": digest},
        "provenance": {
            "source": source,
            "sourceFiles": source_files,
            "licence": "BSD-3-Clause",
            "credit": CREDIT,
            "convertedWith": "tools/finetune/finetune.py",
            "notes": (
                "Smoke-test output of tools/finetune/finetune.py (a tiny random RRDBNet trained a few steps); not a usable model. "
                if not base_file
                else ""
            )
            + (
                "PSNR-oriented partner of Real-ESRGAN x4plus for ESRGAN network interpolation "
                "θ = (1−α)·θ_fidelity + α·θ_gan: x4plus weights fine-tuned with an L1 pixel loss only "
                f"(Adam, cosine-decayed lr, bf16 autocast on CPU: {cfg.get('bf16', False)}), "
                "same tensor names, order and shapes as the base." + ev + extra_notes
            ),
            "training": {
                "baseModel": base_model,
                "data": DATA_DESC if base_file else "SunHays80 subset, tiny patches (smoke test)",
                "steps": int(step),
                "loss": "L1"
                + (
                    f" + {cfg['grid_weight']} × L1 of the finite differences next to the JPEG 8-px block grid (JPEG samples)"
                    if cfg.get("grid_weight")
                    else ""
                ),
                "degradation": deg.describe(),
                "seed": int(cfg["seed"]),
                "lr": cfg["lr"],
                "lrMin": cfg["lr_min"],
                "lrSchedule": f"linear warm-up {cfg['warmup']} steps, cosine decay over {cfg['steps']} steps",
                "batch": cfg["batch"],
                "lrPatch": cfg["lr_size"],
                "optimizer": "Adam(β=0.9, 0.999)",
            },
        },
    }
    js_path = os.path.join(out_dir, model_id + ".json")
    atomic_write_bytes(js_path, (json.dumps(manifest, indent=2, ensure_ascii=False) + "\n").encode("utf-8"))
    return st_path, js_path


def model_from_checkpoint(path):
    state = torch.load(path, map_location="cpu")
    cfg = state["config"]
    model = RRDBNet(**cfg["arch"])
    model.load_state_dict(state["model"])
    return model, state, cfg


# ---------------------------------------------------------------- training


def evaluate_now(model, bench, probe, log, step, sample_dir=None):
    t0 = time.time()
    rec = {"step": step}
    if bench:
        mean, per = benchmark(model, bench)
        rec["set5"] = round(mean, 4)
        rec["set5_per"] = {k: round(v, 3) for k, v in per.items()}
    if probe is not None:
        b, bb, out = photo_probe(model, probe)
        rec["blockiness"] = round(b, 4)
        rec["blockiness_bicubic"] = round(bb, 4)
        if sample_dir:
            os.makedirs(sample_dir, exist_ok=True)
            Image.fromarray(out).save(os.path.join(sample_dir, f"photo-{step:06d}.png"))
    model.train()
    log(f"eval step {step}: {json.dumps(rec)} ({time.time() - t0:.0f} s)")
    return rec


def grid_loss(out, y, phases, lr_size):
    """L1 between the output's and the target's finite differences next to JPEG block boundaries.

    Pixel L1 alone spends almost nothing on the few pixels at the 8-px grid, so the fine-tune
    kept a faint block grid (≈3 % more visible than bicubic). This term asks the differences
    across the grid to be those of the clean target: blocks smoothed, true edges kept.
    """
    mx, my = (torch.from_numpy(m) for m in grid_masks(phases, lr_size))
    n = mx.sum() + my.sum()
    if n == 0:
        return out.new_zeros(())
    dx = ((out[..., 1:] - out[..., :-1]) - (y[..., 1:] - y[..., :-1])).abs().mean(dim=1, keepdim=True)
    dy = ((out[..., 1:, :] - out[..., :-1, :]) - (y[..., 1:, :] - y[..., :-1, :])).abs().mean(dim=1, keepdim=True)
    rows, cols = out.shape[-2], out.shape[-1]
    return ((dx * mx).sum() / rows + (dy * my).sum() / cols) / n


def train(cfg, ckpt_dir, log, resume=False, stop_at=None, base_path=None):
    """Run (or continue) training up to cfg['steps'] (or stop_at); returns (model, tensor_order, cfg, history, step)."""
    torch.set_num_threads(cfg["threads"])
    torch.manual_seed(cfg["seed"])
    smoke_arch = cfg["arch"] if cfg.get("smoke") else None
    model, order = load_base(smoke_arch, base_path)
    if cfg.get("init") and not resume:
        init, _, _ = model_from_checkpoint(cfg["init"])
        model.load_state_dict(init.state_dict())
        log(f"initialised from {cfg['init']}")
    cfg["arch"] = {
        "in_channels": model.conv_first.in_channels,
        "out_channels": model.conv_last.out_channels,
        "features": model.conv_first.out_channels,
        "blocks": len(model.body),
        "growth": model.body[0].rdb1.conv1.out_channels,
        "scale": 4,
    }
    opt = torch.optim.Adam(model.parameters(), lr=cfg["lr"], betas=(0.9, 0.999))
    rng = np.random.default_rng(cfg["seed"])
    step, history = 0, []
    if resume:
        path = latest_checkpoint(ckpt_dir)
        if not path:
            raise SystemExit(f"--resume: no checkpoint in {ckpt_dir}")
        state = torch.load(path, map_location="cpu")
        saved = state["config"]
        steps = cfg["steps"] if cfg.get("steps_override") else saved["steps"]
        cfg.clear()
        cfg.update(saved)
        cfg["steps"] = steps
        model = RRDBNet(**cfg["arch"])
        model.load_state_dict(state["model"])
        opt = torch.optim.Adam(model.parameters(), lr=cfg["lr"], betas=(0.9, 0.999))
        opt.load_state_dict(state["optimizer"])
        rng.bit_generator.state = state["rng"]["numpy"]
        torch.set_rng_state(state["rng"]["torch"])
        step, history = state["step"], state["history"]
        log(f"resumed from {path} at step {step} (run length {cfg['steps']})")
    else:
        log(f"start: {json.dumps({k: v for k, v in cfg.items()}, ensure_ascii=False)}")
    torch.set_num_threads(cfg["threads"])
    fmt = torch.channels_last if cfg.get("channels_last", True) else torch.contiguous_format
    model.to(memory_format=fmt)  # in place (param.data), so the optimizer keeps its parameters

    images = load_hr_images(TRAIN_DIR, limit=cfg.get("images"))
    deg = DegradationConfig.from_dict(cfg["degradation"])
    log(f"{len(images)} training images cached; degradation: {deg.describe()}")
    bench = load_benchmark(os.path.join(DATASETS, "Set5")) if cfg["eval_every"] else None
    probe = load_photo_probe(PHOTO) if cfg["eval_every"] and os.path.exists(PHOTO) else None
    if bench and not resume:
        log(f"Set5 bicubic baseline {bicubic_baseline(bench):.3f} dB")
        if cfg.get("eval_start"):
            history.append(evaluate_now(model, bench, probe, log, 0, os.path.join(ckpt_dir, "samples")))

    model.train()
    end = min(cfg["steps"], stop_at) if stop_at else cfg["steps"]
    losses, kinds_loss, t_last = [], {}, time.time()
    while step < end:
        lr = lr_at(step, cfg)
        for g in opt.param_groups:
            g["lr"] = lr
        lr_b, hr_b, kinds, phases = sample_batch(images, cfg["batch"], cfg["lr_size"], deg, rng)
        x, y = torch.from_numpy(lr_b).contiguous(memory_format=fmt), torch.from_numpy(hr_b)
        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=cfg["bf16"]):
            out = model(x)
        out = out.float()
        per = (out - y).abs().mean(dim=(1, 2, 3))
        loss = per.mean()
        gw = cfg.get("grid_weight", 0.0)
        if gw:
            loss = loss + gw * grid_loss(out, y, phases, cfg["lr_size"])
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        step += 1
        losses.append(loss.item())
        for k, v in zip(kinds, per.tolist()):
            kinds_loss.setdefault(k, []).append(v)
        if step % cfg["log_every"] == 0 or step == end:
            dt = (time.time() - t_last) / len(losses)
            by = " ".join(f"{k}={np.mean(v):.4f}" for k, v in sorted(kinds_loss.items()))
            eta = (end - step) * dt
            log(f"step {step}/{cfg['steps']} loss {np.mean(losses):.4f} [{by}] lr {lr:.2e} {dt:.2f} s/step eta {eta / 60:.0f} min")
            history.append({"step": step, "loss": round(float(np.mean(losses)), 5), "s_per_step": round(dt, 2)})
            losses, kinds_loss, t_last = [], {}, time.time()
        if cfg["eval_every"] and (step % cfg["eval_every"] == 0 or step == cfg["steps"]):
            history.append(evaluate_now(model, bench, probe, log, step, os.path.join(ckpt_dir, "samples")))
            t_last = time.time()
        if step % cfg["ckpt_every"] == 0 or step == end:
            p = save_checkpoint(ckpt_dir, step, model, opt, rng, cfg, history)
            log(f"checkpoint {p}")
            t_last = time.time()
    return model, order, cfg, history, step


def default_config(a):
    deg = DegradationConfig(
        bicubic_frac=a.bicubic_frac,
        jpeg_prob=a.jpeg_prob,
        jpeg_quality=(a.jpeg_qmin, a.jpeg_qmax),
    )
    return {
        "steps": a.steps,
        "steps_override": a.steps_given,
        "lr": a.lr,
        "lr_min": a.lr_min,
        "warmup": a.warmup,
        "batch": a.batch,
        "lr_size": a.lr_size,
        "seed": a.seed,
        "threads": a.threads,
        "bf16": not a.no_bf16,
        "channels_last": True,
        "ckpt_every": a.ckpt_every,
        "eval_every": a.eval_every,
        "eval_start": not a.no_eval_start,
        "log_every": a.log_every,
        "degradation": deg.to_dict(),
        "arch": None,
        "grid_weight": a.grid_weight,
        "init": os.path.abspath(a.init) if a.init else None,
    }


# ---------------------------------------------------------------- modes


def run_smoke(a):
    """Tiny end-to-end run for CI: 3 steps, checkpoint, resume for 1 more, export."""
    out = os.path.abspath(a.out or os.path.join(CKPT_DIR, "smoke"))
    ckpt_dir = os.path.join(out, "checkpoints")
    for old in glob.glob(os.path.join(ckpt_dir, "*.pt")):
        os.remove(old)
    log = Log()
    cfg = default_config(a)
    arch = {"in_channels": 3, "out_channels": 3, "features": 8, "blocks": 1, "growth": 4, "scale": 4}
    cfg.update(
        smoke=True, arch=arch, steps=4, batch=2, lr_size=8, warmup=1, images=2, ckpt_every=3,
        eval_every=0, log_every=1, threads=min(a.threads, 2), bf16=False,
    )
    train(dict(cfg), ckpt_dir, log, stop_at=3)
    resume_cfg = dict(cfg)
    resume_cfg["steps_override"] = False
    model, order, cfg2, history, step = train(resume_cfg, ckpt_dir, log, resume=True)
    assert step == 4, step
    st, js = export(model, order, cfg2, history, step, out, "smoke-fidelity",
                    "Upres fine-tune smoke test (tiny RRDBNet)", manifest_arch(arch))
    back, _ = read_safetensors(st)
    assert list(back.keys()) == order
    log(f"smoke ok: {st} {js}")


def run_eval(a):
    torch.set_num_threads(a.threads)
    log = Log()
    path = a.eval
    if path.endswith(".safetensors"):
        tensors, _ = read_safetensors(path)
        with open(os.path.join(MODELS, BASE_ID + ".json")) as f:
            arch = json.load(f)["architecture"]
        mpath = os.path.splitext(path)[0] + ".json"
        if os.path.exists(mpath):
            with open(mpath) as f:
                arch = json.load(f)["architecture"]
        model = RRDBNet(**arch_from_manifest(arch))
        model.load_state_dict({k: torch.from_numpy(v.astype(np.float32)) for k, v in tensors.items()})
    else:
        model, _, _ = model_from_checkpoint(path)
    model.eval()
    for s in a.eval_sets.split(","):
        bench = load_benchmark(os.path.join(DATASETS, s))
        t0 = time.time()
        mean, per = benchmark(model, bench)
        log(f"{s}: {mean:.3f} dB (bicubic {bicubic_baseline(bench):.3f}) {json.dumps({k: round(v, 2) for k, v in per.items()})} ({time.time() - t0:.0f} s)")
    for p in sorted(glob.glob(os.path.join(DATASETS, "photos", "*.jpg"))):
        b, bb, out = photo_probe(model, load_photo_probe(p))
        log(f"JPEG blockiness {os.path.basename(p)}: model {b:.4f}, bicubic {bb:.4f} (1.0 = no 32-px grid)")
        if a.out:
            os.makedirs(a.out, exist_ok=True)
            Image.fromarray(out).save(os.path.join(a.out, os.path.basename(p)[:-4] + ".png"))


def run_export(a):
    model, state, cfg = model_from_checkpoint(a.export_from)
    order = read_safetensors_names(os.path.join(MODELS, BASE_ID + ".safetensors"))
    out = os.path.abspath(a.out or MODELS)
    st, js = export(
        model, order, cfg, state["history"], state["step"], out, OUT_ID,
        "Real-ESRGAN x4plus — fidelity (L1 fine-tune)", manifest_arch(cfg["arch"]),
        base_file=os.path.join(MODELS, BASE_ID + ".safetensors"), extra_notes=(" " + a.notes if a.notes else ""),
    )
    print(f"wrote {st}\nwrote {js}")


def read_safetensors_names(path):
    import struct

    with open(path, "rb") as f:
        (n,) = struct.unpack("<Q", f.read(8))
        header = json.loads(f.read(n))
    header.pop("__metadata__", None)
    return [k for k, _ in sorted(header.items(), key=lambda kv: kv[1]["data_offsets"][0])]


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--steps", type=int, default=None, help="total training steps (default 2000; with --resume: changes the run length)")
    p.add_argument("--lr", type=float, default=2e-4)
    p.add_argument("--lr-min", type=float, default=2e-6)
    p.add_argument("--warmup", type=int, default=30)
    p.add_argument("--batch", type=int, default=4)
    p.add_argument("--lr-size", type=int, default=32, help="LR patch side (HR = 4×)")
    p.add_argument("--seed", type=int, default=20240611)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--no-bf16", action="store_true", help="train in fp32 (about 2× slower on this CPU)")
    p.add_argument("--bicubic-frac", type=float, default=0.35)
    p.add_argument("--jpeg-prob", type=float, default=0.9, help="share of the camera-like branch that is JPEG-compressed")
    p.add_argument("--jpeg-qmin", type=int, default=25)
    p.add_argument("--jpeg-qmax", type=int, default=95)
    p.add_argument("--grid-weight", type=float, default=0.0, help="weight of the JPEG-grid gradient loss (0: pixel L1 only)")
    p.add_argument("--init", metavar="CKPT", help="start from this checkpoint's weights (fresh optimizer and schedule) instead of x4plus")
    p.add_argument("--ckpt-every", type=int, default=100)
    p.add_argument("--eval-every", type=int, default=250, help="Set5 + photo probe every N steps (0: never)")
    p.add_argument("--no-eval-start", action="store_true", help="skip the step-0 evaluation of x4plus")
    p.add_argument("--log-every", type=int, default=10)
    p.add_argument("--ckpt-dir", default=CKPT_DIR)
    p.add_argument("--resume", action="store_true", help="continue from the latest checkpoint in --ckpt-dir")
    p.add_argument("--export-from", metavar="CKPT", help="write the shipped model files from a checkpoint (no training)")
    p.add_argument("--no-export", action="store_true", help="train only; do not write resources/models at the end")
    p.add_argument("--eval", metavar="MODEL", help="evaluate a checkpoint (.pt) or .safetensors and exit")
    p.add_argument("--eval-sets", default="Set5,Set14")
    p.add_argument("--notes", default="", help="extra sentence for the manifest notes (export)")
    p.add_argument("--smoke", action="store_true", help="tiny CI run; writes smoke-fidelity.* to --out")
    p.add_argument("--out", help="output folder (smoke: required-ish; export: default resources/models)")
    a = p.parse_args(argv)
    a.steps_given = a.steps is not None
    if a.steps is None:
        a.steps = 2000

    if a.smoke:
        return run_smoke(a)
    if a.eval:
        return run_eval(a)
    if a.export_from:
        return run_export(a)

    os.makedirs(a.ckpt_dir, exist_ok=True)
    log = Log(os.path.join(a.ckpt_dir, "train.log"))
    cfg = default_config(a)
    model, order, cfg, history, step = train(cfg, a.ckpt_dir, log, resume=a.resume)
    if not a.no_export and step >= cfg["steps"]:
        st, js = export(
            model, order, cfg, history, step, os.path.abspath(a.out or MODELS), OUT_ID,
            "Real-ESRGAN x4plus — fidelity (L1 fine-tune)", manifest_arch(cfg["arch"]),
            base_file=os.path.join(MODELS, BASE_ID + ".safetensors"), extra_notes=(" " + a.notes if a.notes else ""),
        )
        log(f"exported {st} {js}")


if __name__ == "__main__":
    main()
