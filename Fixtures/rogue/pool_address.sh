#!/bin/sh
# A program given a mining pool's host name (the program is /bin/echo, so
# nothing resolves or connects).
/bin/echo -o pool.supportxmr.com:3333 -u wallet
