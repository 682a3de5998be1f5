"""Training pairs for the fidelity fine-tune: clean HR crops and their degraded ×4 LR inputs.

HR targets come from the SunHays80 JPEGs shrunk ×0.5 with an antialiased filter, which
averages away the source's own compression artefacts. LR inputs are either a plain
MATLAB-style bicubic ×4 downscale (the benchmark degradation) or a "camera photo"
chain: Gaussian blur → ×4 downscale → sensor-like noise → JPEG, so that the model learns
to smooth JPEG blocking instead of sharpening it.
"""
import glob
import io
import os
from dataclasses import dataclass, asdict

import numpy as np
from PIL import Image, ImageFilter

SCALE = 4


@dataclass
class DegradationConfig:
    bicubic_frac: float = 0.35  # share of samples that get plain bicubic ×4
    blur_prob: float = 0.8  # real branch: chance of a Gaussian blur before downscaling
    blur_sigma: tuple = (0.3, 1.5)  # HR pixels
    noise_prob: float = 0.5  # real branch: chance of additive Gaussian noise (LR, 0-255 scale)
    noise_sigma: tuple = (1.0, 6.0)
    grey_noise_prob: float = 0.4  # of noisy samples: same noise on all channels (luma-like)
    jpeg_prob: float = 0.9  # real branch: chance of JPEG compression
    jpeg_quality: tuple = (25, 95)
    jpeg_444_prob: float = 0.2  # else 4:2:0 chroma subsampling, like most cameras

    def describe(self):
        real = 1.0 - self.bicubic_frac
        return (
            f"{self.bicubic_frac:.0%} plain bicubic ×4 (antialiased, PIL); {real:.0%} camera-like: "
            f"Gaussian blur σ∈[{self.blur_sigma[0]}, {self.blur_sigma[1]}] HR px (p={self.blur_prob}), "
            f"×4 downscale (bicubic/bilinear/box), Gaussian noise σ∈[{self.noise_sigma[0]}, {self.noise_sigma[1]}]/255 "
            f"(p={self.noise_prob}, {self.grey_noise_prob:.0%} of it grey), JPEG q∈[{self.jpeg_quality[0]}, "
            f"{self.jpeg_quality[1]}] uniform (p={self.jpeg_prob}, 4:2:0 except {self.jpeg_444_prob:.0%} 4:4:4); "
            f"≈{real * self.jpeg_prob:.0%} of all samples JPEG-compressed"
        )

    def to_dict(self):
        return {k: list(v) if isinstance(v, tuple) else v for k, v in asdict(self).items()}

    @classmethod
    def from_dict(cls, d):
        return cls(**{k: tuple(v) if isinstance(v, list) else v for k, v in d.items()})


