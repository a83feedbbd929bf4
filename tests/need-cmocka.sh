#!/bin/sh
echo "cmocka was not found at configure time: the unit tests were not built." >&2
echo "Install it (Debian: apt-get install libcmocka-dev) and run ./configure again." >&2
exit 1
