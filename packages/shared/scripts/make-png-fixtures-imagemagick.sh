#!/bin/sh
# PNG fixtures written by ImageMagick (6.9, Debian's `imagemagick`), each beside ImageMagick's own
# 8-bit RGBA decode of it (NAME.rgba): a second encoder and a second decoder for png-decode.test.ts.
# Run: sh packages/shared/scripts/make-png-fixtures-imagemagick.sh packages/shared/fixtures/png-imagemagick
set -eu
out=$1
tmp=$(mktemp -d)
convert -size 13x9 -seed 21 plasma:red-blue "$tmp/src.png"
convert "$tmp/src.png" \( +clone -fx "i/w" \) -alpha off -compose CopyOpacity -composite "$tmp/srca.png"
convert "$tmp/src.png" PNG8:"$out/im-palette.png"
convert "$tmp/src.png" -colors 4 PNG8:"$out/im-palette2.png"
convert "$tmp/srca.png" PNG8:"$out/im-palette-trns.png"
convert "$tmp/src.png" -depth 16 PNG48:"$out/im-rgb16.png"
convert "$tmp/srca.png" -depth 16 PNG64:"$out/im-rgba16.png"
convert "$tmp/srca.png" -interlace PNG PNG32:"$out/im-rgba8-adam7.png"
convert "$tmp/src.png" -colorspace Gray -depth 4 PNG:"$out/im-gray4.png"
convert "$tmp/src.png" -colorspace Gray -depth 16 -interlace PNG PNG:"$out/im-gray16-adam7.png"
convert "$tmp/src.png" -monochrome PNG:"$out/im-gray1.png"
convert "$tmp/srca.png" -colorspace Gray PNG:"$out/im-graya8.png"
for f in "$out"/im-*.png; do convert "$f" -depth 8 rgba:"${f%.png}.rgba"; done
rm -r "$tmp"