def load_hr_images(folder, limit=None):
    """SunHays80 photos shrunk ×0.5 (Lanczos), as uint8 HWC arrays."""
    paths = sorted(glob.glob(os.path.join(folder, "*.jpg")))
    if limit:
        paths = paths[:limit]
    if not paths:
        raise FileNotFoundError(f"no .jpg files in {folder}")
    out = []
    for p in paths:
        with Image.open(p) as im:
            im = im.convert("RGB")
            w, h = im.size
            out.append(np.asarray(im.resize((w // 2, h // 2), Image.LANCZOS), dtype=np.uint8))
    return out


def _augment(a, rng):
    k = int(rng.integers(4))
    if k:
        a = np.rot90(a, k)
    if rng.random() < 0.5:
        a = a[:, ::-1]
    return np.ascontiguousarray(a)


def _downscale(img, resample):
    w, h = img.size
    return img.resize((w // SCALE, h // SCALE), resample)


def degrade(hr, cfg, rng):
    """uint8 HR array (H, W multiples of 4) → (uint8 LR array, kind)."""
    img = Image.fromarray(hr)
    if rng.random() < cfg.bicubic_frac:
        return np.asarray(_downscale(img, Image.BICUBIC)), "bicubic"
    if rng.random() < cfg.blur_prob:
        img = img.filter(ImageFilter.GaussianBlur(float(rng.uniform(*cfg.blur_sigma))))
    resample = [Image.BICUBIC, Image.BILINEAR, Image.BOX][int(rng.choice(3, p=[0.6, 0.2, 0.2]))]
    lr = np.asarray(_downscale(img, resample), dtype=np.float32)
    if rng.random() < cfg.noise_prob:
        sigma = float(rng.uniform(*cfg.noise_sigma))
        if rng.random() < cfg.grey_noise_prob:
            n = rng.normal(0, sigma, lr.shape[:2])[..., None]
        else:
            n = rng.normal(0, sigma, lr.shape)
        lr = lr + n
    lr = np.clip(np.rint(lr), 0, 255).astype(np.uint8)
    kind = "real"
    if rng.random() < cfg.jpeg_prob:
        q = int(rng.integers(cfg.jpeg_quality[0], cfg.jpeg_quality[1] + 1))
        sub = 0 if rng.random() < cfg.jpeg_444_prob else 2
        buf = io.BytesIO()
        Image.fromarray(lr).save(buf, format="JPEG", quality=q, subsampling=sub)
        buf.seek(0)
        with Image.open(buf) as j:
            lr = np.asarray(j.convert("RGB"), dtype=np.uint8)
        kind = "jpeg"
    return lr, kind


def sample_batch(images, batch, lr_size, cfg, rng, margin=4):
    """(LR float32 NCHW in 0-1, HR float32 NCHW, kinds, grid phases).

    Degrades an LR crop of lr_size + 2·margin so blur/resampling edges fall outside the
    kept part, then keeps an lr_size window at a random offset: JPEG block boundaries
    land anywhere relative to the crop, as in a tiled real image. The grid phase of each
    sample, (oy mod 8, ox mod 8) for JPEG samples and None otherwise, says where the 8-px
    block boundaries are: LR rows/columns p with (p + phase) % 8 == 0.
    """
    big = lr_size + 2 * margin
    hr_big = big * SCALE
    lrs, hrs, kinds, phases = [], [], [], []
    for _ in range(batch):
        img = images[int(rng.integers(len(images)))]
        h, w = img.shape[:2]
        y = int(rng.integers(0, h - hr_big + 1))
        x = int(rng.integers(0, w - hr_big + 1))
        hr = _augment(img[y : y + hr_big, x : x + hr_big], rng)
        lr, kind = degrade(hr, cfg, rng)
        oy = int(rng.integers(margin // 2, 2 * margin - margin // 2 + 1))
        ox = int(rng.integers(margin // 2, 2 * margin - margin // 2 + 1))
        lrs.append(lr[oy : oy + lr_size, ox : ox + lr_size])
        hrs.append(hr[oy * SCALE : (oy + lr_size) * SCALE, ox * SCALE : (ox + lr_size) * SCALE])
        kinds.append(kind)
        phases.append((oy % 8, ox % 8) if kind == "jpeg" else None)
    to = lambda xs: np.stack(xs).astype(np.float32).transpose(0, 3, 1, 2) / 255.0
    return to(lrs), to(hrs), kinds, phases


def grid_masks(phases, lr_size, scale=SCALE, band=1):
    """Masks over HR finite differences next to the JPEG block boundaries.

    Returns (mx, my) float32 arrays of shape (N, 1, 1, W-1) and (N, 1, H-1, 1): 1 where the
    horizontal (vertical) difference x[j+1] − x[j] straddles or sits within `band` px of an
    LR block boundary scaled ×4, 0 elsewhere and for samples without JPEG.
    """
    n, hr = len(phases), lr_size * scale
    mx = np.zeros((n, 1, 1, hr - 1), np.float32)
    my = np.zeros((n, 1, hr - 1, 1), np.float32)
    for i, ph in enumerate(phases):
        if ph is None:
            continue
        py, px = ph
        for p in range(1, lr_size):
            for off, m in ((px, mx[i, 0, 0, :]), (py, my[i, 0, :, 0])):
                if (p + off) % 8 == 0:
                    j = p * scale - 1  # the difference between HR pixels j and j + 1
                    m[max(0, j - band) : min(hr - 1, j + band + 1)] = 1.0
    return mx, my
