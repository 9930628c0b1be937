#!/bin/sh
# The supported Pythons on this machine besides the default one, for `make test`: prints "3.12:/path/to/python"
# for each version found, one a line. A version is looked for on the PATH (python3.12), then under
# ~/.pyenv/versions (the newest 3.12.x there). An interpreter is used only if it runs, can make a venv and has its C
# headers (simpleaudio is compiled against them); otherwise that version is left out.
set -u
default=${1:-python3}
skip=$("$default" -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null || true)

usable() {
    "$1" -c "
import os, sys, sysconfig, ensurepip
ok = '%d.%d' % sys.version_info[:2] == '$2'
sys.exit(not (ok and os.path.exists(os.path.join(sysconfig.get_paths()['include'], 'Python.h'))))" 2>/dev/null
}

for version in 3.11 3.12 3.13; do
    [ "$version" = "$skip" ] && continue
    candidates=$(command -v "python$version" 2>/dev/null || true)
    candidates="$candidates $(ls -d "$HOME"/.pyenv/versions/"$version".*/bin/python"$version" 2>/dev/null | sort -r -V)"
    for candidate in $candidates; do
        if usable "$candidate" "$version"; then
            echo "$version:$candidate"
            break
        fi
    done
done
