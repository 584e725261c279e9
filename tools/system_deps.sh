#!/bin/sh
# Debian packages the app and its tests use: CJK fonts (fallback for rare characters in PDFs), HarfBuzz subsetting, poppler (pdftotext/pdffonts
# in tests), Chromium (browser tests). Installed when run as root; otherwise the exact command is printed.
need=""
[ -d /usr/share/fonts/opentype/noto ] && ls /usr/share/fonts/opentype/noto/NotoSansCJK* >/dev/null 2>&1 || need="$need fonts-noto-cjk"
command -v pdftotext >/dev/null 2>&1 || need="$need poppler-utils"
command -v chromium >/dev/null 2>&1 || need="$need chromium"
# WeasyPrint subsets fonts with HarfBuzz when present (seconds faster per dossier than its fallback).
ls /usr/lib/*/libharfbuzz-subset.so.0 >/dev/null 2>&1 || need="$need libharfbuzz-subset0"
[ -z "$need" ] && exit 0
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "安装系统依赖 / installing Debian packages:$need"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q $need >/dev/null 2>&1 || {
    apt-get update -q >/dev/null 2>&1 && DEBIAN_FRONTEND=noninteractive apt-get install -y -q $need >/dev/null; } \
    || echo "警告：系统依赖安装失败，可稍后手动执行：apt-get install -y$need"
else
  echo "缺少系统依赖，请以 root 执行 / missing Debian packages, run as root: apt-get install -y$need"
fi
exit 0
