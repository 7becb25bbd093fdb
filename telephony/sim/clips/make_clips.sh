#!/usr/bin/env bash
# Regenerates the simulator's speech clips (8 kHz mono 16-bit, Ukrainian espeak-ng voice). Needs espeak-ng and sox.
# The clips are committed (espeak-ng output changes between versions); run this only to replace them.
set -euo pipefail
cd "$(dirname "$0")"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
say() { espeak-ng -v uk -s 150 -w "$tmp/raw.wav" "$2" && sox "$tmp/raw.wav" -r 8000 -c 1 -e signed-integer -b 16 "$1" sinc 300-3400 norm -3; }
say caller_1.wav "Добрий день. У нашому будинку третій день немає гарячої води."
say caller_2.wav "Алло. Біля школи на дорозі велика яма, машини не можуть проїхати."
say caller_3.wav "На вулиці Шевченка ввечері не світять ліхтарі."
say operator_1.wav "Контакт-центр міської ради, оператор слухає. Назвіть, будь ласка, вашу адресу."
say operator_2.wav "Дякую, ваше звернення зареєстровано. Відповідь надійде протягом п'ятнадцяти днів."
ls -l ./*.wav
