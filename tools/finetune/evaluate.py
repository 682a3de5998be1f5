"""Benchmark PSNR (SR literature protocol) and a JPEG-blockiness probe on a camera photo."""
import glob
import os

import numpy as np
import torch
from PIL import Image

SCALE = 4


def rgb_to_y(a):
    """BT.601 luma of uint8/float RGB in 0-255."""
    a = a.astype(np.float64)
    return 16.0 + (65.481 * a[..., 0] + 128.553 * a[..., 1] + 24.966 * a[..., 2]) / 255.0


def psnr_y(sr, hr, border=SCALE):
    d = rgb_to_y(sr)[border:-border, border:-border] - rgb_to_y(hr)[border:-border, border:-border]
    mse = float(np.mean(d * d))
    return 99.0 if mse == 0 else 10.0 * np.log10(255.0**2 / mse)


@torch.no_grad()
def upscale(model, lr_u8):
    """Whole-image fp32 inference; uint8 HWC in, uint8 HWC out."""
    x = torch.from_numpy(lr_u8.astype(np.float32).transpose(2, 0, 1)[None] / 255.0)
    y = model(x)[0].clamp(0, 1).numpy().transpose(1, 2, 0)
    return np.rint(y * 255.0).astype(np.uint8)


def load_benchmark(folder):
    """[(name, HR uint8 cropped to a multiple of 4, LR uint8 by antialiased bicubic ×4)]."""
    out = []
    for p in sorted(glob.glob(os.path.join(folder, "*.png"))):
        with Image.open(p) as im:
            im = im.convert("RGB")
            w, h = im.size
            im = im.crop((0, 0, w - w % SCALE, h - h % SCALE))
            lr = im.resize((im.size[0] // SCALE, im.size[1] // SCALE), Image.BICUBIC)
            out.append((os.path.basename(p), np.asarray(im), np.asarray(lr)))
    return out


def bicubic_baseline(bench):
    vals = []
    for _, hr, lr in bench:
        up = np.asarray(Image.fromarray(lr).resize((hr.shape[1], hr.shape[0]), Image.BICUBIC))
        vals.append(psnr_y(up, hr))
    return float(np.mean(vals))


def benchmark(model, bench):
    """Mean Y-PSNR over a benchmark set, plus per-image values."""
    model.eval()
    per = {name: psnr_y(upscale(model, lr), hr) for name, hr, lr in bench}
    return float(np.mean(list(per.values()))), per


def blockiness(img_u8, period, sub=SCALE):
    """Mean |luma step| across the JPEG block grid over the mean step at the same phase elsewhere (1.0 = no grid).

    Only steps at the same position within the ×`sub` upscaling lattice are compared, since
    interpolation alone makes steps between LR pixel centres larger than those near them.
    """
    y = rgb_to_y(img_u8)
    dx = np.abs(np.diff(y, axis=1))  # dx[:, i] is the step between columns i and i+1
    dy = np.abs(np.diff(y, axis=0))

    def masks(n):
        k = np.arange(n) + 1
        return k % period == 0, (k % sub == 0) & (k % period != 0)

    con, coff = masks(dx.shape[1])
    ron, roff = masks(dy.shape[0])
    on = np.concatenate([dx[:, con].ravel(), dy[ron, :].ravel()]).mean()
    off = np.concatenate([dx[:, coff].ravel(), dy[roff, :].ravel()]).mean()
    return float(on / off)


def load_photo_probe(path, size=128, origin=(160, 192)):
    """An LR crop of a camera JPEG, aligned to its 16-px MCU grid so block edges sit at known places."""
    with Image.open(path) as im:
        a = np.asarray(im.convert("RGB"))
    y0, x0 = origin
    assert y0 % 16 == 0 and x0 % 16 == 0
    return a[y0 : y0 + size, x0 : x0 + size]


def photo_probe(model, lr_u8):
    """(blockiness of the model's ×4 output on the 32-px grid, of bicubic ×4 for reference, output image)."""
    model.eval()
    out = upscale(model, lr_u8)
    h, w = lr_u8.shape[:2]
    bic = np.asarray(Image.fromarray(lr_u8).resize((w * SCALE, h * SCALE), Image.BICUBIC))
    return blockiness(out, 8 * SCALE), blockiness(bic, 8 * SCALE), out
