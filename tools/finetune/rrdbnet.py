"""RRDBNet generator (ESRGAN / Real-ESRGAN, BasicSR key layout), written for Upres' fine-tuning tool."""
import torch
from torch import nn
from torch.nn import functional as F


def _lrelu(x):
    return F.leaky_relu(x, 0.2)


class ResidualDenseBlock(nn.Module):
    def __init__(self, features, growth):
        super().__init__()
        self.conv1 = nn.Conv2d(features, growth, 3, 1, 1)
        self.conv2 = nn.Conv2d(features + growth, growth, 3, 1, 1)
        self.conv3 = nn.Conv2d(features + 2 * growth, growth, 3, 1, 1)
        self.conv4 = nn.Conv2d(features + 3 * growth, growth, 3, 1, 1)
        self.conv5 = nn.Conv2d(features + 4 * growth, features, 3, 1, 1)

    def forward(self, x):
        x1 = _lrelu(self.conv1(x))
        x2 = _lrelu(self.conv2(torch.cat((x, x1), 1)))
        x3 = _lrelu(self.conv3(torch.cat((x, x1, x2), 1)))
        x4 = _lrelu(self.conv4(torch.cat((x, x1, x2, x3), 1)))
        x5 = self.conv5(torch.cat((x, x1, x2, x3, x4), 1))
        return x5 * 0.2 + x


class RRDB(nn.Module):
    def __init__(self, features, growth):
        super().__init__()
        self.rdb1 = ResidualDenseBlock(features, growth)
        self.rdb2 = ResidualDenseBlock(features, growth)
        self.rdb3 = ResidualDenseBlock(features, growth)

    def forward(self, x):
        return self.rdb3(self.rdb2(self.rdb1(x))) * 0.2 + x


class RRDBNet(nn.Module):
    """×4 RRDBNet; parameter names match BasicSR (conv_first, body.N.rdbK.convM, conv_body, conv_up1/2, conv_hr, conv_last)."""

    def __init__(self, in_channels=3, out_channels=3, features=64, blocks=23, growth=32, scale=4):
        super().__init__()
        if scale != 4:
            raise ValueError("only scale 4 is supported (x4plus layout without pixel-unshuffle)")
        self.conv_first = nn.Conv2d(in_channels, features, 3, 1, 1)
        self.body = nn.Sequential(*[RRDB(features, growth) for _ in range(blocks)])
        self.conv_body = nn.Conv2d(features, features, 3, 1, 1)
        self.conv_up1 = nn.Conv2d(features, features, 3, 1, 1)
        self.conv_up2 = nn.Conv2d(features, features, 3, 1, 1)
        self.conv_hr = nn.Conv2d(features, features, 3, 1, 1)
        self.conv_last = nn.Conv2d(features, out_channels, 3, 1, 1)

    def forward(self, x):
        feat = self.conv_first(x)
        feat = feat + self.conv_body(self.body(feat))
        feat = _lrelu(self.conv_up1(F.interpolate(feat, scale_factor=2, mode="nearest")))
        feat = _lrelu(self.conv_up2(F.interpolate(feat, scale_factor=2, mode="nearest")))
        return self.conv_last(_lrelu(self.conv_hr(feat)))


def arch_from_manifest(arch):
    """Constructor kwargs from a manifest's `architecture` object."""
    if arch.get("kind") != "rrdbnet":
        raise ValueError(f"not an rrdbnet architecture: {arch.get('kind')}")
    return dict(
        in_channels=arch["inChannels"],
        out_channels=arch["outChannels"],
        features=arch["features"],
        blocks=arch["blocks"],
        growth=arch["growth"],
        scale=arch["scale"],
    )


def manifest_arch(kw):
    return {
        "kind": "rrdbnet",
        "inChannels": kw["in_channels"],
        "outChannels": kw["out_channels"],
        "features": kw["features"],
        "blocks": kw["blocks"],
        "growth": kw["growth"],
        "scale": kw["scale"],
    }
