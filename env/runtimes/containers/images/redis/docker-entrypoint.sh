#!/bin/sh
# Stand-in for the official redis image's entrypoint: `redis-server` on 6379, and, like
# the official build, protected mode off (inside a container every client is "remote").
set -eu
if [ "${1#-}" != "$1" ] || [ "${1%.conf}" != "$1" ]; then set -- redis-server "$@"; fi
if [ "$1" = redis-server ]; then
  shift
  set -- redis-server --protected-mode no --bind '* -::*' "$@"
fi
exec "$@"
