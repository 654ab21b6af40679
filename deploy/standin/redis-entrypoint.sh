#!/bin/sh
set -eu
if [ "${1#-}" != "$1" ]; then set -- redis-server "$@"; fi
if [ "$1" = redis-server ]; then
  case " $* " in *" --protected-mode "*) ;; *) set -- "$@" --protected-mode no ;; esac
  chown -R redis:redis /data
  exec runuser -u redis -- "$@"
fi
exec "$@"
